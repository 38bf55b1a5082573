import Link from "next/link";
import { PostCard } from "@/components/notes/post-card";
import { NoRecordsAccess } from "@/components/patients/no-records-access";
import { Pager } from "@/components/ui/pager";
import { getT } from "@/lib/i18n/server";
import { listPatientPosts } from "@/lib/notes/queries";
import { orNotFound } from "@/lib/server/or-not-found";
import { loadPatient } from "../load-patient";

const KINDS = ["notes", "documents", "files"] as const;
type TKind = (typeof KINDS)[number];

/** ノート・文書・ファイル: what the care team wrote and shared about the patient, newest first, with the post forms one tap away. */
export default async function NotesPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const [{ id }, sp] = await Promise.all([params, searchParams]);
  const [{ viewer, page: patient }, t] = await Promise.all([loadPatient(id), getT()]);
  if (!patient.canSeeRecords) return <NoRecordsAccess t={t} />;
  const kind = KINDS.includes(sp.kind as TKind) ? (sp.kind as TKind) : null;
  const pageNo = Math.max(1, Number.parseInt(String(sp.page ?? "1"), 10) || 1);
  const list = await orNotFound(listPatientPosts(viewer, id, { kind, page: pageNo }));
  const tab = (k: TKind | null, label: string) => (
    <Link
      key={k ?? "all"}
      href={`/patients/${id}/notes${k ? `?kind=${k}` : ""}`}
      aria-current={kind === k ? "page" : undefined}
      className={`inline-flex min-h-11 items-center rounded-full px-4 text-sm ${kind === k ? "bg-teal-700 text-white" : "border border-slate-300 bg-white text-slate-800"}`}
    >
      {label}
    </Link>
  );
  return (
    <section className="space-y-4 rounded-lg bg-white p-3 shadow sm:p-5" data-testid="notes-page">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 className="text-lg font-semibold">{t("notes.title")}</h2>
        <div className="flex flex-wrap gap-2">
          <Link href={`/patients/${id}/notes/new`} className="inline-flex min-h-11 items-center rounded bg-teal-700 px-4 font-medium text-white hover:bg-teal-800">
            {t("notes.new.note")}
          </Link>
          <Link href={`/patients/${id}/notes/new?type=document`} className="inline-flex min-h-11 items-center rounded border border-slate-300 bg-white px-4">
            {t("notes.new.document")}
          </Link>
          <Link href={`/patients/${id}/notes/new?type=file`} className="inline-flex min-h-11 items-center rounded border border-slate-300 bg-white px-4">
            {t("notes.new.file")}
          </Link>
        </div>
      </div>
      <nav className="flex flex-wrap gap-2" aria-label={t("notes.filter")}>
        {tab(null, t("notes.kind.all"))}
        {tab("notes", t("notes.kind.notes"))}
        {tab("documents", t("notes.kind.documents"))}
        {tab("files", t("notes.kind.files"))}
      </nav>
      {list.ownLink && !list.ownLink.sharedWithOthers && <p className="rounded border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900">{t("notes.form.notShared")}</p>}
      {list.items.length === 0 ? (
        <p className="text-sm text-slate-600">{t("notes.empty")}</p>
      ) : (
        <ol className="space-y-3">
          {list.items.map((item) => (
            <li key={item.id}>
              <PostCard item={item} patientId={id} />
            </li>
          ))}
        </ol>
      )}
      <Pager page={list.page} total={list.total} pageSize={list.pageSize} t={t} hrefFor={(p) => `/patients/${id}/notes?${kind ? `kind=${kind}&` : ""}page=${p}`} />
    </section>
  );
}
