import { EmsRefusal, EmsSteps } from "@/components/ems/refusal";
import { GrantForm } from "@/components/ems/grant-form";
import { IdentityCard } from "@/components/ems/identity-card";
import { Button, Field, Input, Select } from "@/components/ui/form";
import { lookUpEmergency, parseEmsQuery, type TEmergencyCandidate } from "@/lib/access/emergency";
import { requireViewer } from "@/lib/auth/viewer";
import { consentModesFor, windowFromOf } from "@/lib/ems/mutations";
import { mayUseEms } from "@/lib/ems/privilege";
import { listDisclosingFacilities } from "@/lib/ems/queries";
import { ZEmergencyTarget } from "@/lib/ems/schema";
import { env } from "@/lib/env";
import { AppError, fieldErrorsOf } from "@/lib/errors";
import { formatDateTime } from "@/lib/i18n";
import { getLocale, getT } from "@/lib/i18n/server";

type TParams = { id?: string | string[]; facility?: string | string[] };

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** A refusal of the gateway's emergency branch (its DENIED row is written), as its message key; anything else is thrown on. */
function refusalOf(e: unknown): string {
  if (e instanceof AppError && e.message.startsWith("ems.refused.")) return e.message;
  throw e;
}

/**
 * 救急時閲覧 (EMS, seed 000): `<施設患者ID>#EMS` and the disclosing facility; then, before any
 * record, the patient's identity from that facility for confirmation (logged) with the form for
 * the reason and the consent. The grant it opens shows the patient's calendar.
 */
export default async function EmsPage({ searchParams }: { searchParams: Promise<TParams> }) {
  const viewer = await requireViewer();
  const sp = await searchParams;
  const [t, locale] = await Promise.all([getT(), getLocale()]);
  const typed = one(sp.id)?.trim() ?? "";
  const facilityId = one(sp.facility);
  // the ID as typed into the patient search or here: "C100004", "C100004#EMS", "C100004＃ems"
  const facilityPatientId = typed ? (parseEmsQuery(typed) ?? typed) : "";

  if (!mayUseEms(viewer)) {
    // the gateway refuses (NOT_PRIVILEGED) and logs it, when an ID was asked for
    const message = facilityPatientId
      ? await lookUpEmergency(viewer, { facilityId: facilityId ?? "", facilityPatientId }).then(() => "ems.refused.NOT_PRIVILEGED", refusalOf)
      : "ems.refused.NOT_PRIVILEGED";
    return (
      <div className="space-y-4">
        <h1 className="text-2xl font-bold">{t("ems.title")}</h1>
        <EmsRefusal message={message} isLogged={facilityPatientId !== ""} t={t} />
      </div>
    );
  }

  const facilities = await listDisclosingFacilities(viewer);
  let candidate: TEmergencyCandidate | null = null;
  let errors: Record<string, string[]> = {};
  let refusal: string | null = null;
  // the entry was sent (a facility chosen, or not): check the identity
  if (facilityId !== undefined) {
    const parsed = ZEmergencyTarget.safeParse({ facilityId, facilityPatientId });
    if (!parsed.success) errors = fieldErrorsOf(parsed.error);
    else {
      try {
        candidate = await lookUpEmergency(viewer, parsed.data);
      } catch (e) {
        refusal = refusalOf(e);
      }
    }
  }

  if (candidate) {
    const e = env();
    const windowText = t("ems.form.window", {
      months: e.EMS_WINDOW_MONTHS,
      from: formatDateTime(new Date(`${windowFromOf(new Date())}T00:00:00+09:00`), locale, false),
      hours: e.EMS_GRANT_HOURS,
    });
    const again = new URLSearchParams({ id: candidate.facilityPatientId });
    return (
      <div className="space-y-4" data-testid="ems-confirm">
        <h1 className="text-2xl font-bold">{t("ems.title")}</h1>
        <EmsSteps current={2} t={t} />
        <IdentityCard candidate={candidate} t={t} />
        <GrantForm
          target={{ facilityId: candidate.facility.id, facilityPatientId: candidate.facilityPatientId }}
          consentModes={consentModesFor(candidate)}
          windowText={windowText}
          noticeSkipped={candidate.basis === "DISASTER" && candidate.disaster?.skipNotice === true}
        />
        <a href={`/ems?${again.toString()}`} className="inline-flex min-h-11 items-center text-teal-800 underline underline-offset-2">
          {t("ems.startOver")}
        </a>
      </div>
    );
  }

  return (
    <div className="space-y-4" data-testid="ems-entry">
      <h1 className="text-2xl font-bold">{t("ems.title")}</h1>
      <EmsSteps current={1} t={t} />
      <p className="text-sm text-slate-700">{t("ems.lead")}</p>
      {refusal && <EmsRefusal message={refusal} isLogged t={t} />}
      <form method="get" action="/ems" className="rounded-lg bg-white p-5 shadow" data-testid="ems-entry-form">
        <div className="grid gap-x-4 sm:grid-cols-2">
          <Field label={t("ems.facility")} name="facility" errors={{ facility: errors.facilityId ?? [] }} required>
            <Select name="facility" defaultValue={facilityId ?? ""} errors={{ facility: errors.facilityId ?? [] }}>
              <option value="">{t("ems.facilityChoose")}</option>
              {facilities.map((f) => (
                <option key={f.id} value={f.id}>
                  {f.name}（{f.code}）
                </option>
              ))}
            </Select>
          </Field>
          <Field label={t("ems.facilityPatientId")} name="id" errors={{ id: errors.facilityPatientId ?? [] }} hint={t("ems.facilityPatientIdHint")} required>
            <Input name="id" defaultValue={facilityPatientId} errors={{ id: errors.facilityPatientId ?? [] }} autoComplete="off" autoCapitalize="characters" spellCheck={false} />
          </Field>
        </div>
        <Button type="submit" variant="danger" className="w-full sm:w-auto">
          {t("ems.next")}
        </Button>
      </form>
      <a href="/ems/search" className="inline-flex min-h-11 items-center text-teal-800 underline underline-offset-2">
        {t("ems.toSearch")}
      </a>
    </div>
  );
}
