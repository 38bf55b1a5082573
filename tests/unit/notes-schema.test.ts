import { describe, expect, it } from "vitest";
import { ZPostComment, ZPostDocument, ZPostFile, ZPostNote } from "@/lib/notes/schema";
import { documentTitleOf, formatMegabytes, isWithinEditWindow, nameWithExtension, noteCategoryOf, postPayloadOf } from "@/lib/notes/model";
import { messageParts } from "@/lib/errors";

const note = { noteType: "NOTE", noteKind: "RECORD", qualification: "NURSE", occurredAt: "2016-11-28T17:00", title: "", body: "点滴してきました", icon: "QUALIFICATION" };
/** The first message per field (what the form shows first). */
const errorsOf = (r: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  Object.fromEntries((r.error?.issues ?? []).map((i) => [i.path.join("."), i.message]).reverse());

describe("note form (seed 000: タイプ, ノート種別, 資格種別, 日時, タイトル, 登録内容, アイコン, 参加者へ通知)", () => {
  it("reads the date-time as Japan time, an empty title as none, the checkbox as a boolean", () => {
    const r = ZPostNote.parse({ ...note, notify: "on" });
    expect(r.occurredAt.toISOString()).toBe("2016-11-28T08:00:00.000Z");
    expect(r.title).toBeNull();
    expect(r.notify).toBe(true);
    expect(ZPostNote.parse(note).notify).toBe(false);
  });

  it.each([
    [{ body: "  " }, "body", "v.note.body.required"],
    [{ body: undefined }, "body", "v.note.body.required"],
    [{ noteType: "MEMO" }, "noteType", "v.note.noteType.required"],
    [{ noteKind: undefined }, "noteKind", "v.note.noteKind.required"],
    [{ qualification: "WIZARD" }, "qualification", "v.note.qualification.required"],
    [{ icon: "SMILE" }, "icon", "v.note.icon.required"],
    [{ occurredAt: "" }, "occurredAt", "v.note.occurredAt.required"],
    [{ occurredAt: "2016/11/28 17:00" }, "occurredAt", "v.note.occurredAt.format"],
    [{ occurredAt: "2016-13-40T17:00" }, "occurredAt", "v.note.occurredAt.format"],
    [{ title: "あ".repeat(101) }, "title", "v.tooLong"],
  ])("refuses %o with %s → %s", (change, field, key) => {
    expect(errorsOf(ZPostNote.safeParse({ ...note, ...change }))[field]).toBe(key);
  });

  it("a comment needs text, at most 2,000 characters", () => {
    expect(errorsOf(ZPostComment.safeParse({ body: "" })).body).toBe("v.comment.body.required");
    expect(errorsOf(ZPostComment.safeParse({ body: "あ".repeat(2001) })).body).toBe("v.tooLong");
    expect(ZPostComment.parse({ body: " ありがとうございます " }).body).toBe("ありがとうございます");
  });
});

describe("document and file forms (全半角40文字以内, 登録先期間)", () => {
  it("a document: type, date, optional title of at most 40 characters", () => {
    expect(ZPostDocument.parse({ documentType: "NURSING_SUMMARY", date: "2024-11-04", title: "" })).toMatchObject({ documentType: "NURSING_SUMMARY", date: "2024-11-04", title: null });
    expect(errorsOf(ZPostDocument.safeParse({ documentType: "NURSING_SUMMARY", date: "2024-11-04", title: "あ".repeat(41) })).title).toBe("v.note.title.tooLong");
    expect(errorsOf(ZPostDocument.safeParse({ documentType: "NURSING_SUMMARY", date: "" })).date).toBe("v.document.date.required");
    expect(errorsOf(ZPostDocument.safeParse({ documentType: "X", date: "2024-11-04" })).documentType).toBe("v.document.type.required");
    expect(ZPostDocument.safeParse({ documentType: "REFERRAL", date: "2024-02-30" }).success).toBe(false);
  });

  it("a file: description required (≤ 40), a period that ends on or after its start", () => {
    const ok = { from: "2018-10-26", to: "2019-10-25", description: "脳卒中パス (初版)", periodLabel: "クリニカルパス『脳卒中パス』" };
    expect(ZPostFile.parse(ok)).toMatchObject(ok);
    expect(ZPostFile.parse({ ...ok, to: ok.from }).to).toBe(ok.from);
    expect(errorsOf(ZPostFile.safeParse({ ...ok, to: "2018-10-25" })).to).toBe("v.file.period.order");
    expect(errorsOf(ZPostFile.safeParse({ ...ok, description: "" })).description).toBe("v.file.description.required");
    expect(errorsOf(ZPostFile.safeParse({ ...ok, description: "あ".repeat(41) })).description).toBeDefined();
    expect(errorsOf(ZPostFile.safeParse({ ...ok, to: "" })).to).toBe("v.file.to.required");
  });
});

describe("post model", () => {
  it("記録 and 連絡 go to the calendar's two note rows", () => {
    expect(noteCategoryOf("RECORD")).toBe("NOTE");
    expect(noteCategoryOf("CONTACT")).toBe("NOTE_CONTACT");
  });

  it("recognises portal posts only by their marker", () => {
    expect(postPayloadOf({ post: "note", body: "x" })).not.toBeNull();
    expect(postPayloadOf({ post: "file" })).not.toBeNull();
    expect(postPayloadOf({ text: "from SS-MIX2" })).toBeNull();
    expect(postPayloadOf(null)).toBeNull();
    expect(postPayloadOf({ post: "other" })).toBeNull();
  });

  it("the edit window counts from posting, inclusive", () => {
    const posted = new Date("2026-11-22T00:00:00Z");
    expect(isWithinEditWindow(posted, new Date("2026-11-23T00:00:00Z"), 1440)).toBe(true);
    expect(isWithinEditWindow(posted, new Date("2026-11-23T00:00:01Z"), 1440)).toBe(false);
    expect(isWithinEditWindow(posted, posted, 0)).toBe(true);
  });

  it("sizes read as the seed's form shows them, default document titles as users know them", () => {
    expect(formatMegabytes(38_797)).toBe("0.037MB");
    expect(formatMegabytes(31 * 1024 * 1024)).toBe("31.0MB");
    expect(documentTitleOf("NURSING_SUMMARY")).toBe("看護要約");
  });

  it("a stored file's name ends in what its bytes are", () => {
    expect(nameWithExtension("訪問時の写真.jpg", "jpg")).toBe("訪問時の写真.jpg");
    expect(nameWithExtension("photo.JPEG", "jpg")).toBe("photo.JPEG");
    expect(nameWithExtension("薬.pdf", "jpg")).toBe("薬.pdf.jpg");
    expect(nameWithExtension("看護サマリー.xlsx", "xlsx")).toBe("看護サマリー.xlsx");
    expect(nameWithExtension("report", "pdf")).toBe("report.pdf");
    expect(nameWithExtension("  ", "png")).toBe("file.png");
    expect(nameWithExtension("あ".repeat(300), "pdf")).toHaveLength(244);
  });

  it("field messages carry their variables through to the form", () => {
    expect(messageParts('v.upload.type|{"name":"薬.jpg","detail":"MZ"}')).toEqual({ key: "v.upload.type", vars: { name: "薬.jpg", detail: "MZ" } });
    expect(messageParts("v.note.body.required")).toEqual({ key: "v.note.body.required" });
    expect(messageParts("broken|{not json")).toEqual({ key: "broken|{not json" });
  });
});
