import { notFound } from "next/navigation";
import { z } from "zod";
import { ComposeForm, type TComposeInitial } from "@/components/mail/compose-form";
import { MailShell } from "@/components/mail/mail-shell";
import { requireViewer } from "@/lib/auth/viewer";
import { env } from "@/lib/env";
import { lenient } from "@/lib/fields";
import { getT } from "@/lib/i18n/server";
import { getDraft, getMessage, listTemplates } from "@/lib/securemail/queries";
import { orNotFound } from "@/lib/server/or-not-found";
import { loadMailShell } from "../load-shell";

const ZComposeQuery = z.object({ draft: lenient(z.uuid()), reply: lenient(z.uuid()) });

/** 返信 adds 「Re: 」 once, however long the conversation. */
const replySubject = (subject: string) => (/^re:/i.test(subject.trim()) ? subject.trim() : `Re: ${subject.trim()}`);

/** メール作成: new (/mail/compose), a saved draft (?draft=<id>) or a reply (?reply=<messageId>). */
export default async function ComposePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const viewer = await requireViewer();
  const sp = await searchParams;
  const q = ZComposeQuery.parse(sp);
  if ((sp.draft && !q.draft) || (sp.reply && !q.reply)) notFound();
  const [t, templates] = await Promise.all([getT(), listTemplates(viewer)]);

  let initial: TComposeInitial = { draftId: null, inReplyToId: null, to: [], subject: "", body: "", attachments: [], savedAt: null };
  let heading = "mail.compose";
  if (q.draft) {
    const d = await orNotFound(getDraft(viewer, q.draft));
    initial = {
      draftId: d.id,
      inReplyToId: d.inReplyToId,
      to: d.to.map((addressee, i) => ({ addressee, label: d.toLabels[i] ?? "" })),
      subject: d.subject,
      body: d.body,
      attachments: d.attachments,
      savedAt: d.updatedAt,
    };
    heading = "mail.form.editDraft";
  } else if (q.reply) {
    const { message } = await orNotFound(getMessage(viewer, q.reply));
    if (!message.canReply) notFound();
    const sender = message.from.userId && !message.isOwn ? [{ addressee: { kind: "user" as const, userId: message.from.userId }, label: message.from.facilityName ? `${message.from.name}（${message.from.facilityName}）` : message.from.name }] : [];
    initial = { ...initial, inReplyToId: message.id, to: sender, subject: replySubject(message.subject) };
    heading = "mail.reply";
  }
  const shell = await loadMailShell(viewer);
  // A new key after each save: the form starts again from what the server now holds.
  const formKey = `${initial.draftId ?? "new"}:${initial.savedAt?.getTime() ?? 0}:${initial.inReplyToId ?? ""}`;
  return (
    <MailShell t={t} place={q.draft ? "drafts" : "compose"} data={shell}>
      <section className="space-y-3 rounded-lg bg-white p-3 shadow sm:p-5" data-testid="compose">
        <h2 className="text-xl font-semibold">{t(heading)}</h2>
        <ComposeForm key={formKey} initial={initial} templates={templates} uploadMaxMb={env().UPLOAD_MAX_MB} />
      </section>
    </MailShell>
  );
}
