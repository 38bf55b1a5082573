import { DocumentForm, FileForm, NoteForm } from "@/components/notes/post-forms";
import { NoRecordsAccess } from "@/components/patients/no-records-access";
import { japanDateTimeLocal } from "@/lib/dates";
import { getT } from "@/lib/i18n/server";
import { getPostingContext } from "@/lib/notes/queries";
import { orNotFound } from "@/lib/server/or-not-found";
import { loadPatient } from "../../load-patient";


/** The post forms (seed 000): ノート (default), サマリー文書 (?type=document), ファイル (?type=file). */
export default async function NewPostPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const [{ id }, sp] = await Promise.all([params, searchParams]);
  const [{ viewer, page }, t] = await Promise.all([loadPatient(id), getT()]);
  if (!page.canSeeRecords) return <NoRecordsAccess t={t} />;
  const context = await orNotFound(getPostingContext(viewer, id));
  const now = new Date();
  const ctx = {
    patientId: id,
    uploadMaxMb: context.uploadMaxMb,
    sharedWithOthers: context.ownLink?.sharedWithOthers ?? false,
    defaultQualification: viewer.qualification,
    nowLocal: japanDateTimeLocal(now),
    today: japanDateTimeLocal(now).slice(0, 10),
  };
  const type = sp.type === "document" ? "document" : sp.type === "file" ? "file" : "note";
  return (
    <section className="space-y-4 rounded-lg bg-white p-3 shadow sm:p-5">
      <h2 className="text-lg font-semibold">{t(`notes.new.${type}`)}</h2>
      {type === "note" && <NoteForm ctx={ctx} />}
      {type === "document" && <DocumentForm ctx={ctx} />}
      {type === "file" && <FileForm ctx={ctx} />}
    </section>
  );
}
