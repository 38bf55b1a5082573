import { notFound } from "next/navigation";
import { Card, PageTitle } from "@/components/audit/parts";
import { SecondFactorPolicyForm } from "@/components/admin/second-factor-policy-form";
import { isSecretariat } from "@/lib/access/roles";
import { getSecondFactorPolicy } from "@/lib/auth/second-factor/queries";
import { requireViewer } from "@/lib/auth/viewer";
import { getT } from "@/lib/i18n/server";

/** 二要素認証ポリシー (secretariat): whether sign-in asks a second factor, per role and for EMS privilege. */
export default async function SecondFactorPolicyPage() {
  const viewer = await requireViewer();
  if (!isSecretariat(viewer)) notFound();
  const [t, lines] = await Promise.all([getT(), getSecondFactorPolicy(viewer)]);
  return (
    <div className="space-y-6">
      <PageTitle title={t("sf.policy.title")} lead={t("sf.policy.lead")} />
      <Card testId="second-factor-policy">
        <SecondFactorPolicyForm lines={lines} />
      </Card>
    </div>
  );
}
