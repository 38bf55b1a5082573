import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createElement, type ComponentProps } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { ContentDetail } from "@/components/calendar/content-detail";
import { TrendChart, type TTrendChartProps } from "@/components/calendar/trend-chart";
import { I18nProvider } from "@/components/i18n-provider";
import type { TContentView } from "@/lib/clinical/dto";
import { parseFhirBundle } from "@/lib/clinical/ingest/fhir";
import { parseSsmix2Message } from "@/lib/clinical/ingest/ssmix2";
import { CONTENT_CATEGORIES, type TContentDraft } from "@/lib/clinical/ingest/types";
import { en } from "@/lib/i18n/en";
import { ja } from "@/lib/i18n/ja";
import { generateDemoDocuments } from "@/scripts/fhir/demo-documents.mts";
import { generateDemoSsmix2 } from "@/scripts/ssmix2/demo-region.mts";

const SSMIX2 = path.resolve(import.meta.dirname, "../fixtures/ssmix2/sampleData");
const FHIR = path.resolve(import.meta.dirname, "../fixtures/fhir");
const walk = (dir: string): string[] => fs.readdirSync(dir).flatMap((n) => (fs.statSync(path.join(dir, n)).isDirectory() ? walk(path.join(dir, n)) : [path.join(dir, n)]));

let seq = 0;
function view(d: TContentDraft): TContentView {
  const id = `c${++seq}`;
  const files = (d.files ?? []).map((f, i) => ({ id: `f${i + 1}`, fileName: f.fileName, contentType: f.contentType }));
  return { id, category: d.category, occurredAt: d.occurredAt, occurredDate: "2025-01-01", title: d.title, ownerFacilityId: "fac", ownerFacilityName: "帯広中央病院", files, payload: d.payload };
}

function render(content: TContentView, locale: "ja" | "en" = "ja", onTrend?: () => void): string {
  // the children go as createElement's third argument
  const props: ComponentProps<typeof I18nProvider> = { locale, dictionary: locale === "ja" ? ja : en, children: undefined };
  return renderToStaticMarkup(createElement(I18nProvider, props, createElement(ContentDetail, { content, onTrend })));
}

const ssmix2Views = walk(SSMIX2)
  .map((f) => path.relative(SSMIX2, f))
  .filter((rel) => !rel.startsWith("000/"))
  .flatMap((rel) => parseSsmix2Message(fs.readFileSync(path.join(SSMIX2, rel)), rel).contents.map((c) => ({ rel, c: view(c) })));
const fhirViews = fs
  .readdirSync(FHIR)
  .flatMap((name) => parseFhirBundle(JSON.parse(fs.readFileSync(path.join(FHIR, name), "utf8")) as unknown).contents.map((c) => ({ rel: `${name} ${c.sourceKey}`, c: view(c) })));

/** the visible text, without tags */
const textOf = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
const bySsmix2 = (dataType: string) => ssmix2Views.find((v) => v.rel.includes(`/${dataType}/`))!.c;
const byFhir = (key: string) => fhirViews.find((v) => v.rel.endsWith(key))!.c;

describe("ContentDetail renders every fixture item", () => {
  it.each([...ssmix2Views, ...fhirViews].map((v) => [v.rel, v.c] as const))("%s", (_rel, c) => {
    const html = render(c);
    expect(html).toContain(ja[`enum.ContentCategory.${c.category}` as keyof typeof ja]);
    expect(html).not.toMatch(/content\.[a-zA-Z]+\.[a-zA-Z]/); // every key has its wording
    const htmlEn = render(c, "en");
    expect(htmlEn).not.toMatch(/content\.[a-zA-Z]+\.[a-zA-Z]/);
  });
});

describe("ContentDetail by category", () => {
  it("SS-MIX2 prescription: drug lines with usage, days, route and the prescriber", () => {
    const text = textOf(render(bySsmix2("OMP-01")));
    for (const s of ["処方医", "医師 一郎", "診療科", "内科", "薬品名", "用量", "用法", "日数", "ダーゼン錠（５mg)", "1 錠", "内服・経口・１日３回朝昼夕食後", "5日分", "14日分", "口", "000000011000185"]) expect(text).toContain(s);
  });

  it("SS-MIX2 injection order: the mixed components, route with device, rate", () => {
    const text = textOf(render(bySsmix2("OMP-02")));
    for (const s of ["アドナ注（静脈用）50mg", "1 アンプル", "510 ミリリットル", "静脈内（点滴ポンプ）", "５時間一定速度で", "速度 102 ミリリッター／時間", "2011/07/01 08:00〜2011/07/01 13:00"]) expect(text).toContain(s);
  });

  it("FHIR prescription: requester as the prescriber, total quantity", () => {
    const text = textOf(render(byFhir("MedicationRequest/rx-0001-1")));
    for (const s of ["鈴木 一郎", "ムコダイン錠２５０ｍｇ", "3 錠", "1日3回 朝昼夕食後", "7日分", "21 錠"]) expect(text).toContain(s);
  });

  it("SS-MIX2 lab: item, value, unit, range; trend buttons only with onTrend and for numbers", () => {
    const c = bySsmix2("OML-11");
    const html = render(c);
    expect(textOf(html)).toContain("総蛋白 7.2 g/dl 6.70-8.3");
    expect(html).not.toContain("<button");
    const withTrend = render(c, "ja", () => {});
    expect(withTrend.match(/<button/g)).toHaveLength(3);
    expect(withTrend).toContain('aria-label="総蛋白の推移を表示"');
  });

  it("FHIR lab report: H / L flagged not by colour alone", () => {
    const html = render(byFhir("DiagnosticReport/labrep-20250610"));
    const text = textOf(html);
    expect(text).toContain("↑ 7.2");
    expect(text).toContain("H 高値");
    expect(text).toContain("↓ 58.3");
    expect(text).toContain("L 低値");
    expect(text).toContain("60以上");
  });

  it("a document's PDF file is an iframe with a link to open it; attachments not stored are listed", () => {
    const doc = { ...byFhir("DocumentReference/0b6f5a52-7a40-4f8e-8d1f-3c1a9e5b7d02"), files: [{ id: "f1", fileName: "紹介状.pdf", contentType: "application/pdf" }] };
    const html = render(doc);
    expect(html).toContain(`<iframe src="/api/contents/${doc.id}/files/f1" title="PDF: 紹介状.pdf"`);
    expect(html).toContain(`href="/api/contents/${doc.id}/files/f1"`);
    expect(html).toContain("PDFを別画面で開く");
    expect(textOf(html)).toContain("帯広中央病院 循環器内科への紹介");
  });

  it("imaging, report, diagnosis, allergy, admission, diet, patient info", () => {
    expect(textOf(render(bySsmix2("OMG-13")))).toContain("心筋虚血疑い");
    expect(textOf(render(bySsmix2("OMG-13")))).toContain("心拍数: 67 bpm");
    expect(textOf(render(bySsmix2("OMG-01")))).toContain("胸部 Ｘ線単純撮影 立位正面(A→P)");
    expect(textOf(render(byFhir("ImagingStudy/ct-2025-0402")))).toContain("肺野条件");
    expect(textOf(render(byFhir("DiagnosticReport/rad-2025-0402")))).toContain("右下葉に径2cm大の浸潤影を認める");
    const dx = textOf(render(bySsmix2("PPR-01")));
    for (const s of ["胃炎", "K297", "2011/08/31", "2011/09/15", "回復せず", "主診断"]) expect(dx).toContain(s);
    expect(textOf(render(byFhir("Condition/dx-2025-0402")))).toContain("病名 肺炎 疑い ICD-10 J18.9");
    const al = textOf(render(byFhir("AllergyIntolerance/alg-0001")));
    for (const s of ["ロキソプロフェン", "薬剤", "高", "蕁麻疹、呼吸困難", "（重度）"]) expect(al).toContain(s);
    expect(textOf(render(ssmix2Views.filter((v) => v.rel.includes("/ADT-61/"))[0]!.c))).toContain("目のかゆみ");
    const adm = textOf(render(bySsmix2("ADT-22")));
    for (const s of ["入院", "32-302-1", "医師一郎", "2011/11/20 16:00"]) expect(adm).toContain(s);
    expect(textOf(render(byFhir("Encounter/adm-2025-0042")))).toContain("4階東病棟");
    expect(textOf(render(bySsmix2("OMD")))).toContain("塩分控えめ");
    const info = textOf(render(bySsmix2("ADT-00")));
    for (const s of ["患者 太郎", "カンジャ タロウ", "男性", "1948/04/05", "身長 167.8 cm", "ペニシリン"]) expect(info).toContain(s);
  });

  describe("demo documents: PDFs inline, images in the viewer", () => {
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "detail-docs-"));
    let persons: ReturnType<typeof generateDemoSsmix2>["persons"];
    try {
      persons = generateDemoSsmix2({ outDir, patients: 10, years: 2, end: "2025-06-30", seed: 3 }).persons;
    } finally {
      fs.rmSync(outDir, { recursive: true, force: true });
    }
    const contents = generateDemoDocuments({ persons, facilityCode: "2000101", seed: 3, end: "2025-06-30" }).flatMap((d) => parseFhirBundle(d.json).contents.map(view));

    it("a discharge summary sent as text shows the text, and its attachment is listed", () => {
      const doc = contents.find((c) => c.category === "DOCUMENT" && c.title.startsWith("退院時サマリ"))!;
      const text = textOf(render(doc));
      expect(text).toMatch(/退院時サマリ \d{4}-\d{2}-\d{2} · text\/plain;charset=utf-8 · \d{4}\/\d{2}\/\d{2} \d{2}:\d{2}/);
      expect(text).toContain("入院経過:");
      expect(text).toContain("退院後の方針:");
    });

    it("a referral letter sent as a PDF is shown inline", () => {
      const doc = contents.find((c) => c.category === "DOCUMENT" && c.title.startsWith("診療情報提供書"))!;
      const html = render(doc);
      expect(html).toMatch(/<iframe[^>]+src="\/api\/contents\/[^"]+\/files\/[^"]+"/);
    });

    it("an image is a thumbnail button opening the viewer, with a download link", () => {
      const img = contents.find((c) => c.category === "IMAGING")!;
      const html = render(img);
      expect(html).toContain(`<img src="/api/contents/${img.id}/files/f1"`);
      expect(html).toContain('aria-haspopup="dialog"');
      expect(html).toContain(`href="/api/contents/${img.id}/files/f1?download=1"`);
    });

    it("a check-up has its items", () => {
      const c = contents.find((x) => x.category === "CHECKUP")!;
      expect(render(c).match(/<tr/g)!.length).toBeGreaterThan(13);
    });
  });
});

describe("ContentDetail never crashes on odd payloads", () => {
  const odd: unknown[] = [
    null,
    undefined,
    42,
    "text",
    [],
    {},
    { lines: "x", items: 5, studies: {}, series: [null, 1], presentedForm: "y", attachments: [null], reactions: [1], diets: "z", observations: {}, patient: [] },
    { lines: [null, 1, "a", [], { drugName: 5, dose: "x", route: 7, components: [null, { drugName: null }], days: "5" }] },
    { items: [null, { name: {} }, { code: 1, value: [], referenceRange: {} }] },
    { outcome: [], confirmation: 3, allergen: "x", allergyType: null, reactions: [{ manifestations: "x", severity: 3 }], category: "food", codes: [null] },
    { startDate: "not a date", onset: "2025-13-45", admittedAt: 12, end: "2025-04", start: "2025-04-02T14:20:00", issued: {} },
    { status: {}, orderNumber: [], name: null, cancelled: "yes", dataType: 7, kind: {} },
  ];
  it.each(CONTENT_CATEGORIES.flatMap((category) => odd.map((payload, i) => [category, i, payload] as const)))("%s payload #%s", (category, _i, payload) => {
    const c: TContentView = { id: "x", category, occurredAt: new Date("2025-01-01T00:00:00Z"), occurredDate: "2025-01-01", title: "t", ownerFacilityId: "f", ownerFacilityName: "F", files: [], payload };
    expect(() => render(c, "ja", () => {})).not.toThrow();
  });

  it("an invalid occurredAt falls back to the care date", () => {
    const c: TContentView = { id: "x", category: "NOTE", occurredAt: new Date(Number.NaN), occurredDate: "2025-01-01", title: "t", ownerFacilityId: "f", ownerFacilityName: "F", files: [], payload: {} };
    expect(render(c)).toContain("2025-01-01");
  });
});

describe("TrendChart", () => {
  const chart = (p: TTrendChartProps) => renderToStaticMarkup(createElement(TrendChart, p));
  const series = (points: { date: string; value: number; flag?: "H" | "L" | null }[], label = "帯広中央病院", color = "#0f766e") => ({ label, color, points });

  it("draws lines, a reference band, distinct H / L markers, a legend and a summary", () => {
    const html = chart({
      title: "HbA1c",
      unit: "%",
      low: 4.6,
      high: 6.2,
      series: [
        series([
          { date: "2024-01-10", value: 6.0 },
          { date: "2024-04-10", value: 7.1, flag: "H" },
          { date: "2024-07-10", value: 4.2, flag: "L" },
        ]),
        series([{ date: "2025-01-05", value: 5.5 }], "下伊那内科クリニック", "#7c3aed"),
      ],
    });
    expect(html).toContain('role="img"');
    expect(html).toMatch(/aria-label="HbA1c: 帯広中央病院, 下伊那内科クリニック、2024\/01\/10–2025\/01\/05、4件、4.2–7.1 %、最新 5.5 %（2025\/01\/05）、基準値 4.6–6.2 %、高値 1件、低値 1件"/);
    expect(html.match(/<title>/g)).toHaveLength(4);
    expect(html).toContain("<title>2024/04/10  7.1 % (H)  帯広中央病院</title>");
    expect(html).toContain('fill="#dc2626"');
    expect(html).toContain('fill="#2563eb"');
    expect(html).toContain('fill-opacity="0.1"');
    expect(html).toContain("高値 (H)");
    expect(html).toContain("基準範囲");
    expect(html).toContain(">2024/3<");
    expect(html).toContain(">2025/1<");
  });

  it("one point, equal values, no points, bad dates and values", () => {
    expect(chart({ series: [series([{ date: "2025-06-10", value: 7 }])] })).toContain("<title>2025/06/10  7  帯広中央病院</title>");
    const flat = chart({ series: [series(["2025-01-01", "2025-02-01", "2025-03-01"].map((date) => ({ date, value: 5 })))] });
    expect(flat).not.toContain("NaN");
    expect(chart({ series: [] })).toContain("データがありません");
    expect(chart({ series: [series([{ date: "2025-02-30", value: 1 }, { date: "x", value: 2 }, { date: "2025-01-01", value: Number.NaN }])], locale: "en" })).toContain("No data");
  });

  it("thousands of points: one path, markers only for abnormal values", () => {
    const start = Date.UTC(2015, 0, 1);
    const points = Array.from({ length: 3000 }, (_, i) => ({ date: new Date(start + i * 86_400_000).toISOString().slice(0, 10), value: 100 + Math.sin(i / 30) * 20, flag: i % 500 === 0 ? ("H" as const) : null }));
    const html = chart({ series: [series(points)], low: 80, high: 115 });
    expect(html).not.toContain("NaN");
    expect(html.match(/<title>/g)).toHaveLength(6);
    expect(html.match(/<text/g)!.length).toBeLessThan(30);
  });
});
