import { EmsRefusal } from "@/components/ems/refusal";
import { Alert, Button, Field, Input, Select } from "@/components/ui/form";
import { requireViewer } from "@/lib/auth/viewer";
import { mayUseEms } from "@/lib/ems/privilege";
import { searchForEmergency, type TEmergencySearchResult } from "@/lib/ems/queries";
import { ZEmergencySearch } from "@/lib/ems/schema";
import { SEXES } from "@/lib/enums";
import { AppError, fieldErrorsOf } from "@/lib/errors";
import { getT } from "@/lib/i18n/server";

type TParams = Partial<Record<"nameKana" | "birthDate" | "sex" | "address" | "phone", string | string[]>>;

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/**
 * 救急時の患者検索 (PDQ, seed 001): for EMS-privileged staff, kana name + birth date + sex (and the
 * address or a phone number to narrow). Only one match answers, with the disclosing facilities'
 * patient IDs, each a way straight to the identity check; otherwise "narrow the search". Every
 * search is logged by the data layer, hit or miss.
 */
export default async function EmsSearchPage({ searchParams }: { searchParams: Promise<TParams> }) {
  const viewer = await requireViewer();
  const sp = await searchParams;
  const t = await getT();
  const values = { nameKana: one(sp.nameKana) ?? "", birthDate: one(sp.birthDate) ?? "", sex: one(sp.sex) ?? "", address: one(sp.address) ?? "", phone: one(sp.phone) ?? "" };
  const isAsked = sp.nameKana !== undefined || sp.birthDate !== undefined || sp.sex !== undefined;

  if (!mayUseEms(viewer)) {
    // asked anyway: the gateway refuses and logs it
    const parsed = isAsked ? ZEmergencySearch.safeParse(values) : null;
    if (parsed?.success) {
      await searchForEmergency(viewer, parsed.data).catch((e: unknown) => {
        if (!(e instanceof AppError)) throw e;
      });
    }
    return (
      <div className="space-y-4">
        <h1 className="text-2xl font-bold">{t("ems.search.title")}</h1>
        <EmsRefusal message="ems.refused.NOT_PRIVILEGED" isLogged={parsed?.success === true} t={t} />
      </div>
    );
  }

  let errors: Record<string, string[]> = {};
  let result: TEmergencySearchResult | null = null;
  if (isAsked) {
    const parsed = ZEmergencySearch.safeParse(values);
    if (!parsed.success) errors = fieldErrorsOf(parsed.error);
    else result = await searchForEmergency(viewer, parsed.data);
  }

  return (
    <div className="space-y-4" data-testid="ems-search">
      <h1 className="text-2xl font-bold">{t("ems.search.title")}</h1>
      <p className="text-sm text-slate-700">{t("ems.search.lead")}</p>
      <form method="get" action="/ems/search" role="search" className="rounded-lg bg-white p-5 shadow" data-testid="ems-search-form">
        <div className="grid gap-x-4 sm:grid-cols-2 lg:grid-cols-3">
          <Field label={t("ems.search.nameKana")} name="nameKana" errors={errors} required>
            <Input name="nameKana" defaultValue={values.nameKana} errors={errors} autoComplete="off" placeholder="ヤマダ タロウ" />
          </Field>
          <Field label={t("ems.search.birthDate")} name="birthDate" errors={errors} required>
            <Input name="birthDate" defaultValue={values.birthDate} errors={errors} autoComplete="off" placeholder="S41/06/06" />
          </Field>
          <Field label={t("ems.search.sex")} name="sex" errors={errors} required>
            <Select name="sex" defaultValue={values.sex} errors={errors}>
              <option value="">{t("ems.search.sexChoose")}</option>
              {SEXES.map((s) => (
                <option key={s} value={s}>
                  {t(`enum.Sex.${s}`)}
                </option>
              ))}
            </Select>
          </Field>
          <Field label={t("ems.search.address")} name="address" errors={errors}>
            <Input name="address" defaultValue={values.address} errors={errors} autoComplete="off" />
          </Field>
          <Field label={t("ems.search.phone")} name="phone" errors={errors}>
            <Input name="phone" defaultValue={values.phone} errors={errors} autoComplete="off" inputMode="tel" />
          </Field>
        </div>
        <Button type="submit" className="w-full sm:w-auto">
          {t("ems.search.submit")}
        </Button>
      </form>
      {result && (
        <section className="rounded-lg bg-white p-5 shadow" aria-live="polite" data-testid="ems-search-result">
          {!result.found ? (
            <Alert kind="warning">{result.matches === 0 ? t("ems.search.none") : t("ems.search.narrow")}</Alert>
          ) : result.ids.length === 0 ? (
            <Alert kind="info">{t("ems.search.noFacilities")}</Alert>
          ) : (
            <>
              <Alert kind="success">{t("ems.search.found")}</Alert>
              <ul className="divide-y divide-slate-200">
                {result.ids.map((r) => (
                  <li key={`${r.facilityId}:${r.facilityPatientId}`} className="flex flex-wrap items-center gap-3 py-3" data-testid="ems-search-id">
                    <div className="min-w-48">
                      <div className="font-medium">{r.facilityName}</div>
                      <div className="font-mono text-xs text-slate-500">{r.facilityCode}</div>
                    </div>
                    <div className="font-mono text-lg">{r.facilityPatientId}#EMS</div>
                    {/* a form, not a link: the identity check is a logged read, never prefetched */}
                    <form method="get" action="/ems" className="ml-auto">
                      <input type="hidden" name="facility" value={r.facilityId} />
                      <input type="hidden" name="id" value={r.facilityPatientId} />
                      <Button type="submit" variant="danger">
                        {t("ems.search.use")}
                      </Button>
                    </form>
                  </li>
                ))}
              </ul>
            </>
          )}
        </section>
      )}
      <a href="/ems" className="inline-flex min-h-11 items-center text-teal-800 underline underline-offset-2">
        {t("ems.search.back")}
      </a>
    </div>
  );
}
