import type { TAnnouncement } from "@/lib/announcements/queries";
import { formatDateTime } from "@/lib/i18n";
import { getLocale, getT } from "@/lib/i18n/server";

export async function Announcements({ items }: { items: TAnnouncement[] }) {
  const [t, locale] = await Promise.all([getT(), getLocale()]);
  if (items.length === 0) return <p className="text-sm text-slate-500">{t("home.noAnnouncements")}</p>;
  return (
    <ul className="divide-y divide-slate-200 rounded-lg bg-white shadow">
      {items.map((a) => (
        <li key={a.id} className="p-4">
          <div className="text-xs text-slate-500">{formatDateTime(a.publishedAt, locale, false)}</div>
          <div className="font-medium">{a.title}</div>
          <p className="mt-1 whitespace-pre-line text-sm text-slate-700">{a.body}</p>
        </li>
      ))}
    </ul>
  );
}
