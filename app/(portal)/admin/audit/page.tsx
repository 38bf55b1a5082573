import Link from "next/link";
import { notFound } from "next/navigation";
import { PageTitle } from "@/components/audit/parts";
import { canSeeAuditReports } from "@/lib/access/roles";
import { requireViewer } from "@/lib/auth/viewer";
import { getT } from "@/lib/i18n/server";

const VIEWS = [
  { href: "/admin/audit/sign-ins", key: "signIns" },
  { href: "/admin/audit/activity", key: "activity" },
  { href: "/admin/audit/unusual", key: "unusual" },
  { href: "/admin/audit/patient", key: "patient" },
] as const;

/** 監査: the secretariat's audit views (product.md C7). */
export default async function AuditIndexPage() {
  const viewer = await requireViewer();
  if (!canSeeAuditReports(viewer)) notFound();
  const t = await getT();
  return (
    <div className="space-y-6">
      <PageTitle title={t("auditReports.title")} lead={t("auditReports.lead")} />
      <ul className="grid gap-4 sm:grid-cols-2">
        {VIEWS.map((v) => (
          <li key={v.href}>
            <Link href={v.href} className="block h-full min-h-11 rounded-lg bg-white p-5 shadow hover:ring-2 hover:ring-teal-600/40" data-testid={`audit-view-${v.key}`}>
              <span className="block text-lg font-semibold text-teal-800">{t(`auditReports.${v.key}.title`)}</span>
              <span className="mt-1 block text-sm text-slate-600">{t(`auditReports.${v.key}.lead`)}</span>
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
}
