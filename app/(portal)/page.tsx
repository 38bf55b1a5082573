import Link from "next/link";
import { Announcements } from "@/components/layout/announcements";
import { ageText } from "@/components/patients/patient-name";
import { PatientSearchForm } from "@/components/patients/patient-search-form";
import { mayReadRecords } from "@/lib/access/roles";
import { listAnnouncements } from "@/lib/announcements/queries";
import { listBookmarks, listLinkableFacilities, listRecentPatients } from "@/lib/patients/queries";
import type { TPatientIdentity } from "@/lib/patients/dto";
import { daysUntil } from "@/lib/auth/password-policy";
import { getSessionState, requireViewer } from "@/lib/auth/viewer";
import { env } from "@/lib/env";
import { formatDateTime } from "@/lib/i18n";
import { getLocale, getT } from "@/lib/i18n/server";
import { menuFor } from "@/lib/menu";

export default async function HomePage() {
  const viewer = await requireViewer();
  const canRead = mayReadRecords(viewer.roles);
  const [t, locale, state, announcements, bookmarks, recent, facilities] = await Promise.all([
    getT(),
    getLocale(),
    getSessionState(),
    listAnnouncements(viewer),
    canRead ? listBookmarks(viewer) : Promise.resolve([]),
    canRead ? listRecentPatients(viewer) : Promise.resolve([]),
    canRead ? listLinkableFacilities() : Promise.resolve([]),
  ]);
  const patientList = (items: TPatientIdentity[], empty: string, testId: string) =>
    items.length === 0 ? (
      <p className="text-sm text-slate-500">{empty}</p>
    ) : (
      <ul className="divide-y divide-slate-200 rounded-lg bg-white shadow" data-testid={testId}>
        {items.map((p) => (
          <li key={p.id}>
            <Link href={`/patients/${p.id}`} className="flex min-h-11 flex-wrap items-center gap-x-3 px-4 py-2 hover:bg-teal-50">
              <span>
                <span className="block text-xs text-slate-500">{p.nameKana}</span>
                <span className="font-medium">{p.nameKanji}</span>
              </span>
              <span className="text-sm text-slate-600">
                {p.birth.wareki}（{p.birth.seireki}）{ageText(p.birth, t)} {t(`enum.Sex.${p.sex}`)}
              </span>
              <span className="ml-auto font-mono text-xs text-slate-500">{p.regionalId}</span>
            </Link>
          </li>
        ))}
      </ul>
    );
  const expiresAt = state.ok ? state.passwordExpiresAt : null;
  const daysLeft = expiresAt ? daysUntil(expiresAt) : null;
  const warn = daysLeft !== null && daysLeft <= env().PASSWORD_EXPIRY_WARNING_DAYS;
  const menu = menuFor(viewer);
  return (
    <div className="grid gap-6 lg:grid-cols-3">
      <div className="lg:col-span-2">
        <h1 className="mb-1 text-2xl font-bold">{t("home.title")}</h1>
        <p className="mb-4 text-slate-600">{t("home.welcome", { name: viewer.name, facility: viewer.facilityName })}</p>
        {warn && expiresAt && (
          <div role="alert" data-testid="password-expiry-warning" className="mb-4 rounded border border-amber-300 bg-amber-50 px-4 py-3 text-amber-900">
            {t("password.expiryWarning", { date: formatDateTime(expiresAt, locale, false), days: daysLeft ?? 0 })}{" "}
            <Link href="/profile" className="font-medium underline">
              {t("password.changeLink")}
            </Link>
          </div>
        )}
        {canRead && (
          <section className="mb-6 rounded-lg bg-white p-4 shadow">
            <h2 className="mb-3 text-lg font-semibold">{t("home.quickSearch")}</h2>
            <PatientSearchForm values={{}} facilities={facilities} ownFacilityId={viewer.facilityId} t={t} />
          </section>
        )}
        <h2 className="mb-3 text-lg font-semibold">{t("home.announcements")}</h2>
        <Announcements items={announcements} />
        {canRead && (
          <div className="mt-6 grid gap-6 md:grid-cols-2">
            <section>
              <h2 className="mb-3 text-lg font-semibold">{t("home.bookmarks")}</h2>
              {patientList(bookmarks, t("home.noBookmarks"), "bookmarks")}
            </section>
            <section>
              <h2 className="mb-3 text-lg font-semibold">{t("home.recent")}</h2>
              {patientList(recent, t("home.noRecent"), "recent-patients")}
            </section>
          </div>
        )}
      </div>
      <aside>
        <h2 className="mb-3 text-lg font-semibold">{t("home.menu")}</h2>
        <ul className="grid grid-cols-2 gap-3">
          {[...menu.main.slice(1), ...menu.admin].map((item) => (
            <li key={item.href}>
              <Link href={item.href} className="flex min-h-20 flex-col items-center justify-center rounded-lg bg-white p-3 text-center text-sm shadow hover:bg-teal-50">
                <span aria-hidden className="mb-1 flex h-9 w-9 items-center justify-center rounded-full bg-teal-700 text-lg font-bold text-white">
                  {t(item.key).slice(0, 1)}
                </span>
                {t(item.key)}
              </Link>
            </li>
          ))}
        </ul>
      </aside>
    </div>
  );
}
