import { describe, expect, it } from "vitest";
import { translator, type TLocale } from "@/lib/i18n";
import { dictionaries } from "@/lib/i18n/dictionaries";
import type { TKeyFileState } from "@/lib/pki/queries";
import { keyFileRefusal } from "@/lib/pki/wording";

const states: TKeyFileState[] = [
  { state: "downloaded", at: new Date("2026-12-07T03:04:00Z"), byName: "事務 局子" },
  { state: "downloaded", at: new Date("2026-12-07T03:04:00Z"), byName: null },
  { state: "expired", deadline: new Date("2026-12-08T03:04:00Z") },
  { state: "revoked" },
  { state: "csr" },
  { state: "pending", deadline: new Date("2026-12-08T03:04:00Z") },
];

describe("keyFileRefusal", () => {
  it.each(["ja", "en"] as TLocale[])("says why in %s, with every value filled in", (locale) => {
    const t = translator(dictionaries[locale]);
    for (const keyFile of states) {
      const text = keyFileRefusal(t, locale, { facilityCode: "2000101", terminalName: "受付PC", keyFile });
      expect(text).toContain("2000101 受付PC");
      expect(text).not.toMatch(/[{}]|cert\./);
    }
  });

  it("names when (Japan time) and who downloaded it, and what to do", () => {
    const ja = keyFileRefusal(translator(dictionaries.ja), "ja", { facilityCode: "2000101", terminalName: "受付PC", keyFile: states[0]! });
    expect(ja).toContain("2026/12/07 12:04 に 事務 局子 さんがダウンロード済み");
    expect(ja).toContain("失効させて新しく発行してください");
    const en = keyFileRefusal(translator(dictionaries.en), "en", { facilityCode: "2000101", terminalName: "受付PC", keyFile: states[0]! });
    expect(en).toContain("already downloaded at 07/12/2026, 12:04 by 事務 局子");
    expect(en).toContain("revoke this certificate and issue a new one");
  });
});
