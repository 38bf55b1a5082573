import Link from "next/link";
import { getT } from "@/lib/i18n/server";

/**
 * Every "not found": unknown addresses and, by design, reads the viewer may not make. The app's own
 * page rather than Next's built-in one, whose inline <style> the Content-Security-Policy refuses.
 */
export default async function NotFound() {
  const t = await getT();
  return (
    <main className="mx-auto max-w-lg px-4 py-16">
      <section className="rounded-lg bg-white p-6 shadow" data-testid="not-found">
        <p className="text-sm font-semibold text-slate-500">404</p>
        <h1 className="mb-2 text-xl font-bold">{t("notFound.title")}</h1>
        <p className="mb-4 text-sm text-slate-700">{t("notFound.lead")}</p>
        <Link href="/" className="inline-flex min-h-11 items-center text-teal-800 underline underline-offset-2 hover:text-teal-900">
          {t("notFound.home")}
        </Link>
      </section>
    </main>
  );
}
