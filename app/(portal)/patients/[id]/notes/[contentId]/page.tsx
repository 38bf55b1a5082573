import Link from "next/link";
import { ContentDetail } from "@/components/calendar/content-detail";
import { CommentThread, NoteAuthorTools } from "@/components/notes/note-thread";
import { japanDateTimeLocal } from "@/lib/dates";
import { getLocale, getT } from "@/lib/i18n/server";
import { formatDateTime } from "@/lib/i18n";
import { postPayloadOf } from "@/lib/notes/model";
import { countUnreadNotifications, getNoteThread } from "@/lib/notes/queries";
import { UnreadSync } from "@/components/layout/unread-sync";
import { orNotFound } from "@/lib/server/or-not-found";
import { loadPatient } from "../../load-patient";


/** One note with its comments (and the author's edit and delete while the window is open); opening it marks the thread read. */
export default async function NoteThreadPage({ params }: { params: Promise<{ id: string; contentId: string }> }) {
  const { id, contentId } = await params;
  const [{ viewer }, t, locale] = await Promise.all([loadPatient(id), getT(), getLocale()]);
  const thread = await orNotFound(getNoteThread(viewer, id, contentId));
  // opening the thread marked its notices read: the header's bell learns the new count
  const unreadNotices = await countUnreadNotifications(viewer);
  const post = postPayloadOf(thread.content.payload);
  const isNote = thread.content.category === "NOTE" || thread.content.category === "NOTE_CONTACT";
  return (
    <section className="space-y-4 rounded-lg bg-white p-3 shadow sm:p-5" data-testid="note-thread">
      <UnreadSync kind="notices" count={unreadNotices} />
      <p className="flex flex-wrap gap-x-4 text-sm">
        <Link href={`/patients/${id}/notes`} className="inline-flex min-h-11 items-center text-teal-800 underline">
          {t("notes.backToList")}
        </Link>
        <Link href={`/patients/${id}?zoom=day&start=${thread.content.occurredDate}`} className="inline-flex min-h-11 items-center text-teal-800 underline">
          {t("calendar.showInCalendar")}
        </Link>
      </p>
      <ContentDetail content={thread.content} />
      <p className="text-xs text-slate-600">
        {t("notes.postedAt", { at: formatDateTime(thread.postedAt, locale) })}
        {thread.readBy > 0 && ` · ${t("notes.comments.readBy", { n: thread.readBy })}`}
      </p>
      {thread.canEdit && thread.editableUntil && post?.post === "note" && (
        <NoteAuthorTools contentId={contentId} patientId={id} note={post} title={thread.content.title} occurredLocal={japanDateTimeLocal(new Date(thread.content.occurredAt))} editableUntil={thread.editableUntil} />
      )}
      {isNote && <CommentThread contentId={contentId} comments={thread.comments} />}
    </section>
  );
}
