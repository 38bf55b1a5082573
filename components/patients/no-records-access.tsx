import { Alert } from "@/components/ui/form";
import type { TTranslate } from "@/lib/i18n";

/** What a records tab shows to a viewer who may manage the registration but not read the records. */
export function NoRecordsAccess({ t }: { t: TTranslate }) {
  return (
    <section className="rounded-lg bg-white p-5 shadow">
      <Alert kind="warning">{t("patientPage.noRecordsAccess")}</Alert>
    </section>
  );
}
