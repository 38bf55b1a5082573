import { LocaleSwitch } from "@/components/layout/locale-switch";
import { getT } from "@/lib/i18n/server";

export default async function AuthLayout({ children }: { children: React.ReactNode }) {
  const t = await getT();
  return (
    <div className="min-h-screen">
      <header className="flex items-center justify-between bg-teal-800 px-4 py-3 text-white">
        <div>
          <span className="text-lg font-bold">{t("app.name")}</span>
          <span className="ml-2 text-sm text-teal-100">{t("app.tagline")}</span>
        </div>
        <LocaleSwitch />
      </header>
      <main className="mx-auto max-w-3xl px-4 py-8">{children}</main>
    </div>
  );
}
