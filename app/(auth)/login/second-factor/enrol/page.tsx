import { EnrolFlow } from "@/components/auth/second-factor/enrol-flow";
import { getRelyingParty } from "@/lib/auth/second-factor/request";
import { requirePendingSession } from "@/lib/auth/viewer";
import { getT } from "@/lib/i18n/server";

export const dynamic = "force-dynamic";

/** A role the network requires a second factor of, with none yet: enrol one before any other page. */
export default async function SecondFactorEnrolPage() {
  const pending = await requirePendingSession("enrol");
  const [t, rp] = await Promise.all([getT(), getRelyingParty()]);
  return (
    <section className="mx-auto max-w-3xl rounded-lg bg-white p-6 shadow" data-testid="second-factor-enrol-page">
      <h1 className="mb-2 text-xl font-bold">{t("sf.enrol.title")}</h1>
      <p className="mb-6 text-sm text-slate-700">{t("sf.enrol.lead", { name: pending.name })}</p>
      <EnrolFlow passkeyHost={rp?.rpId ?? null} />
    </section>
  );
}
