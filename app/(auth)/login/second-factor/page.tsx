import { VerifyForm } from "@/components/auth/second-factor/verify-form";
import { getVerificationChoices } from "@/lib/auth/second-factor/queries";
import { getRelyingParty } from "@/lib/auth/second-factor/request";
import { requirePendingSession } from "@/lib/auth/viewer";
import { getT } from "@/lib/i18n/server";

export const dynamic = "force-dynamic";

/** The second step of signing in (二要素認証): every other page waits until it is done. */
export default async function SecondFactorPage() {
  const pending = await requirePendingSession("verify");
  const [t, rp] = await Promise.all([getT(), getRelyingParty()]);
  const choices = await getVerificationChoices(pending.userId, rp?.rpId ?? null);
  return (
    <section className="mx-auto max-w-lg rounded-lg bg-white p-6 shadow" data-testid="second-factor-page">
      <h1 className="mb-2 text-xl font-bold">{t("sf.verify.title")}</h1>
      <p className="mb-6 text-sm text-slate-700">{t("sf.verify.lead", { name: pending.name })}</p>
      <VerifyForm hasTotp={choices.hasTotp} hasPasskey={choices.passkeysHere > 0} recoveryCodesLeft={choices.recoveryCodesLeft} />
    </section>
  );
}
