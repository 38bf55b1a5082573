import Link from "next/link";
import { Announcements } from "@/components/layout/announcements";
import { listAnnouncements } from "@/lib/announcements/queries";
import { daysUntil } from "@/lib/auth/password-policy";
import { getSessionState, requireViewer } from "@/lib/auth/viewer";
import { env } from "@/lib/env";
import { formatDateTime } from "@/lib/i18n";
import { getLocale, getT } from "@/lib/i18n/server";
import { menuFor } from "@/lib/menu";

export default async function HomePage() {
  const viewer = await requireViewer();
  const [t, locale, state, announcements] = await Promise.all([getT(), getLocale(), getSessionState(), listAnnouncements(viewer)]);
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
        <h2 className="mb-3 text-lg font-semibold">{t("home.announcements")}</h2>
        <Announcements items={announcements} />
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
