import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { StaffRole } from "@/generated/prisma/enums";
import type { TViewer } from "@/lib/auth/viewer-type";
import { MESSAGE_SYSTEM_KINDS } from "@/lib/enums";
import { en } from "@/lib/i18n/en";
import { enMail } from "@/lib/i18n/en-mail";
import { ja } from "@/lib/i18n/ja";
import { jaMail } from "@/lib/i18n/ja-mail";
import { menuFor } from "@/lib/menu";
import { ZBulkMail } from "@/lib/securemail/schema";

const viewer = (roles: StaffRole[]): TViewer => ({
  userId: "u",
  loginId: "l",
  name: "n",
  facilityId: "f",
  facilityName: "fn",
  roles,
  qualification: "DOCTOR",
  hasEmsPrivilege: false,
  sessionId: "s",
  certSerial: "c",
});

/** The mail screens' source files, for the dictionary keys they name literally. */
function mailSources(): string[] {
  const roots = ["components/mail", "app/(portal)/mail"];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.tsx?$/.test(e.name)) out.push(fs.readFileSync(p, "utf8"));
    }
  };
  for (const r of roots) walk(path.resolve(r));
  out.push(fs.readFileSync(path.resolve("components/layout/portal-header.tsx"), "utf8"));
  return out;
}

describe("secure-mail wording", () => {
  it("has every key in both languages, none empty", () => {
    expect(Object.keys(enMail).sort()).toEqual(Object.keys(jaMail).sort());
    for (const [k, v] of Object.entries(jaMail)) {
      expect(v.trim(), k).not.toBe("");
      expect(enMail[k as keyof typeof jaMail].trim(), k).not.toBe("");
    }
  });

  it("keeps the placeholders the screens fill in", () => {
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const [k, v] of Object.entries(jaMail)) expect(placeholders(enMail[k as keyof typeof jaMail]), k).toEqual(placeholders(v));
  });

  it("has every mail key the screens name, the bulk actions and the system kinds in the merged dictionaries", () => {
    const named = new Set<string>();
    for (const src of mailSources()) for (const m of src.matchAll(/["`](mail\.[A-Za-z0-9_.]+[A-Za-z0-9_])["`]/g)) named.add(m[1]!);
    const dynamic = [
      ...ZBulkMail.shape.action.options.flatMap((a) => [`mail.bulk.${a}`, `mail.bulk.done.${a}`]),
      ...["inbox", "sent", "drafts", "trash", "folder"].map((f) => `mail.empty.${f}`),
      ...["user", "role", "list"].map((k) => `mail.to.kind.${k}`),
      ...MESSAGE_SYSTEM_KINDS.map((k) => `enum.MessageSystemKind.${k}`),
    ];
    expect(named.size).toBeGreaterThan(50);
    for (const key of [...named, ...dynamic]) {
      expect(ja[key as keyof typeof ja], key).toBeTruthy();
      expect(en[key as keyof typeof en], key).toBeTruthy();
    }
  });
});

describe("menu", () => {
  it("offers secure mail to every signed-in user", () => {
    for (const roles of [["CLINICIAN"], ["LIAISON"], ["FACILITY_ADMIN"], ["SECRETARIAT"], ["SECRETARIAT", "FACILITY_ADMIN"]] as StaffRole[][]) {
      const m = menuFor(viewer(roles));
      expect(m.main.find((i) => i.href === "/mail")?.key, roles.join()).toBe("menu.mail");
    }
  });
});
