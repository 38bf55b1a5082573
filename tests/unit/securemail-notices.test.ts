import { describe, expect, it } from "vitest";
import {
  EMS_SUBJECT,
  emsNoticeBody,
  formatNoticeDate,
  formatNoticeDateTime,
  passwordExpiryBody,
  PUBLICATION_SUBJECT,
  publicationNoticeBody,
  type TPublicationNotice,
} from "@/lib/securemail/notices";

/** Japan's wall clock as an instant. */
const jst = (y: number, m: number, d: number, h = 0, min = 0) => new Date(Date.UTC(y, m - 1, d, h - 9, min));

/* Seed 004 ④: the example notices sent to 香川テスト病院's 専用アカウント. */
const seedFirst: TPublicationNotice = {
  kind: "PUBLICATION_NOTICE",
  regionalId: "3700026119",
  facilityPatientId: "00111",
  nameKanji: "テスト一太郎",
  nameKana: "テストイチタロウ",
  birthDate: new Date(Date.UTC(1957, 11, 1)),
  facilityName: "香川テスト病院",
  sharing: [
    { facilityName: "サンプル薬局", publishedAt: jst(2021, 7, 15, 14, 30), linkedAt: jst(2021, 7, 15, 16, 0) },
    { facilityName: "テスト調剤", publishedAt: jst(2021, 7, 15, 14, 45), linkedAt: jst(2021, 7, 15, 16, 0) },
    { facilityName: "●●病院", publishedAt: jst(2021, 7, 15, 15, 0), linkedAt: jst(2021, 7, 15, 16, 0) },
  ],
};

const seedAdded: TPublicationNotice = {
  ...seedFirst,
  kind: "PUBLICATION_ADDED",
  sharing: [...seedFirst.sharing, { facilityName: "△△病院", publishedAt: jst(2021, 8, 20, 10, 0), linkedAt: jst(2021, 8, 20, 11, 0) }],
};

describe("publication notices (seed 004 ④)", () => {
  it("writes the first notice with the seed's fields, in its order", () => {
    expect(publicationNoticeBody(seedFirst)).toBe(
      [
        "ポータルサイトにて以下の患者が公開されました。",
        "",
        "地域患者ID：3700026119",
        "施設患者ID：00111",
        "氏名：テスト一太郎",
        "カナ氏名：テストイチタロウ",
        "生年月日：1957/12/1",
        "自施設：香川テスト病院",
        "患者同意施設：サンプル薬局・テスト調剤・●●病院",
        "",
        "公開日時：",
        "サンプル薬局　2021/7/15 14:30",
        "テスト調剤　2021/7/15 14:45",
        "●●病院　2021/7/15 15:00",
        "",
        "名寄せ日時：",
        "サンプル薬局　2021/7/15 16:00",
        "テスト調剤　2021/7/15 16:00",
        "●●病院　2021/7/15 16:00",
        "",
        "※患者同意施設は、現在、患者様が同意している全施設を掲載しています。",
      ].join("\n"),
    );
  });

  it("writes the subsequent notice: another lead line, every facility now shared", () => {
    const body = publicationNoticeBody(seedAdded);
    expect(body.split("\n")[0]).toBe("ポータルサイトにて以下の患者の患者同意施設公開先が追加されました。");
    expect(body).toContain("患者同意施設：サンプル薬局・テスト調剤・●●病院・△△病院\n");
    expect(body).toContain("●●病院　2021/7/15 15:00\n△△病院　2021/8/20 10:00\n\n名寄せ日時：");
    expect(body).toContain("●●病院　2021/7/15 16:00\n△△病院　2021/8/20 11:00\n\n※患者同意施設は");
    // everything after the lead line is the first notice's layout
    expect(body.split("\n").slice(1, 8)).toEqual(publicationNoticeBody(seedFirst).split("\n").slice(1, 8));
  });

  it("says so when no other facility shares the patient yet", () => {
    const body = publicationNoticeBody({ ...seedFirst, sharing: [] });
    expect(body).toContain("患者同意施設：なし\n");
    expect(body).toContain("公開日時：\n\n名寄せ日時：\n\n※");
  });

  it("uses the Internet notice's title as the subject", () => {
    expect(PUBLICATION_SUBJECT).toBe("【自動送信】公開設定完了のお知らせ");
  });
});

describe("notice dates", () => {
  it("prints dates and Japan times without leading zeros, minutes padded", () => {
    expect(formatNoticeDate(new Date(Date.UTC(1957, 11, 1)))).toBe("1957/12/1");
    expect(formatNoticeDate(new Date(Date.UTC(2001, 0, 9)))).toBe("2001/1/9");
    expect(formatNoticeDateTime(jst(2021, 7, 15, 14, 30))).toBe("2021/7/15 14:30");
    expect(formatNoticeDateTime(jst(2021, 8, 20, 9, 5))).toBe("2021/8/20 9:05");
  });

  it("uses Japan's date across UTC midnight", () => {
    // 2021-07-15 23:30 UTC is 2021-07-16 08:30 in Japan
    expect(formatNoticeDateTime(new Date(Date.UTC(2021, 6, 15, 23, 30)))).toBe("2021/7/16 8:30");
  });
});

describe("password reminder", () => {
  it("gives the expiry in Japan time and names nothing clinical", () => {
    const body = passwordExpiryBody(jst(2026, 12, 5, 9, 30));
    expect(body).toContain("有効期限：2026/12/5 9:30");
    expect(body).not.toMatch(/患者|patients|\/mail|http/);
  });
});

describe("EMS notice (C8: the disclosing facility is told at once)", () => {
  it("names the facility's patient ID, who opened the data, when, why and on what consent", () => {
    const body = emsNoticeBody({ facilityPatientId: "00100001", viewerName: "救急 太郎", viewerFacilityName: "下伊那内科クリニック", at: jst(2026, 11, 22, 3, 5), reason: "救急搬送、意識障害", consent: "家族（長男）から口頭で取得" });
    expect(body.split("\n")).toEqual([
      "貴施設の患者の診療情報が、EMS（救急時閲覧）により参照されました。",
      "",
      "施設患者ID：00100001",
      "参照日時：2026/11/22 3:05",
      "参照者：下伊那内科クリニック 救急 太郎",
      "理由：救急搬送、意識障害",
      "同意の取得：家族（長男）から口頭で取得",
      "",
      "参照の記録はコンテンツ参照記録（アクセスログ）に「EMS」として残ります。",
      "※このメッセージはシステムからの自動送信です。",
    ]);
    expect(EMS_SUBJECT).toBe("【自動送信】救急時閲覧（EMS）のお知らせ");
  });
});
