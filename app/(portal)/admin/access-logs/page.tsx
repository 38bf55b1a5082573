import { notFound } from "next/navigation";
import { Alert } from "@/components/ui/form";
import { canSeeAdminMenu } from "@/lib/access/roles";
import { requireViewer } from "@/lib/auth/viewer";
import { countAccessLogExport, listExportableFacilities, verifyAccessLogFor, type TChainReport } from "@/lib/audit/queries";
import { EXPORT_DIRECTIONS, EXPORT_ENCODINGS, monthOf, ZAccessLogExport, ZAccessLogVerify } from "@/lib/audit/schema";
import { AppError } from "@/lib/errors";
import { formatDateTime } from "@/lib/i18n";
import { getLocale, getT } from "@/lib/i18n/server";

type TSearch = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? "";

const field = "flex flex-col gap-1 text-sm";
const input = "min-h-11 rounded border border-slate-300 px-2";
const radio = "inline-flex min-h-11 items-center gap-2 rounded border border-slate-300 px-3 text-sm has-[:checked]:border-teal-700 has-[:checked]:bg-teal-50";

/**
 * コンテンツ参照記録 (seed 000): a month's CSV of what our staff viewed, or of our contents viewed by
 * others, optionally for one patient; the row count first; and the month's tamper check.
 */
export default async function AccessLogsPage({ searchParams }: { searchParams: Promise<TSearch> }) {
  const viewer = await requireViewer();
  if (!canSeeAdminMenu(viewer)) notFound();
  const [sp, t, locale, facilities] = await Promise.all([searchParams, getT(), getLocale(), listExportableFacilities(viewer)]);
  if (facilities.length === 0) notFound();
  const values = {
    facilityId: one(sp.facilityId) || facilities[0]!.id,
    month: one(sp.month) || monthOf(new Date()),
    direction: one(sp.direction) || "viewing",
    patientId: one(sp.patientId),
    encoding: one(sp.encoding) || (locale === "ja" ? "cp932" : "utf8"),
  };
  let count: number | null = null;
  let errors: Record<string, string[]> = {};
  let chain: TChainReport | null = null;
  if (one(sp.action) === "preview") {
    const parsed = ZAccessLogExport.safeParse(values);
    if (!parsed.success) errors = Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), [i.message]]));
    else
      try {
        count = await countAccessLogExport(viewer, parsed.data);
      } catch (e) {
        if (e instanceof AppError && e.code === "VALIDATION") errors = e.fieldErrors ?? {};
        else if (e instanceof AppError && e.code === "NOT_FOUND") notFound();
        else throw e;
      }
  }
  if (one(sp.action) === "verify") {
    const parsed = ZAccessLogVerify.safeParse(values);
    if (parsed.success) chain = await verifyAccessLogFor(viewer, parsed.data.facilityId, parsed.data.month).catch((e: unknown) => (e instanceof AppError && e.code === "NOT_FOUND" ? notFound() : Promise.reject(e)));
    else errors = Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), [i.message]]));
  }
  const download = `/api/access-logs/export?${new URLSearchParams({ ...values }).toString()}`;
  const err = (name: string) => errors[name]?.map((m) => (
    <span key={m} className="text-sm text-red-700" role="alert">
      {t(m)}
    </span>
  ));
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold">{t("audit.title")}</h1>
      <p className="text-sm text-slate-600">{t("audit.lead")}</p>
      <section className="rounded-lg bg-white p-5 shadow">
        <form method="get" className="grid gap-4 sm:grid-cols-2" data-testid="access-log-form">
          <label className={field}>
            {t("audit.facility")}
            <select name="facilityId" defaultValue={values.facilityId} className={input}>
              {facilities.map((f) => (
                <option key={f.id} value={f.id}>
                  {f.code} {f.nameKanji}
                </option>
              ))}
            </select>
            {err("facilityId")}
          </label>
          <label className={field}>
            {t("audit.month")}
            <input type="month" name="month" defaultValue={values.month} className={input} required />
            {err("month")}
          </label>
          <fieldset className="sm:col-span-2">
            <legend className="mb-1 text-sm">{t("audit.direction")}</legend>
            <div className="flex flex-wrap gap-2">
              {EXPORT_DIRECTIONS.map((d) => (
                <label key={d} className={radio}>
                  <input type="radio" name="direction" value={d} defaultChecked={values.direction === d} />
                  {t(`audit.direction.${d}`)}
                </label>
              ))}
            </div>
          </fieldset>
          <label className={field}>
            {t("audit.patientId")}
            <input name="patientId" defaultValue={values.patientId} className={input} placeholder={t("audit.patientIdHint")} autoComplete="off" />
            {err("patientId")}
          </label>
          <fieldset>
            <legend className="mb-1 text-sm">{t("audit.encoding")}</legend>
            <div className="flex flex-wrap gap-2">
              {EXPORT_ENCODINGS.map((e) => (
                <label key={e} className={radio}>
                  <input type="radio" name="encoding" value={e} defaultChecked={values.encoding === e} />
                  {t(`audit.encoding.${e}`)}
                </label>
              ))}
            </div>
          </fieldset>
          <div className="flex flex-wrap gap-2 sm:col-span-2">
            <button type="submit" name="action" value="preview" className="inline-flex min-h-11 items-center rounded border border-slate-300 bg-white px-4">
              {t("audit.preview")}
            </button>
            <button type="submit" formAction="/api/access-logs/export" className="inline-flex min-h-11 items-center rounded bg-teal-700 px-4 font-semibold text-white">
              {t("audit.download")}
            </button>
            <button type="submit" name="action" value="verify" className="inline-flex min-h-11 items-center rounded border border-slate-300 bg-white px-4">
              {t("audit.verify")}
            </button>
          </div>
        </form>
        {count !== null && (
          <div className="mt-4" data-testid="access-log-count">
            <Alert kind="info">
              {t("audit.count", { count })}{" "}
              {count > 0 && (
                <a href={download} className="font-semibold underline">
                  {t("audit.downloadThis")}
                </a>
              )}
            </Alert>
          </div>
        )}
        {chain && (
          <div className="mt-4" data-testid="access-log-verify">
            {chain.ok ? (
              <Alert kind="success">{t("audit.chainOk", { rows: chain.rows })}</Alert>
            ) : (
              <Alert kind="error">
                {t("audit.chainBroken", {
                  seq: chain.firstBroken!.seq,
                  problem: t(`audit.problem.${chain.firstBroken!.problem}`),
                  at: chain.firstBroken!.at ? formatDateTime(chain.firstBroken!.at, locale) : "-",
                  id: chain.firstBroken!.id ?? "-",
                })}
              </Alert>
            )}
          </div>
        )}
      </section>
      <div className="space-y-1 text-xs text-slate-600">
        <p>{t("audit.columnsNote")}</p>
        <p>{t("audit.cellsNote")}</p>
      </div>
    </div>
  );
}
