import { notFound } from "next/navigation";
import { Card, PageTitle } from "@/components/audit/parts";
import { Alert } from "@/components/ui/form";
import { DisasterForm } from "@/components/admin/disaster-form";
import { DisasterCards } from "@/components/admin/disaster-list";
import { canManageDisasters } from "@/lib/access/roles";
import { requireViewer } from "@/lib/auth/viewer";
import { japanDateTimeLocal } from "@/lib/dates";
import { listDisasterFacilityOptions, listDisasters } from "@/lib/ems/disasters/queries";
import { getT } from "@/lib/i18n/server";

/** A new declaration's end as the form offers it: two weeks on, to be extended while needed. */
const DEFAULT_DAYS = 14;

/** 災害時の臨時運用 (secretariat): declarations in force, to come and over; a new one below. */
export default async function DisastersPage({ searchParams }: { searchParams: Promise<{ done?: string; grants?: string }> }) {
  const viewer = await requireViewer();
  if (!canManageDisasters(viewer)) notFound();
  const now = new Date();
  const [t, lists, facilities, sp] = await Promise.all([getT(), listDisasters(viewer, now), listDisasterFacilityOptions(viewer), searchParams]);
  // what the last extension or closing did (the card it was made on may have moved to another list)
  const grants = Number.parseInt(sp.grants ?? "", 10);
  const done = sp.done === "extended" ? t("disaster.extended") : sp.done === "closed" ? t("disaster.closed", { count: Number.isFinite(grants) ? grants : 0 }) : null;
  return (
    <div className="space-y-6">
      <PageTitle title={t("disaster.title")} lead={t("disaster.lead")} />
      {done && (
        <div data-testid="disaster-done">
          <Alert kind="success">{done}</Alert>
        </div>
      )}
      <Card testId="disasters-active">
        <h2 className="mb-3 text-lg font-semibold">{t("disaster.active")}</h2>
        <DisasterCards rows={lists.active} empty={t("disaster.noneActive")} />
      </Card>
      {lists.scheduled.length > 0 && (
        <Card testId="disasters-scheduled">
          <h2 className="mb-3 text-lg font-semibold">{t("disaster.scheduled")}</h2>
          <DisasterCards rows={lists.scheduled} />
        </Card>
      )}
      <Card testId="disaster-new">
        <h2 className="mb-1 text-lg font-semibold">{t("disaster.new")}</h2>
        <p className="mb-4 text-sm text-slate-600">{t("disaster.newLead")}</p>
        <DisasterForm facilities={facilities} defaultEndsAt={japanDateTimeLocal(new Date(now.getTime() + DEFAULT_DAYS * 86_400_000))} />
      </Card>
      <Card testId="disasters-ended">
        <h2 className="mb-3 text-lg font-semibold">{t("disaster.ended")}</h2>
        <DisasterCards rows={lists.ended} empty={t("disaster.noneEnded")} />
      </Card>
    </div>
  );
}
