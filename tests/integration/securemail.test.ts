import crypto from "node:crypto";
import fs from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import type { StaffRole } from "@/generated/prisma/enums";
import { db } from "@/lib/db/client";
import type { TViewer } from "@/lib/auth/viewer-type";
import { AppError, messageParts } from "@/lib/errors";
import type { TUploadFile } from "@/lib/files/uploads";
import {
  bulkMail,
  createFolder,
  deleteFolder,
  emptyTrash,
  saveDraft,
  saveMailingList,
  sendMessage,
  sendSystemMessage,
  setMailAlert,
} from "@/lib/securemail/mutations";
import { countUnreadMail, getAttachment, getDraft, getMessage, listFolders, listMailbox } from "@/lib/securemail/queries";
import { ZBulkMail, ZMailboxQuery, ZMailingList, ZSaveDraft, ZSendMessage, type TAddressee } from "@/lib/securemail/schema";
import { createFacility, createStaff, viewerFor } from "@/tests/fixtures/factories";

/*
 * Secure mail (C9, seed 004 セキュアメール): between users, to a facility's desk, to lists; only the
 * sender and the recipients ever open a message or its attachments.
 */

const PDF = new TextEncoder().encode(
  "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
);
/** A Windows program: the MZ header and the DOS stub's message. */
const EXE = new Uint8Array(Buffer.concat([Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00]), Buffer.alloc(56), Buffer.from("This program cannot be run in DOS mode.\r\r\n$"), Buffer.alloc(400)]));

let A: string; // 飯田中央病院
let B: string; // 高森クリニック
let C: string; // 松川薬局
let alice: TViewer; // A, liaison
let bob: TViewer; // B, clinician
let carol: TViewer; // C, pharmacist
let eve: TViewer; // C, a user who receives nothing
let liaisonB1: TViewer;
let liaisonB2: TViewer;
let retiredLiaisonB: string;
let liaisonC: TViewer;

const staff = async (facilityId: string, roles: StaffRole[], nameKanji: string, nameKana: string, extra: { email?: string } = {}) =>
  viewerFor((await createStaff({ facilityId, roles, nameKanji, nameKana, ...extra })).user);

beforeAll(async () => {
  [A, B, C] = await Promise.all([
    createFacility({ nameKanji: "飯田中央病院", nameKana: "イイダチュウオウビョウイン" }).then((f) => f.id),
    createFacility({ nameKanji: "高森クリニック", nameKana: "タカモリクリニック", type: "CLINIC" }).then((f) => f.id),
    createFacility({ nameKanji: "松川薬局", nameKana: "マツカワヤッキョク", type: "PHARMACY" }).then((f) => f.id),
  ]);
  [alice, bob, carol, eve, liaisonB1, liaisonB2, liaisonC] = await Promise.all([
    staff(A, ["LIAISON"], "連携 愛子", "レンケイ アイコ"),
    staff(B, ["CLINICIAN"], "医師 次郎", "イシ ジロウ", { email: "jiro@example.invalid" }),
    staff(C, ["CLINICIAN"], "薬師 花子", "ヤクシ ハナコ"),
    staff(C, ["CLINICIAN"], "第三 者", "ダイサン シャ"),
    staff(B, ["LIAISON"], "窓口 一郎", "マドグチ イチロウ"),
    staff(B, ["LIAISON", "CLINICIAN"], "窓口 二郎", "マドグチ ジロウ"),
    staff(C, ["LIAISON"], "窓口 三郎", "マドグチ サブロウ"),
  ]);
  retiredLiaisonB = (await createStaff({ facilityId: B, roles: ["LIAISON"], isRetired: true })).user.id;
});

/* ---- helpers ---- */

const toUser = (v: TViewer): TAddressee => ({ kind: "user", userId: v.userId });

function send(from: TViewer, to: TAddressee[], subject: string, body = "本文", o: { files?: TUploadFile[]; now?: Date; inReplyToId?: string; draftId?: string } = {}) {
  const input = ZSendMessage.parse({ to: JSON.stringify(to), subject, body, inReplyToId: o.inReplyToId ?? "", draftId: o.draftId ?? "" });
  return sendMessage(from, input, o.files ?? [], o.now);
}

const mailbox = (v: TViewer, q: Record<string, string> = {}) => listMailbox(v, ZMailboxQuery.parse(q));
const subjects = async (v: TViewer, q: Record<string, string> = {}) => (await mailbox(v, q)).items.map((i) => i.subject);
const bulk = (v: TViewer, ids: string[], action: string, folderId?: string) => bulkMail(v, ZBulkMail.parse({ ids, action, folderId }));
/** The viewer's copy (entry id) of a message in a folder. */
const entryOf = async (v: TViewer, messageId: string, folder = "inbox") => (await mailbox(v, { folder, size: "100" })).items.find((i) => i.messageId === messageId)!.entryId;

async function appError(run: Promise<unknown>): Promise<AppError> {
  try {
    await run;
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error("expected an AppError");
}
const codeOf = async (run: Promise<unknown>) => (await appError(run)).code;

/** A unique word, so each test finds its own messages. */
const tag = () => `T${crypto.randomBytes(3).toString("hex")}`;

const storedFileCount = () =>
  fs.readdirSync(process.env.FILE_STORE_DIR!, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;

/* ---- addressing ---- */

describe("addressing", () => {
  it("sends to a user: the recipient's inbox, the sender's 送信済み", async () => {
    const s = tag();
    const { id } = await send(alice, [toUser(bob)], `紹介状の件 ${s}`, "よろしくお願いします。");
    const inbox = await mailbox(bob, { q: s });
    expect(inbox.items).toHaveLength(1);
    expect(inbox.items[0]).toMatchObject({ messageId: id, isRead: false, isOwn: false, from: { userId: alice.userId, name: "連携 愛子", facilityName: "飯田中央病院", isSystem: false } });
    expect(await subjects(alice, { folder: "sent", q: s })).toEqual([`紹介状の件 ${s}`]);
    expect(await subjects(alice, { q: s })).toEqual([]); // the sender is not a recipient
    const copy = await db().messageRecipient.findFirstOrThrow({ where: { messageId: id }, select: { userId: true, addressedAs: true } });
    expect(copy).toEqual({ userId: bob.userId, addressedAs: "医師 次郎（高森クリニック）" });
  });

  it("sends to a facility's role: that facility's active users with the role only", async () => {
    const s = tag();
    const { id } = await send(alice, [{ kind: "role", facilityId: B, role: "LIAISON" }], `退院調整 ${s}`);
    const copies = await db().messageRecipient.findMany({ where: { messageId: id }, select: { userId: true, addressedAs: true } });
    expect(copies.map((c) => c.userId).sort()).toEqual([liaisonB1.userId, liaisonB2.userId].sort());
    expect(new Set(copies.map((c) => c.addressedAs))).toEqual(new Set(["高森クリニック 連携担当"]));
    expect(copies.map((c) => c.userId)).not.toContain(retiredLiaisonB);
    for (const v of [bob, liaisonC, carol]) expect(await subjects(v, { q: s })).toEqual([]);
    expect((await getMessage(liaisonB1, id)).message.to).toEqual(["高森クリニック 連携担当"]);
  });

  it("sends to a mailing list its members; a list one neither owns nor belongs to cannot be used", async () => {
    const s = tag();
    const list = await saveMailingList(alice, ZMailingList.parse({ name: `地域ケア会議 ${s}`, description: "", memberIds: [bob.userId, carol.userId] }));
    const { id } = await send(alice, [{ kind: "list", listId: list.id }], `会議のご案内 ${s}`);
    const copies = await db().messageRecipient.findMany({ where: { messageId: id }, select: { userId: true, addressedAs: true } });
    expect(copies.map((c) => c.userId).sort()).toEqual([bob.userId, carol.userId].sort());
    expect(copies.every((c) => c.addressedAs === `地域ケア会議 ${s}`)).toBe(true);
    const error = await appError(send(eve, [{ kind: "list", listId: list.id }], "使えない"));
    expect(messageParts(error.fieldErrors.to![0]!).key).toBe("v.mail.to.unknown");
  });
});

/* ---- who can open what ---- */

describe("privacy", () => {
  it("a third user gets not found for the message, its attachment and the draft, by guessing ids", async () => {
    const s = tag();
    const { id } = await send(alice, [toUser(bob)], `検査結果 ${s}`, "添付をご確認ください。", { files: [{ bytes: PDF, fileName: "結果.pdf" }] });
    const [att] = (await getMessage(bob, id)).message.attachments;
    expect(att).toMatchObject({ fileName: "結果.pdf", contentType: "application/pdf" });
    expect(new Uint8Array((await getAttachment(bob, id, att!.id)).bytes)).toEqual(PDF);
    expect(new Uint8Array((await getAttachment(alice, id, att!.id)).bytes)).toEqual(PDF);

    expect(await codeOf(getMessage(eve, id))).toBe("NOT_FOUND");
    expect(await codeOf(getAttachment(eve, id, att!.id))).toBe("NOT_FOUND");
    expect(await codeOf(getMessage(eve, crypto.randomUUID()))).toBe("NOT_FOUND");
    expect(await codeOf(getMessage(eve, "not-a-uuid"))).toBe("NOT_FOUND");
    // the attachment under another message the viewer does have is still not found
    const { id: other } = await send(alice, [toUser(eve)], `別件 ${s}`);
    expect(await codeOf(getAttachment(eve, other, att!.id))).toBe("NOT_FOUND");

    const draft = await saveDraft(alice, ZSaveDraft.parse({ to: JSON.stringify([toUser(bob)]), subject: `下書き ${s}`, body: "" }), [{ bytes: PDF, fileName: "下書き.pdf" }]);
    const [draftAtt] = (await getDraft(alice, draft.id)).attachments;
    for (const v of [eve, bob]) {
      expect(await codeOf(getDraft(v, draft.id))).toBe("NOT_FOUND");
      expect(await codeOf(getMessage(v, draft.id))).toBe("NOT_FOUND");
      expect(await codeOf(getAttachment(v, draft.id, draftAtt!.id))).toBe("NOT_FOUND");
    }
    // and cannot be replied to or sent as a draft by another
    expect(await codeOf(send(eve, [toUser(alice)], "Re", "", { inReplyToId: id }))).toBe("NOT_FOUND");
    expect(await codeOf(send(eve, [toUser(alice)], "乗っ取り", "", { draftId: draft.id }))).toBe("NOT_FOUND");
  });

  it("receipts: the sender sees 既読 once the recipient opened it, and it stays after 未読に戻す", async () => {
    const s = tag();
    const { id } = await send(alice, [toUser(bob), toUser(carol)], `既読確認 ${s}`);
    const before = (await getMessage(alice, id)).message;
    expect(before.receipts!.map((r) => [r.userId, r.readAt])).toEqual(expect.arrayContaining([[bob.userId, null], [carol.userId, null]]));
    expect(await countUnreadMail(bob)).toBeGreaterThan(0);

    const openedAt = new Date(Date.now() + 1000);
    const opened = await getMessage(bob, id, openedAt);
    expect(opened.message.receipts).toBeNull(); // receipts are the sender's only
    expect((await mailbox(bob, { q: s })).items[0]!.isRead).toBe(true);
    const after = (await getMessage(alice, id)).message.receipts!;
    expect(after.find((r) => r.userId === bob.userId)!.readAt).toEqual(openedAt);
    expect(after.find((r) => r.userId === carol.userId)!.readAt).toBeNull();

    await bulk(bob, [opened.message.entryId], "unread");
    expect((await mailbox(bob, { q: s })).items[0]!.isRead).toBe(false);
    expect((await getMessage(alice, id)).message.receipts!.find((r) => r.userId === bob.userId)!.readAt).toEqual(openedAt);
  });

  it("a reply keeps the thread; each side sees the conversation, a bystander of the first only the first", async () => {
    const s = tag();
    const { id: first } = await send(alice, [toUser(bob), toUser(carol)], `服薬について ${s}`);
    const { id: reply } = await send(bob, [toUser(alice)], `Re: 服薬について ${s}`, "承知しました。", { inReplyToId: first });
    const { id: again } = await send(alice, [toUser(bob)], `Re: Re: 服薬について ${s}`, "ありがとうございます。", { inReplyToId: reply });
    for (const v of [alice, bob]) {
      const t = await getMessage(v, reply);
      expect(t.message.threadId).toBe(first);
      expect(t.thread.map((m) => m.id)).toEqual([first, reply, again]);
      expect(t.message.canReply).toBe(true);
    }
    expect((await getMessage(carol, first)).thread.map((m) => m.id)).toEqual([first]);
    expect(await codeOf(getMessage(carol, reply))).toBe("NOT_FOUND");
  });
});

/* ---- drafts ---- */

describe("drafts", () => {
  it("are saved, resumed, updated and sent with their attachments", async () => {
    const s = tag();
    const to = [toUser(bob), { kind: "role", facilityId: C, role: "LIAISON" } as TAddressee];
    const d = await saveDraft(alice, ZSaveDraft.parse({ to: JSON.stringify(to), subject: `下書き ${s}`, body: "途中まで" }), [{ bytes: PDF, fileName: "紹介状.pdf" }]);
    const resumed = await getDraft(alice, d.id);
    expect(resumed).toMatchObject({ id: d.id, to, toLabels: ["医師 次郎（高森クリニック）", "松川薬局 連携担当"], subject: `下書き ${s}`, body: "途中まで", inReplyToId: null });
    expect(resumed.attachments.map((a) => a.fileName)).toEqual(["紹介状.pdf"]);
    expect(await subjects(alice, { folder: "drafts", q: s })).toEqual([`下書き ${s}`]);
    expect(await subjects(bob, { q: s })).toEqual([]); // nothing is delivered by saving

    const again = await saveDraft(alice, ZSaveDraft.parse({ draftId: d.id, to: JSON.stringify(to), subject: `下書き ${s}`, body: "書き終えた" }));
    expect(again.id).toBe(d.id);
    expect((await getDraft(alice, d.id)).body).toBe("書き終えた");

    const sent = await send(alice, to, `下書き ${s}`, "書き終えた", { draftId: d.id });
    expect(sent.id).toBe(d.id);
    expect(await subjects(alice, { folder: "drafts", q: s })).toEqual([]);
    expect(await subjects(alice, { folder: "sent", q: s })).toEqual([`下書き ${s}`]);
    expect(await codeOf(getDraft(alice, d.id))).toBe("NOT_FOUND");
    for (const v of [bob, liaisonC]) {
      const m = (await getMessage(v, d.id)).message;
      expect(m.body).toBe("書き終えた");
      expect(new Uint8Array((await getAttachment(v, d.id, m.attachments[0]!.id)).bytes)).toEqual(PDF);
    }
  });
});

/* ---- the mailbox: search, paging, trash, folders ---- */

describe("mailbox", () => {
  it("searches by subject or body, sender, affiliation and date", async () => {
    const s = tag();
    const day = (iso: string) => new Date(`${iso}T03:00:00Z`); // noon in Japan
    await send(alice, [toUser(eve)], `褥瘡の経過 ${s}`, "写真を送ります", { now: day("2026-10-01") });
    await send(bob, [toUser(eve)], `検査予約 ${s}`, "来週の予約について", { now: day("2026-10-15") });
    await send(carol, [toUser(eve)], `残薬調整 ${s}`, "褥瘡の軟膏が残っています", { now: day("2026-11-01") });
    const find = (q: Record<string, string>) => subjects(eve, { q: s, ...q }).then((x) => x.sort());
    expect(await find({})).toHaveLength(3);
    expect(await subjects(eve, { q: `褥瘡の経過 ${s}` })).toEqual([`褥瘡の経過 ${s}`]); // subject
    expect(await subjects(eve, { q: "軟膏が残って" })).toEqual([`残薬調整 ${s}`]); // words of the body
    expect(await find({ from: "医師" })).toEqual([`検査予約 ${s}`]);
    expect(await find({ from: "ヤクシ" })).toEqual([`残薬調整 ${s}`]); // the sender's kana
    expect(await find({ affiliation: "飯田" })).toEqual([`褥瘡の経過 ${s}`]);
    expect(await find({ since: "2026-10-10" })).toEqual([`検査予約 ${s}`, `残薬調整 ${s}`].sort());
    expect(await find({ until: "2026-10-15" })).toEqual([`検査予約 ${s}`, `褥瘡の経過 ${s}`].sort());
    expect(await find({ since: "2026-10-02", until: "2026-10-31" })).toEqual([`検査予約 ${s}`]);
    // the sent folder searches by addressee
    expect(await subjects(alice, { folder: "sent", q: s, from: "第三" })).toEqual([`褥瘡の経過 ${s}`]);
  });

  it("pages 10 at a time, newest first", async () => {
    const reader = await staff(C, ["CLINICIAN"], "閲読 者", "エツドク シャ");
    const base = Date.UTC(2026, 9, 1, 3);
    for (let i = 1; i <= 11; i++) await send(alice, [toUser(reader)], `お知らせ ${String(i).padStart(2, "0")}`, "", { now: new Date(base + i * 60_000) });
    const p1 = await mailbox(reader, { size: "10" });
    expect(p1.total).toBe(11);
    expect(p1.items).toHaveLength(10);
    expect(p1.items[0]!.subject).toBe("お知らせ 11");
    const p2 = await mailbox(reader, { size: "10", page: "2" });
    expect(p2.items.map((i) => i.subject)).toEqual(["お知らせ 01"]);
    expect(p1.counts.inboxUnread).toBe(11);
    expect(await mailbox(reader, { size: "7" }).then((m) => m.size)).toBe(10); // only the offered sizes
  });

  it("trash, restore, delete for good and empty the trash; the sender keeps their copy", async () => {
    const s = tag();
    const ids = [];
    for (const n of [1, 2, 3]) ids.push((await send(alice, [toUser(carol)], `整理 ${n} ${s}`)).id);
    const entries = await Promise.all(ids.map((id) => entryOf(carol, id)));
    expect(await bulk(carol, [entries[0]!, entries[1]!], "trash")).toEqual({ count: 2 });
    expect(await subjects(carol, { q: s })).toEqual([`整理 3 ${s}`]);
    expect((await subjects(carol, { folder: "trash", q: s })).sort()).toEqual([`整理 1 ${s}`, `整理 2 ${s}`]);

    await bulk(carol, [entries[0]!], "restore");
    expect((await subjects(carol, { q: s })).sort()).toEqual([`整理 1 ${s}`, `整理 3 ${s}`]);

    // delete works from the trash only
    expect(await bulk(carol, [entries[2]!], "delete")).toEqual({ count: 0 });
    expect(await bulk(carol, [entries[1]!], "delete")).toEqual({ count: 1 });
    expect(await subjects(carol, { folder: "trash", q: s })).toEqual([]);
    expect(await codeOf(getMessage(carol, ids[1]!))).toBe("NOT_FOUND");

    await bulk(carol, [entries[0]!, entries[2]!], "trash");
    const emptied = await emptyTrash(carol);
    expect(emptied.count).toBeGreaterThanOrEqual(2);
    expect(await subjects(carol, { folder: "trash", q: s })).toEqual([]);
    expect(await subjects(carol, { q: s })).toEqual([]);
    expect((await subjects(alice, { folder: "sent", q: s })).sort()).toEqual([1, 2, 3].map((n) => `整理 ${n} ${s}`));
    expect((await getMessage(alice, ids[0]!)).message.subject).toBe(`整理 1 ${s}`);
    // another user's entry ids change nothing
    const { id: mine } = await send(alice, [toUser(bob)], `他人の ${s}`);
    expect(await bulk(carol, [await entryOf(bob, mine)], "trash")).toEqual({ count: 0 });
    expect(await subjects(bob, { q: s })).toEqual([`他人の ${s}`]);
  });

  it("folders: move into one, list it, delete it (its messages return to the inbox)", async () => {
    const s = tag();
    const { id } = await send(alice, [toUser(liaisonB1)], `保管 ${s}`);
    const folder = await createFolder(liaisonB1, `退院調整 ${s}`);
    expect(await codeOf(createFolder(liaisonB1, `退院調整 ${s}`))).toBe("VALIDATION");
    await bulk(liaisonB1, [await entryOf(liaisonB1, id)], "move", folder.id);
    expect(await subjects(liaisonB1, { q: s })).toEqual([]);
    expect(await subjects(liaisonB1, { folder: folder.id, q: s })).toEqual([`保管 ${s}`]);
    expect((await listFolders(liaisonB1)).find((f) => f.id === folder.id)).toMatchObject({ total: 1, unread: 1 });
    // nobody else's folder
    expect(await codeOf(mailbox(liaisonB2, { folder: folder.id }))).toBe("NOT_FOUND");
    expect(await codeOf(bulk(liaisonB2, [crypto.randomUUID()], "move", folder.id))).toBe("NOT_FOUND");
    await deleteFolder(liaisonB1, folder.id);
    expect(await subjects(liaisonB1, { q: s })).toEqual([`保管 ${s}`]);
  });
});

/* ---- attachments ---- */

describe("attachments", () => {
  it("a program renamed .pdf is refused like a note's attachment, and nothing is stored", async () => {
    const files = storedFileCount();
    const [rows, messages] = await Promise.all([db().storedFile.count(), db().secureMessage.count()]);
    const error = await appError(send(alice, [toUser(bob)], "請求書", "", { files: [{ bytes: PDF, fileName: "ok.pdf" }, { bytes: EXE, fileName: "請求書.pdf" }] }));
    expect(error.code).toBe("VALIDATION");
    expect(messageParts(error.fieldErrors.files![0]!)).toMatchObject({ key: "v.upload.executable", vars: { name: "請求書.pdf" } });
    expect(storedFileCount()).toBe(files);
    expect(await db().storedFile.count()).toBe(rows);
    expect(await db().secureMessage.count()).toBe(messages);
    // and as a draft
    await expect(saveDraft(alice, ZSaveDraft.parse({ to: "[]", subject: "x", body: "" }), [{ bytes: EXE, fileName: "a.pdf" }])).rejects.toThrow(AppError);
    expect(storedFileCount()).toBe(files);
  });
});

/* ---- system messages and the Internet alert ---- */

describe("system messages", () => {
  it("have no sender, cannot be replied to, and the e-mail alert carries none of their text", async () => {
    await setMailAlert(bob, true);
    expect(await codeOf(setMailAlert(carol, true))).toBe("VALIDATION"); // no address registered
    const subject = "【自動送信】公開設定完了のお知らせ";
    const body = "ポータルサイトにて以下の患者が公開されました。\n地域患者ID：1234567890\n氏名：秘密 太郎";
    const id = await db().$transaction((tx) => sendSystemMessage(tx, { kind: "PUBLICATION_NOTICE", userIds: [bob.userId, carol.userId], subject, body }));
    expect(id).not.toBeNull();
    expect(await db().$transaction((tx) => sendSystemMessage(tx, { kind: "PUBLICATION_NOTICE", userIds: [], subject, body }))).toBeNull();

    const t = await getMessage(bob, id!);
    expect(t.message).toMatchObject({ systemKind: "PUBLICATION_NOTICE", canReply: false, from: { userId: null, name: "システム", isSystem: true } });
    expect(t.message.to).toContain("医師 次郎");
    const error = await appError(send(bob, [toUser(alice)], "Re: お知らせ", "", { inReplyToId: id! }));
    expect(messageParts(error.fieldErrors._form![0]!).key).toBe("v.mail.reply.system");

    // the alert: only bob (opted in, with an address); no subject, body, patient or sender in it
    const alerts = await db().mailOutbox.findMany({ where: { toUserId: { in: [bob.userId, carol.userId] } }, select: { toUserId: true, toAddress: true, subject: true, bodyText: true } });
    expect(alerts.length).toBeGreaterThan(0);
    expect(new Set(alerts.map((a) => a.toUserId))).toEqual(new Set([bob.userId]));
    for (const a of alerts) {
      expect(a.toAddress).toBe("jiro@example.invalid");
      for (const secret of ["公開設定完了", "地域患者ID", "1234567890", "秘密", "患者"]) {
        expect(a.subject).not.toContain(secret);
        expect(a.bodyText).not.toContain(secret);
      }
    }
    // a user's message to bob: an alert without its subject, text or sender
    const before = alerts.length;
    await send(alice, [toUser(bob)], "機密の件名ABC", "機密の本文XYZ");
    const more = await db().mailOutbox.findMany({ where: { toUserId: bob.userId }, select: { subject: true, bodyText: true } });
    expect(more).toHaveLength(before + 1);
    for (const a of more) for (const secret of ["機密", "ABC", "XYZ", "連携 愛子", "飯田中央病院"]) expect(`${a.subject}\n${a.bodyText}`).not.toContain(secret);
  });
});
