import { describe, expect, it } from "vitest";
import { ZBulkMail, ZMailboxQuery, ZSaveDraft, ZSendMessage } from "@/lib/securemail/schema";

const user = "0b7f3d4e-1c2a-4b5d-8e9f-0a1b2c3d4e5f";
const facility = "1b7f3d4e-1c2a-4b5d-8e9f-0a1b2c3d4e5f";

describe("compose", () => {
  it("reads the addressees from the form's JSON field: users, a facility's role, lists", () => {
    const to = [{ kind: "user", userId: user }, { kind: "role", facilityId: facility, role: "LIAISON" }];
    expect(ZSendMessage.parse({ to: JSON.stringify(to), subject: " 紹介状 ", body: "x" })).toMatchObject({ to, subject: "紹介状", draftId: null, inReplyToId: null });
  });

  it("stores line ends as LF whatever the terminal sent", () => {
    expect(ZSaveDraft.parse({ to: "[]", subject: "", body: "一行目\r\n二行目\r三行目" }).body).toBe("一行目\n二行目\n三行目");
  });

  it("a draft may lack everything; sending needs an addressee and a subject", () => {
    expect(ZSaveDraft.safeParse({}).success).toBe(true);
    const r = ZSendMessage.safeParse({ to: "[]", subject: "" });
    expect(r.success).toBe(false);
    const keys = r.error!.issues.map((i) => `${i.path.join(".")}:${i.message}`).sort();
    expect(keys).toEqual(["subject:v.mail.subject.required", "to:v.mail.to.required"]);
  });

  it("refuses broken or unknown addressees", () => {
    expect(ZSendMessage.safeParse({ to: "{not json", subject: "a" }).success).toBe(false);
    expect(ZSendMessage.safeParse({ to: JSON.stringify([{ kind: "role", facilityId: facility, role: "KING" }]), subject: "a" }).success).toBe(false);
    expect(ZSendMessage.safeParse({ to: JSON.stringify(Array.from({ length: 51 }, () => ({ kind: "user", userId: user }))), subject: "a" }).success).toBe(false);
  });
});

describe("mailbox URL", () => {
  it("defaults to the inbox, page 1, 10 per page (seed 004)", () => {
    expect(ZMailboxQuery.parse({})).toMatchObject({ folder: "inbox", page: 1, size: 10, unread: false });
  });

  it("takes the offered page sizes only; anything odd falls back", () => {
    expect(ZMailboxQuery.parse({ size: "50" }).size).toBe(50);
    expect(ZMailboxQuery.parse({ size: "7" }).size).toBe(10);
    expect(ZMailboxQuery.parse({ page: "-3" }).page).toBe(1);
    expect(ZMailboxQuery.parse({ folder: "../etc" }).folder).toBe("inbox");
    expect(ZMailboxQuery.parse({ folder: user }).folder).toBe(user);
    expect(ZMailboxQuery.parse({ since: "2026-02-30" }).since ?? null).toBeNull();
  });

  it("bulk actions need at least one id", () => {
    expect(ZBulkMail.safeParse({ ids: [], action: "read" }).success).toBe(false);
    expect(ZBulkMail.parse({ ids: [user], action: "move", folderId: "" }).folderId).toBeNull();
  });
});
