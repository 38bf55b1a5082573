/**
 * SS-MIX2 standardized storage: file-name/path parsing and the mapping of one HL7 v2.5 message
 * (by its SS-MIX2 data type) to content drafts. Pure: no database, no clock.
 * See docs/decisions/0007-hl7-parser.md for the mapping decisions.
 */
import {
  component,
  components,
  fieldCount,
  firstSegment,
  parseHl7,
  parseHl7Time,
  repetitions,
  requireField,
  timeAt,
  type THl7Message,
  type THl7Segment,
  type THl7Time,
} from "./hl7";
import { IngestError, type TContentCategory, type TContentDraft, type TParsedMessage, type TPatientDraft } from "./types";

/** SS-MIX2 data types and the HL7 message types (MSH-9 code^event) each may carry; cancel events mark the item withdrawn. */
export const SSMIX2_DATA_TYPES: Record<string, { label: string; messages: string[]; cancels?: string[] }> = {
  "ADT-00": { label: "患者基本情報", messages: ["ADT^A08", "ADT^A23"] },
  "ADT-01": { label: "担当医の変更", messages: ["ADT^A54", "ADT^A55"], cancels: ["ADT^A55"] },
  "ADT-12": { label: "外来受診", messages: ["ADT^A04", "ADT^A11"], cancels: ["ADT^A11"] },
  "ADT-21": { label: "入院予定", messages: ["ADT^A14", "ADT^A27"], cancels: ["ADT^A27"] },
  "ADT-22": { label: "入院", messages: ["ADT^A01", "ADT^A11"], cancels: ["ADT^A11"] },
  "ADT-31": { label: "外出・外泊", messages: ["ADT^A21", "ADT^A52"], cancels: ["ADT^A52"] },
  "ADT-32": { label: "外出・外泊からの帰院", messages: ["ADT^A22", "ADT^A53"], cancels: ["ADT^A53"] },
  "ADT-41": { label: "転科・転棟予定", messages: ["ADT^A15", "ADT^A26"], cancels: ["ADT^A26"] },
  "ADT-42": { label: "転科・転棟", messages: ["ADT^A02", "ADT^A12"], cancels: ["ADT^A12"] },
  "ADT-51": { label: "退院予定", messages: ["ADT^A16", "ADT^A25"], cancels: ["ADT^A25"] },
  "ADT-52": { label: "退院", messages: ["ADT^A03", "ADT^A13"], cancels: ["ADT^A13"] },
  "ADT-61": { label: "アレルギー", messages: ["ADT^A60"] },
  "PPR-01": { label: "病名", messages: ["PPR^ZD1"] },
  OMD: { label: "食事オーダ", messages: ["OMD^O03"] },
  "OMP-01": { label: "処方オーダ", messages: ["RDE^O11"] },
  "OMP-11": { label: "処方実施", messages: ["RAS^O17"] },
  "OMP-02": { label: "注射オーダ", messages: ["RDE^O11"] },
  "OMP-12": { label: "注射実施", messages: ["RAS^O17"] },
  "OML-01": { label: "検体検査オーダ", messages: ["OML^O33"] },
  "OML-11": { label: "検体検査結果", messages: ["OUL^R22"] },
  // Not a standard storage name, but some systems file lab results (OUL^R22) under it.
  "OUL-01": { label: "検体検査結果", messages: ["OUL^R22"] },
  "OMG-01": { label: "放射線検査オーダ", messages: ["OMG^O19"] },
  "OMG-02": { label: "内視鏡検査オーダ", messages: ["OMG^O19"] },
  "OMG-03": { label: "生理検査オーダ", messages: ["OMG^O19"] },
  "OMG-11": { label: "放射線検査実施", messages: ["OMI^Z23"] },
  "OMG-12": { label: "内視鏡検査実施", messages: ["OMI^Z23"] },
  "OMG-13": { label: "生理検査結果", messages: ["ORU^R01", "OMI^Z23"] },
};

/** Order numbers that mean "none" in SS-MIX2 file names. */
const NO_ORDER = new Set(["999999999999999", "-"]);

export type TSsmix2FileName = {
  patientId: string;
  /** yyyymmdd, or null for "-" */
  careDate: string | null;
  dataType: string;
  orderNumber: string;
  /** yyyymmddHHMMSSfff */
  timestamp: string;
  /** department code, null for "-" */
  department: string | null;
  /** condition flag 0: the item was deleted at the source */
  isDeleted: boolean;
};

const FILE_NAME = /^([0-9A-Za-z]+)_(\d{8}|-)_([A-Z]{3}(?:-\d{2})?)_([0-9A-Za-z-]+)_(\d{17})_([0-9A-Za-z]+|-)_([01])$/;

function checkDigits(value: string, file: string, what: string, withTime: boolean) {
  const y = Number(value.slice(0, 4));
  const mo = Number(value.slice(4, 6));
  const d = Number(value.slice(6, 8));
  const dim = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  let ok = mo >= 1 && mo <= 12 && d >= 1 && d <= dim;
  if (withTime) ok &&= Number(value.slice(8, 10)) <= 23 && Number(value.slice(10, 12)) <= 59 && Number(value.slice(12, 14)) <= 59;
  if (!ok) throw new IngestError(`impossible ${what} "${value}" in the file name`, { file });
}

/**
 * Parses `<pid>_<care date|->_<data type>_<order no>_<yyyymmddHHMMSSfff>_<dept|->_<0|1>`, optionally
 * preceded by the storage directories `<pid[0:3]>/<pid[3:6]>/<pid>/<care date|->/<data type>/`,
 * which must then agree with the name. Directories are checked when the parent is named like a
 * data type; a bare file name is accepted as is.
 */
export function parseSsmix2FileName(path: string): TSsmix2FileName {
  const parts = path.split(/[\\/]/).filter((p) => p !== "");
  const name = parts[parts.length - 1] ?? "";
  const m = FILE_NAME.exec(name);
  if (!m) throw new IngestError("not an SS-MIX2 file name (pid_caredate_datatype_order_timestamp_dept_flag)", { file: path });
  const [, patientId, care, dataType, orderNumber, timestamp, dept, flag] = m as unknown as [string, string, string, string, string, string, string, string];
  if (!SSMIX2_DATA_TYPES[dataType]) throw new IngestError(`unknown SS-MIX2 data type "${dataType}"`, { file: path });
  if (care !== "-") checkDigits(care, path, "care date", false);
  checkDigits(timestamp, path, "timestamp", true);
  const dirs = parts.slice(0, -1);
  if (dirs.length > 0 && /^[A-Z]{3}(-\d{2})?$/.test(dirs[dirs.length - 1]!)) {
    const expected = [patientId.slice(0, 3), patientId.slice(3, 6), patientId, care, dataType];
    const names = ["patient ID prefix", "patient ID middle", "patient ID", "care date", "data type"];
    for (let k = 1; k <= Math.min(5, dirs.length); k++) {
      const actual = dirs[dirs.length - k]!;
      const want = expected[5 - k]!;
      if (5 - k < 2 && patientId.length < 6) continue;
      if (actual !== want)
        throw new IngestError(`the ${names[5 - k]} directory "${actual}" does not match the file name ("${want}")`, { file: path });
    }
  }
  return {
    patientId,
    careDate: care === "-" ? null : care,
    dataType,
    orderNumber,
    timestamp,
    department: dept === "-" ? null : dept,
    isDeleted: flag === "0",
  };
}

// ---------------------------------------------------------------- helpers

type TCoded = { code: string; name: string; system: string } | null;

function coded(seg: THl7Segment, n: number, rep = 0, alternate = false): TCoded {
  const c = components(seg, n, rep);
  const o = alternate ? 3 : 0;
  const code = c[o] ?? "";
  const name = c[o + 1] ?? "";
  if (code === "" && name === "") return null;
  return { code, name, system: c[o + 2] ?? "" };
}

const iso = (t: THl7Time | null) => (t ? t.date.toISOString() : null);
const jstMidnight = (yyyymmdd: string) =>
  new Date(Date.UTC(Number(yyyymmdd.slice(0, 4)), Number(yyyymmdd.slice(4, 6)) - 1, Number(yyyymmdd.slice(6, 8))) - 9 * 3600_000);

function numberAt(seg: THl7Segment, n: number, c = 1): number | null {
  const v = component(seg, n, c).trim();
  if (v === "") return null;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(v))
    throw new IngestError(`"${v}" is not a number`, { file: seg.ctx.file, segment: seg.id, segmentIndex: seg.index, field: `${seg.id}-${n}` });
  return Number(v);
}

function personName(seg: THl7Segment, n: number, rep = 0, offset = 1): string | null {
  const c = components(seg, n, rep);
  const s = [c[offset - 1], c[offset]].filter((x) => x && x.trim() !== "").join(" ");
  return s === "" ? null : s;
}

const distinctTitle = (names: string[], unit: string, empty: string) => {
  const d = [...new Set(names.filter((x) => x !== ""))];
  if (d.length === 0) return empty;
  return d.length === 1 ? d[0]! : `${d[0]} 他${d.length - 1}${unit}`;
};

type TCtx = {
  msg: THl7Message;
  file: string;
  name: TSsmix2FileName;
  dataType: string;
  messageType: string;
  messageTime: Date;
  facilityPatientId: string;
  cancelled: boolean;
};

function fallbackTime(ctx: TCtx): Date {
  return ctx.name.careDate ? jstMidnight(ctx.name.careDate) : ctx.messageTime;
}

/** First non-null of the given times, else the care date at 00:00 JST, else the message time. */
function firstTime(ctx: TCtx, ...times: (THl7Time | null | undefined)[]): Date {
  for (const t of times) if (t) return t.date;
  return fallbackTime(ctx);
}

function draft(ctx: TCtx, category: TContentCategory, d: { occurredAt: Date; title: string; payload: Record<string, unknown>; key: string; deleted?: boolean }): TContentDraft {
  return {
    facilityPatientId: ctx.facilityPatientId,
    category,
    occurredAt: d.occurredAt,
    title: d.title.slice(0, 200),
    payload: { dataType: ctx.dataType, messageType: ctx.messageType, ...d.payload },
    sourceKey: d.key,
    sourceVersion: ctx.name.timestamp,
    isDeleted: ctx.name.isDeleted || ctx.cancelled || Boolean(d.deleted),
  };
}

/**
 * The order part of a source key: the file's order number (unique within the facility), or for
 * "none" the given discriminator, else MSH-10 (message control ID).
 */
function orderKey(ctx: TCtx, discriminator?: string | null): string {
  if (!NO_ORDER.has(ctx.name.orderNumber)) return ctx.name.orderNumber;
  if (discriminator) return discriminator;
  return patientScoped(ctx, component(ctx.msg.segments[0]!, 10) || ctx.name.timestamp);
}

/**
 * A key part that is only unique for one patient (a care date, an allergen code, a problem
 * instance): the facility patient ID goes in front, or two patients admitted on the same day
 * would be one item, the later replacing the earlier.
 */
const patientScoped = (ctx: TCtx, part: string) => `${ctx.facilityPatientId}:${part}`;

// ---------------------------------------------------------------- patient

const SEX: Record<string, TPatientDraft["sex"]> = { M: "MALE", F: "FEMALE", O: "OTHER", U: "UNKNOWN" };

export function patientFromPid(pid: THl7Segment, facilityPatientId: string): TPatientDraft {
  let nameKanji: string | null = null;
  let nameKana: string | null = null;
  const reps = repetitions(pid, 5);
  reps.forEach((_, i) => {
    const repr = component(pid, 5, 8, { rep: i });
    const full = personName(pid, 5, i);
    if (repr === "P") nameKana ??= full;
    else if (repr === "I" || repr === "") nameKanji ??= full;
  });
  const birth = timeAt(pid, 7);
  if (birth && (birth.precision === "year" || birth.precision === "month"))
    throw new IngestError("birth date must be a full date", { file: pid.ctx.file, segment: "PID", segmentIndex: pid.index, field: "PID-7" });
  const sexCode = component(pid, 8).trim();
  if (sexCode !== "" && !SEX[sexCode])
    throw new IngestError(`unknown administrative sex "${sexCode}"`, { file: pid.ctx.file, segment: "PID", segmentIndex: pid.index, field: "PID-8" });

  const addrReps = repetitions(pid, 11);
  const addrRep = Math.max(0, addrReps.findIndex((_, i) => component(pid, 11, 7, { rep: i }) === "H"));
  const a = components(pid, 11, addrRep);
  const postalCode = a[4]?.trim() || null;
  const address = [a[3], a[2], a[0], a[1]].filter((x) => x && x.trim() !== "").join("") || a[7]?.trim() || null;

  const phoneReps = repetitions(pid, 13);
  const phoneRep = Math.max(0, phoneReps.findIndex((_, i) => component(pid, 13, 2, { rep: i }) === "PRN"));
  const phone = component(pid, 13, 12, { rep: phoneRep }).trim() || component(pid, 13, 1, { rep: phoneRep }).trim() || null;

  return { facilityPatientId, nameKanji, nameKana, sex: sexCode === "" ? null : SEX[sexCode]!, birthDate: birth?.ymd ?? null, postalCode, address, phone };
}

// ---------------------------------------------------------------- observations (OBX)

const CODED_TYPES = new Set(["CWE", "CE", "CNE", "ZRD"]);

function observation(obx: THl7Segment, extra: Record<string, unknown> = {}) {
  const type = component(obx, 2).trim();
  let value: string | null;
  let valueCode: string | null = null;
  if (CODED_TYPES.has(type)) {
    valueCode = component(obx, 5) || null;
    value = component(obx, 5, 2) || valueCode;
  } else if (type === "XCN" || type === "XPN") {
    value = personName(obx, 5, 0, type === "XCN" ? 2 : 1);
  } else if (type === "SN") {
    value = components(obx, 5).join("") || null;
  } else {
    value = repetitions(obx, 5).map((_, i) => component(obx, 5, 1, { rep: i })).join("\n") || null;
  }
  if (type === "TS" && value) parseHl7Time(value, { seg: obx, field: 5 });
  if (type === "NM" && value !== null && value.trim() !== "") numberAt(obx, 5);
  const code = coded(obx, 3);
  return {
    code: code?.code ?? null,
    name: code?.name ?? null,
    codeSystem: code?.system ?? null,
    localCode: components(obx, 3)[3] ?? null,
    valueType: type || null,
    value,
    valueCode,
    unit: component(obx, 6, 2) || component(obx, 6) || null,
    referenceRange: component(obx, 7) || null,
    flag: component(obx, 8) || null,
    status: component(obx, 11) || null,
    observedAt: iso(timeAt(obx, 14)),
    ...extra,
  };
}

// ---------------------------------------------------------------- data types

function mapPatientInfo(ctx: TCtx, pid: THl7Segment): { patient: TPatientDraft; contents: TContentDraft[] } {
  requireField(pid, 5);
  const patient = patientFromPid(pid, ctx.facilityPatientId);
  const evn = firstSegment(ctx.msg, "EVN");
  const observations = ctx.msg.segments.filter((s) => s.id === "OBX").map((s) => observation(s));
  const allergies = ctx.msg.segments
    .filter((s) => s.id === "AL1")
    .map((s) => ({ type: coded(s, 2), allergen: coded(s, 3) }));
  const content = draft(ctx, "PATIENT_INFO", {
    occurredAt: firstTime(ctx, evn && timeAt(evn, 2)),
    title: "患者基本情報",
    payload: { patient, observations, allergies },
    key: `ADT-00:${ctx.facilityPatientId}`,
  });
  // the patient's record at the facility has no care date: it happened when it was recorded
  if (!evn || !component(evn, 2)) content.occurredAt = ctx.messageTime;
  return { patient, contents: [content] };
}

/** Where each ADT event's date lives (SS-MIX2 care-date rules). */
const ADT_TIME: Record<string, [string, number]> = {
  A01: ["PV1", 44], A04: ["PV1", 44], A11: ["PV1", 44],
  A02: ["EVN", 6], A12: ["EVN", 6], A21: ["EVN", 6], A22: ["EVN", 6], A52: ["EVN", 6], A53: ["EVN", 6],
  A03: ["PV1", 45], A13: ["PV1", 45],
  A14: ["PV2", 8], A15: ["PV2", 8], A26: ["PV2", 8], A27: ["PV2", 8],
  A16: ["PV2", 9], A25: ["PV2", 9],
};

function mapAdtEvent(ctx: TCtx): TContentDraft[] {
  const event = ctx.messageType.split("^")[1] ?? "";
  const pv1 = firstSegment(ctx.msg, "PV1");
  const evn = firstSegment(ctx.msg, "EVN");
  const at = ADT_TIME[event];
  const src = at && firstSegment(ctx.msg, at[0]);
  const label = SSMIX2_DATA_TYPES[ctx.dataType]!.label;
  const loc = (n: number) => (pv1 ? components(pv1, n).slice(0, 3).filter((x) => x !== "").join("-") || null : null);
  return [
    draft(ctx, "ADMISSION", {
      occurredAt: firstTime(ctx, src && at && timeAt(src, at[1]), evn && timeAt(evn, 6)),
      title: ctx.cancelled ? `${label}（取消）` : label,
      payload: {
        event,
        cancelled: ctx.cancelled,
        patientClass: pv1 ? component(pv1, 2) || null : null,
        location: loc(3),
        priorLocation: loc(6),
        attendingDoctor: pv1 ? personName(pv1, 7, 0, 2) : null,
        department: pv1 ? component(pv1, 10) || null : null,
        admittedAt: pv1 ? iso(timeAt(pv1, 44)) : null,
        dischargedAt: pv1 ? iso(timeAt(pv1, 45)) : null,
        recordedAt: evn ? iso(timeAt(evn, 2)) : null,
        eventAt: evn ? iso(timeAt(evn, 6)) : null,
      },
      key: `${ctx.dataType}:${orderKey(ctx, ctx.name.careDate && patientScoped(ctx, ctx.name.careDate))}`,
    }),
  ];
}

function mapAllergies(ctx: TCtx): TContentDraft[] {
  const evn = firstSegment(ctx.msg, "EVN");
  const out: TContentDraft[] = [];
  for (const s of ctx.msg.segments) {
    if (s.id !== "IAM" && s.id !== "AL1") continue;
    requireField(s, 3);
    const allergen = coded(s, 3)!;
    const type = coded(s, 2);
    const isIam = s.id === "IAM";
    const onset = isIam ? timeAt(s, 11) : timeAt(s, 6);
    const action = isIam ? component(s, 6) : "";
    const id = (isIam && component(s, 7)) || allergen.code || allergen.name;
    const name = allergen.name || allergen.code;
    out.push(
      draft(ctx, "ALLERGY", {
        occurredAt: onset?.date ?? (isIam ? timeAt(s, 13) : null)?.date ?? (evn && timeAt(evn, 2))?.date ?? ctx.messageTime,
        title: type?.name ? `${name}（${type.name}）` : name,
        payload: {
          allergen,
          allergyType: type,
          severity: coded(s, 4),
          reaction: component(s, 5) || null,
          action: action || null,
          onsetDate: onset?.ymd ?? null,
          onsetText: isIam ? component(s, 12) || null : null,
        },
        key: `ADT-61:${patientScoped(ctx, id)}`,
        deleted: action === "D",
      }),
    );
  }
  return out;
}

function mapDiagnoses(ctx: TCtx): TContentDraft[] {
  const out: TContentDraft[] = [];
  const segs = ctx.msg.segments;
  segs.forEach((prb, i) => {
    if (prb.id !== "PRB") return;
    requireField(prb, 3);
    const instance = requireField(prb, 4);
    const problem = coded(prb, 3)!;
    const zpr = segs[i + 1]?.id === "ZPR" ? segs[i + 1] : undefined;
    const prefix = zpr ? component(zpr, 1, 2) : "";
    const suffix = zpr ? component(zpr, 3, 2) : "";
    let icd10: string | null = null;
    repetitions(prb, 10).forEach((_, r) => {
      if (component(prb, 10, 3, { rep: r }) === "I10") icd10 ??= component(prb, 10, 1, { rep: r }) || null;
    });
    const established = timeAt(prb, 7);
    const onset = timeAt(prb, 16);
    const resolved = timeAt(prb, 9);
    const action = component(prb, 1);
    const name = `${prefix}${problem.name || component(prb, 17) || problem.code}${suffix}`;
    out.push(
      draft(ctx, "DIAGNOSIS", {
        occurredAt: firstTime(ctx, established, onset, timeAt(prb, 2)),
        title: name,
        payload: {
          name,
          code: problem.code || null,
          codeSystem: problem.system || null,
          icd10,
          startDate: (established ?? onset)?.ymd ?? null,
          endDate: resolved?.ymd ?? null,
          outcome: coded(prb, 14),
          confirmation: coded(prb, 13),
          ranking: coded(prb, 18),
          action: action || null,
        },
        key: `PPR-01:${patientScoped(ctx, instance)}`,
        deleted: action === "DE",
      }),
    );
  });
  return out;
}

type TLine = Record<string, unknown> & { names: string[]; route?: unknown };

function applyTiming(line: Record<string, unknown>, tq1: THl7Segment) {
  const sub2 = component(tq1, 3, 1, { sub: 2 });
  line.usage = sub2 || component(tq1, 3, 2) || null;
  line.usageCode = component(tq1, 3, 1, { sub: 1 }) || null;
  const durUnit = component(tq1, 6, 2);
  const dur = numberAt(tq1, 6);
  line.days = dur !== null && (durUnit === "" || durUnit.toLowerCase() === "d") ? dur : null;
  line.duration = dur !== null ? { value: dur, unit: durUnit || null } : null;
  line.start = iso(timeAt(tq1, 7));
  line.end = iso(timeAt(tq1, 8));
}

function mapMedication(ctx: TCtx, category: TContentCategory): TContentDraft[] {
  const administered = ctx.dataType === "OMP-11" || ctx.dataType === "OMP-12";
  const lineSeg = ctx.msg.segments.some((s) => s.id === "RXA") ? "RXA" : "RXE";
  const groups = new Map<string, { orc: THl7Segment; lines: TLine[] }>();
  let orc: THl7Segment | undefined;
  let group: { orc: THl7Segment; lines: TLine[] } | undefined;
  let last: TLine | undefined;
  let orcTiming: THl7Segment | undefined;
  let firstTimes: (THl7Time | null)[] = [];
  for (const s of ctx.msg.segments) {
    if (s.id === "ORC") {
      orc = s;
      last = undefined;
      orcTiming = undefined;
      const no = component(s, 2) || ctx.name.orderNumber;
      group = groups.get(no) ?? { orc: s, lines: [] };
      groups.set(no, group);
      if (firstTimes.length === 0) firstTimes = [timeAt(s, 9)];
    } else if (s.id === "TQ1" && orc) {
      if (last) applyTiming(last, s);
      else orcTiming = s;
    } else if (s.id === lineSeg) {
      if (!orc || !group) throw new IngestError(`${s.id} before any ORC`, { file: ctx.file, segment: s.id, segmentIndex: s.index });
      const isRxa = s.id === "RXA";
      const codeField = isRxa ? 5 : 2;
      requireField(s, codeField);
      const drug = coded(s, codeField)!;
      const line: TLine = {
        rp: component(orc, 4) || null,
        drugCode: drug.code || null,
        drugCodeSystem: drug.system || null,
        drugName: drug.name || null,
        dose: numberAt(s, isRxa ? 6 : 3),
        doseUnit: component(s, isRxa ? 7 : 5, 2) || component(s, isRxa ? 7 : 5) || null,
        doseUnitCode: component(s, isRxa ? 7 : 5) || null,
        dosageForm: isRxa ? null : component(s, 6, 2) || null,
        usage: null,
        usageCode: null,
        days: null,
        instructions: isRxa ? component(s, 9, 2) || null : component(s, 7, 2) || null,
        dispenseAmount: isRxa ? null : numberAt(s, 10),
        dispenseUnit: isRxa ? null : component(s, 11, 2) || null,
        rate: isRxa ? component(s, 12) || null : component(s, 23) ? `${component(s, 23)} ${component(s, 24, 2) || component(s, 24)}`.trim() : null,
        components: [],
        names: [],
      };
      if (isRxa) {
        const start = timeAt(s, 3);
        line.start = iso(start);
        line.end = iso(timeAt(s, 4));
        line.completion = component(s, 20) || null;
        if (firstTimes.length <= 1) firstTimes = [start, ...firstTimes];
      }
      if (orcTiming) applyTiming(line, orcTiming);
      line.names.push(drug.name || drug.code);
      group.lines.push(line);
      last = line;
    } else if (s.id === "RXR" && group) {
      const route = { code: component(s, 1) || null, name: component(s, 1, 2) || null, device: component(s, 3, 2) || null };
      for (const l of group.lines) if (l.route === undefined) l.route = route;
    } else if (s.id === "RXC" && last) {
      requireField(s, 2);
      const c = coded(s, 2)!;
      (last.components as unknown[]).push({
        type: component(s, 1) || null,
        drugCode: c.code || null,
        drugCodeSystem: c.system || null,
        drugName: c.name || null,
        amount: numberAt(s, 3),
        unit: component(s, 4, 2) || component(s, 4) || null,
      });
      if (last.names.length === 1 && (last.components as unknown[]).length === 1) last.names = [];
      last.names.push(c.name || c.code);
    }
  }
  if (groups.size === 0 || [...groups.values()].every((g) => g.lines.length === 0))
    throw new IngestError(`no ${lineSeg} segment in a ${ctx.dataType} message`, { file: ctx.file });
  const many = groups.size > 1;
  const out: TContentDraft[] = [];
  for (const [no, g] of groups) {
    if (g.lines.length === 0) continue;
    const names = g.lines.flatMap((l) => l.names);
    const lines = g.lines.map(({ names: _names, ...l }) => ({ ...l, route: l.route ?? null }));
    const base = orderKey(ctx, no);
    const occurredAt = firstTime(ctx, ...(administered ? [] : [timeAt(g.orc, 9)]), ...firstTimes);
    // Each administration (実施) of one order is its own event: the same order number comes back
    // day after day, so its time is part of the identity (a correction of that same event replaces it).
    const when = administered ? `@${new Date(occurredAt.getTime() + 9 * 3600_000).toISOString().slice(0, 16).replace(/[-:T]/g, "")}` : "";
    out.push(
      draft(ctx, category, {
        occurredAt,
        title: distinctTitle(names, "剤", SSMIX2_DATA_TYPES[ctx.dataType]!.label),
        payload: {
          orderNumber: no,
          lines,
          // 処方医 (ORC-12 ordering provider: ID^family^given) and 診療科 (ORC-17: code^name)
          orderer: personName(g.orc, 12, 0, 2),
          department: component(g.orc, 17, 2) || component(g.orc, 17) || null,
        },
        key: (many && base !== no ? `${ctx.dataType}:${base}:${no}` : `${ctx.dataType}:${base}`) + when,
      }),
    );
  }
  return out;
}

function mapLab(ctx: TCtx): TContentDraft[] {
  const isResult = ctx.dataType === "OML-11" || ctx.dataType === "OUL-01";
  let spm: THl7Segment | undefined;
  let obr: THl7Segment | undefined;
  let orc: THl7Segment | undefined;
  const items: Record<string, unknown>[] = [];
  const times: (THl7Time | null)[] = [];
  let orderNo = "";
  for (const s of ctx.msg.segments) {
    if (s.id === "SPM") {
      spm = s;
      if (isResult) times.push(timeAt(s, 17));
    } else if (s.id === "ORC") {
      orc = s;
      orderNo ||= component(s, 2);
      if (!isResult) times.push(timeAt(s, 9));
    } else if (s.id === "OBR") {
      obr = s;
      requireField(s, 4);
      orderNo ||= component(s, 2);
    } else if (s.id === "OBX" && obr) {
      const item = observation(s, {
        specimen: spm ? component(spm, 4, 2) || component(spm, 4) || null : null,
        group: component(obr, 4, 2) || component(obr, 4) || null,
      });
      items.push(item);
      if (isResult) times.push(timeAt(s, 14));
    }
  }
  if (!obr) throw new IngestError(`no OBR segment in a ${ctx.dataType} message`, { file: ctx.file });
  times.push(timeAt(obr, 7));
  if (orc) times.push(timeAt(orc, 9));
  return [
    draft(ctx, "LAB", {
      occurredAt: firstTime(ctx, ...times),
      title: isResult ? `検査 ${items.length}項目` : `検査依頼 ${items.length}項目`,
      payload: { kind: isResult ? "result" : "order", orderNumber: orderNo || null, items },
      key: `${ctx.dataType}:${orderKey(ctx, orderNo)}`,
    }),
  ];
}

const IMAGING_KIND: Record<string, string> = { "1": "放射線検査", "2": "内視鏡検査", "3": "生理検査" };

const examTitle = (name: string) =>
  name
    .split(".")
    .map((p) => p.trim())
    .filter((p) => p !== "" && p !== "-")
    .join(" ");

function mapImaging(ctx: TCtx): TContentDraft[] {
  const stage = ctx.dataType.slice(4, 5) === "1" ? (ctx.dataType === "OMG-13" ? "result" : "performed") : "order";
  const kind = IMAGING_KIND[ctx.dataType.slice(5, 6)]!;
  type TStudy = Record<string, unknown> & { observations: unknown[]; procedures: unknown[] };
  const studies: TStudy[] = [];
  let orcControl = "";
  let orc: THl7Segment | undefined;
  let study: TStudy | undefined;
  let orderNo = "";
  const times: (THl7Time | null)[] = [];
  for (const s of ctx.msg.segments) {
    if (s.id === "ORC") {
      orc = s;
      orcControl = component(s, 1);
      if (ctx.messageType.startsWith("OMG")) times.push(timeAt(s, 9));
    } else if (s.id === "OBR") {
      requireField(s, 4);
      const exam = coded(s, 4)!;
      const no = component(s, 2) || (orc ? component(orc, 2) : "");
      if (!orderNo && orcControl !== "CH") orderNo = no;
      const performed = timeAt(s, 7);
      if (!ctx.messageType.startsWith("OMG")) times.push(performed);
      study = {
        control: orcControl || null,
        orderNumber: no || null,
        parentOrderNumber: component(s, 29) || null,
        code: exam.code || null,
        codeSystem: exam.system || null,
        name: exam.name || null,
        performedAt: iso(performed),
        reportedAt: iso(timeAt(s, 22)),
        modality: null,
        studyInstanceUid: null,
        accessionNumber: null,
        observations: [],
        procedures: [],
      };
      // an order repeated as PA (placer order with the same number) is the same study
      const dup = studies.find((x) => x.orderNumber === study!.orderNumber && x.code === study!.code && x.control !== "CH");
      if (dup && orcControl !== "CH") study = dup;
      else studies.push(study);
    } else if (s.id === "OBX" && study) {
      study.observations.push(observation(s));
    } else if (s.id === "ZE1" && study) {
      study.procedures.push(coded(s, 3));
    } else if (s.id === "IPC" && study) {
      study.modality = component(s, 5) || null;
      study.studyInstanceUid = component(s, 3) || null;
      study.accessionNumber = component(s, 1) || null;
    }
  }
  if (studies.length === 0) throw new IngestError(`no OBR segment in a ${ctx.dataType} message`, { file: ctx.file });
  const main = studies.find((x) => x.control !== "CH") ?? studies[0]!;
  const children = studies.filter((x) => x.control === "CH");
  const shown = children.length > 0 ? children : [main];
  const names = shown.map((x) => examTitle(String(x.name ?? x.code ?? "")));
  const modality = studies.map((x) => x.modality).find((m) => m) ?? null;
  const description = studies
    .flatMap((x) => x.observations as { valueType: string | null; value: string | null }[])
    .filter((o) => o.valueType === "TX" || o.valueType === "FT")
    .map((o) => o.value)
    .filter(Boolean)
    .join("\n");
  return [
    draft(ctx, "IMAGING", {
      occurredAt: firstTime(ctx, ...times),
      title: distinctTitle(names, "件", kind),
      payload: {
        kind,
        stage,
        modality,
        orderNumber: orderNo || (main.orderNumber as string | null),
        studyDescription: examTitle(String(main.name ?? "")) || null,
        findings: description || null,
        studies,
      },
      key: `${ctx.dataType}:${orderKey(ctx, orderNo || (main.orderNumber as string | null))}`,
    }),
  ];
}

function mapDiet(ctx: TCtx): TContentDraft[] {
  const orc = firstSegment(ctx.msg, "ORC");
  const tq1 = firstSegment(ctx.msg, "TQ1");
  const diets = ctx.msg.segments
    .filter((s) => s.id === "ODS")
    .map((s) => ({ type: component(s, 1) || null, code: coded(s, 3), text: component(s, 4) || null }));
  if (diets.length === 0) throw new IngestError("no ODS segment in an OMD message", { file: ctx.file });
  const text = diets.map((d) => d.text ?? d.code?.name ?? "").filter(Boolean).join("・");
  return [
    draft(ctx, "NOTE", {
      occurredAt: firstTime(ctx, orc && timeAt(orc, 9), tq1 && timeAt(tq1, 7)),
      title: text ? `食事オーダ ${text}` : "食事オーダ",
      payload: {
        kind: "diet",
        orderNumber: orc ? component(orc, 2) || null : null,
        diets,
        startAt: tq1 ? iso(timeAt(tq1, 7)) : null,
        frequency: tq1 ? component(tq1, 3, 1, { sub: 2 }) || component(tq1, 3) || null : null,
      },
      key: `OMD:${orderKey(ctx, orc ? component(orc, 2) : null)}`,
    }),
  ];
}

// ---------------------------------------------------------------- entry point

export type TSsmix2Options = {
  /** refuse a message whose PID-3 differs from the patient ID in the file name (default: accept, PID-3 wins) */
  requireMatchingPatientId?: boolean;
};

/**
 * Parses one SS-MIX2 file: its name (or storage path) gives the data type, order number, version
 * and delete flag; the HL7 message gives the drafts. Throws IngestError and nothing else.
 */
/**
 * Parses one SS-MIX2 file: its name (or storage path) gives the data type, order number, version
 * and delete flag; the HL7 message gives the drafts. Refusals are IngestError.
 */
export function parseSsmix2Message(bytes: Uint8Array, fileName: string, options: TSsmix2Options = {}): TParsedMessage {
  const name = parseSsmix2FileName(fileName);
  const msg = parseHl7(bytes, fileName);
  const msh = msg.segments[0]!;
  const messageType = `${requireField(msh, 9)}^${component(msh, 9, 2)}`;
  const spec = SSMIX2_DATA_TYPES[name.dataType]!;
  if (!spec.messages.includes(messageType))
    throw new IngestError(`message type ${messageType} does not fit data type ${name.dataType} (expected ${spec.messages.join(" or ")})`, {
      file: fileName,
      segment: "MSH",
      segmentIndex: 1,
      field: "MSH-9",
    });
  const version = component(msh, 12);
  if (!/^2\.\d/.test(version))
    throw new IngestError(`unsupported HL7 version "${version}"`, { file: fileName, segment: "MSH", segmentIndex: 1, field: "MSH-12" });
  requireField(msh, 7);
  const messageTime = timeAt(msh, 7)!.date;

  const pid = firstSegment(msg, "PID");
  if (!pid) throw new IngestError("no PID segment", { file: fileName });
  const facilityPatientId = requireField(pid, 3);
  if (options.requireMatchingPatientId && facilityPatientId !== name.patientId)
    throw new IngestError(`PID-3 "${facilityPatientId}" is not the patient of the file name ("${name.patientId}")`, {
      file: fileName,
      segment: "PID",
      segmentIndex: pid.index,
      field: "PID-3",
    });
  if (fieldCount(pid) < 3) throw new IngestError("PID is truncated", { file: fileName, segment: "PID", segmentIndex: pid.index });

  const ctx: TCtx = {
    msg,
    file: fileName,
    name,
    dataType: name.dataType,
    messageType,
    messageTime,
    facilityPatientId,
    cancelled: (spec.cancels ?? []).includes(messageType),
  };
  const base = { kind: "SSMIX2" as const, dataType: name.dataType };
  switch (name.dataType) {
    case "ADT-00":
      return { ...base, ...mapPatientInfo(ctx, pid) };
    case "ADT-01":
      return { ...base, patient: null, contents: [] };
    case "ADT-61":
      return { ...base, patient: null, contents: mapAllergies(ctx) };
    case "PPR-01":
      return { ...base, patient: null, contents: mapDiagnoses(ctx) };
    case "OMD":
      return { ...base, patient: null, contents: mapDiet(ctx) };
    case "OMP-01":
      return { ...base, patient: null, contents: mapMedication(ctx, "PRESCRIPTION_ORDER") };
    case "OMP-11":
      return { ...base, patient: null, contents: mapMedication(ctx, "PRESCRIPTION_DISPENSED") };
    case "OMP-02":
      return { ...base, patient: null, contents: mapMedication(ctx, "INJECTION_ORDER") };
    case "OMP-12":
      return { ...base, patient: null, contents: mapMedication(ctx, "INJECTION_ADMINISTERED") };
    case "OML-01":
    case "OML-11":
    case "OUL-01":
      return { ...base, patient: null, contents: mapLab(ctx) };
    default:
      if (name.dataType.startsWith("OMG-")) return { ...base, patient: null, contents: mapImaging(ctx) };
      return { ...base, patient: null, contents: mapAdtEvent(ctx) };
  }
}
