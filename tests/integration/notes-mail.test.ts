/**
 * Notice e-mails for notes (C6 "notify participants") through a real SMTP server on loopback: the
 * outbox row is written with the post, delivery sends one message per recipient with an address,
 * and no message carries clinical text. Without SMTP the messages wait; a refusing server is
 * retried with a backoff until the message is given up as FAILED.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TViewer } from "@/lib/auth/viewer-type";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { deliverPendingMail, MAIL_MAX_ATTEMPTS } from "@/lib/mail/mutations";
import { listOutbox } from "@/lib/mail/queries";
import { addParticipant, postComment, postNote } from "@/lib/notes/mutations";
import { countUnreadNotifications } from "@/lib/notes/queries";
import { ZPostComment, ZPostNote } from "@/lib/notes/schema";
import { registerPatient } from "@/lib/patients/mutations";
import { ZRegisterPatient } from "@/lib/patients/schema";
import { createFacility, createStaff, viewerFor } from "@/tests/fixtures/factories";
import { setEnv, simpleParser, startSmtp, waitFor } from "@/tests/fixtures/smtp";

/* ---- the region ---- */

const ORIGIN = "https://portal.chiikilink.example.jp";
const PATIENT = { nameKanji: "汐見 ハル", nameKana: "シオミ ハル", sex: "FEMALE", birthDate: "1938/02/03" };
const HOSPITAL_NAME = "しおかぜ総合病院";
const STATION_NAME = "あおば訪問看護ステーション";
const FACILITY_PATIENT_IDS = ["H-77001", "VN-9012"];

let saved: Record<string, string | undefined>;
let liaison: TViewer;
let nurse: TViewer; // posts; has an address, but never mails herself
let doctor: TViewer; // participant with an address
let wardNurse: TViewer; // participant with an address
let careManager: TViewer; // participant without an address: in-app notice only
let bystander: TViewer; // has an address, not a participant
let secretariat: TViewer;
let patientId: string;
let regionalId: string;

const ADDRESSES = { nurse: "nurse@aoba.example.jp", doctor: "doctor@shiokaze.example.jp", wardNurse: "ward@shiokaze.example.jp", bystander: "other@shiokaze.example.jp" };

beforeAll(async () => {
  saved = { SMTP_URL: process.env.SMTP_URL, NEXTAUTH_URL: process.env.NEXTAUTH_URL };
  setEnv({ SMTP_URL: undefined, NEXTAUTH_URL: ORIGIN });

  const hospital = (await createFacility({ type: "HOSPITAL", nameKanji: HOSPITAL_NAME })).id;
  const station = (await createFacility({ type: "VISITING_NURSING", nameKanji: STATION_NAME })).id;
  const office = (await createFacility({ type: "SECRETARIAT", nameKanji: "ネットワーク事務局" })).id;
  const staff = async (facilityId: string, o: { email?: string; qualification?: "DOCTOR" | "NURSE" | "CARE_MANAGER"; roles?: ("CLINICIAN" | "LIAISON" | "SECRETARIAT")[] }) =>
    viewerFor((await createStaff({ facilityId, email: o.email ?? null, qualification: o.qualification ?? "NURSE", roles: o.roles ?? ["CLINICIAN"] })).user);
  liaison = await staff(hospital, { roles: ["LIAISON"] });
  nurse = await staff(station, { email: ADDRESSES.nurse });
  doctor = await staff(hospital, { email: ADDRESSES.doctor, qualification: "DOCTOR" });
  wardNurse = await staff(hospital, { email: ADDRESSES.wardNurse });
  careManager = await staff(station, { qualification: "CARE_MANAGER" });
  bystander = await staff(hospital, { email: ADDRESSES.bystander, qualification: "DOCTOR" });
  secretariat = await staff(office, { roles: ["SECRETARIAT"] });

  const registered = await registerPatient(
    liaison,
    ZRegisterPatient.parse({
      patient: PATIENT,
      links: [
        { facilityId: hospital, facilityPatientId: FACILITY_PATIENT_IDS[0] },
        { facilityId: station, facilityPatientId: FACILITY_PATIENT_IDS[1] },
      ],
      consent: { action: "GRANT", scope: "COMPREHENSIVE", method: "WRITTEN", consentDate: "2025/04/01", signer: "SELF" },
      confirmDuplicate: "on",
    }),
  );
  patientId = registered.id;
  regionalId = registered.regionalId;
  for (const who of [doctor, wardNurse, careManager, nurse]) await addParticipant(doctor, patientId, who.userId);
});

afterAll(() => setEnv(saved));

const NOTE = { title: "褥瘡の悪化", body: "仙骨部の褥瘡が拡大（3cm）。浸出液あり。" };
const noteInput = (o: Record<string, unknown> = {}) =>
  ZPostNote.parse({ noteType: "NOTE", noteKind: "CONTACT", qualification: "NURSE", occurredAt: "2026-11-20T10:00", title: NOTE.title, body: NOTE.body, icon: "IMPORTANT", notify: "on", ...o });

/** Nothing of the patient, the post or the facilities may be in a notice e-mail. */
const CLINICAL_TEXT = () => [
  NOTE.title,
  "褥瘡",
  "仙骨部",
  NOTE.body,
  PATIENT.nameKanji,
  "汐見",
  PATIENT.nameKana,
  "シオミ",
  regionalId,
  ...FACILITY_PATIENT_IDS,
  patientId,
  HOSPITAL_NAME,
  STATION_NAME,
];

const outboxRows = () => db().mailOutbox.findMany({ orderBy: [{ createdAt: "asc" }, { toAddress: "asc" }] });

describe("notice e-mails", () => {
  it("without SMTP_URL the messages wait in the outbox and deliverPendingMail sends nothing", async () => {
    const unread = await countUnreadNotifications(careManager);
    await postNote(nurse, patientId, noteInput(), []);
    // the participant without an address still gets the in-app notice
    expect(await countUnreadNotifications(careManager)).toBe(unread + 1);

    const rows = await outboxRows();
    expect(rows.map((r) => [r.toAddress, r.toUserId, r.state, r.attempts])).toEqual([
      [ADDRESSES.doctor, doctor.userId, "PENDING", 0],
      [ADDRESSES.wardNurse, wardNurse.userId, "PENDING", 0],
    ]);
    expect(await deliverPendingMail()).toEqual({ sent: 0, failed: 0, waiting: 0 });
    expect((await outboxRows()).map((r) => [r.state, r.attempts, r.sentAt])).toEqual([
      ["PENDING", 0, null],
      ["PENDING", 0, null],
    ]);
  });

  it("once SMTP is configured, one message per recipient with an address, with the sign-in link and no clinical text; rows SENT", async () => {
    const smtp = await startSmtp();
    try {
      setEnv({ SMTP_URL: smtp.url });
      expect(await deliverPendingMail()).toEqual({ sent: 2, failed: 0, waiting: 0 });
      expect(await deliverPendingMail()).toEqual({ sent: 0, failed: 0, waiting: 0 });

      expect(smtp.received.map((m) => m.rcptTo).sort()).toEqual([[ADDRESSES.doctor], [ADDRESSES.wardNurse]]);
      for (const message of smtp.received) {
        expect(message.mailFrom).toBe("no-reply@chiikilink.invalid");
        const mail = await simpleParser(message.raw);
        const text = `${mail.subject ?? ""}\n${mail.text ?? ""}\n${mail.html || ""}`;
        expect(mail.subject).toContain("新しいノート");
        expect(mail.text).toContain(`${ORIGIN}/notifications`);
        expect(mail.html).toBeFalsy();
        for (const secret of CLINICAL_TEXT()) expect(text, `"${secret}" in the e-mail`).not.toContain(secret);
        // nothing of the post hides in the raw message either (e.g. in a header)
        const raw = message.raw.toString("utf8");
        for (const secret of CLINICAL_TEXT()) expect(raw).not.toContain(secret);
      }

      const rows = await outboxRows();
      expect(rows.map((r) => [r.toAddress, r.state, r.attempts, r.lastError])).toEqual([
        [ADDRESSES.doctor, "SENT", 1, null],
        [ADDRESSES.wardNurse, "SENT", 1, null],
      ]);
      expect(rows.every((r) => r.sentAt instanceof Date)).toBe(true);
      // the author, the participant without an address and the bystander got nothing
      expect(smtp.received.flatMap((m) => m.rcptTo)).not.toContain(ADDRESSES.nurse);
      expect(smtp.received.flatMap((m) => m.rcptTo)).not.toContain(ADDRESSES.bystander);
      expect(await countUnreadNotifications(bystander)).toBe(0);
    } finally {
      setEnv({ SMTP_URL: undefined });
      await smtp.close();
    }
  });

  it("with SMTP configured, a comment's notices go out right after the commit, each exactly once", async () => {
    const smtp = await startSmtp();
    try {
      setEnv({ SMTP_URL: smtp.url });
      const note = (await db().clinicalContent.findFirstOrThrow({ where: { patientId, category: "NOTE_CONTACT" }, select: { id: true } })).id;
      const since = new Date();
      await postComment(doctor, note, ZPostComment.parse({ body: "褥瘡の処置方法を変更します。", notify: "on" }));
      // the commenter is not mailed; the note's author and the other participant with an address are
      const rows = await db().mailOutbox.findMany({ where: { createdAt: { gte: since } } });
      expect(rows.map((r) => r.toAddress).sort()).toEqual([ADDRESSES.nurse, ADDRESSES.wardNurse]);
      // delivery started by the post, and one more run racing it: SKIP LOCKED sends each once
      await deliverPendingMail();
      await waitFor(async () => (await db().mailOutbox.count({ where: { state: "PENDING" } })) === 0, "the outbox to empty");
      await waitFor(async () => smtp.received.length >= 2, "two messages");
      expect(smtp.received.map((m) => m.rcptTo).sort()).toEqual([[ADDRESSES.nurse], [ADDRESSES.wardNurse]]);
      for (const message of smtp.received) {
        const mail = await simpleParser(message.raw);
        expect(mail.subject).toContain("新しいコメント");
        expect(mail.text).toContain(`${ORIGIN}/notifications`);
        for (const secret of [...CLINICAL_TEXT(), "処置方法"]) expect(`${mail.subject}\n${mail.text}`).not.toContain(secret);
      }
    } finally {
      setEnv({ SMTP_URL: undefined });
      await smtp.close();
    }
  });

  it("a server that refuses: attempts count up with a backoff, and after MAIL_MAX_ATTEMPTS the message is FAILED", async () => {
    // posted while SMTP is not configured, so only the runs below try to deliver
    await postNote(nurse, patientId, noteInput({ occurredAt: "2026-11-21T10:00" }), []);
    const pending = await db().mailOutbox.findMany({ where: { state: "PENDING" } });
    expect(pending.map((r) => r.toAddress).sort()).toEqual([ADDRESSES.doctor, ADDRESSES.wardNurse]);

    const smtp = await startSmtp({ rejectRecipients: true });
    try {
      setEnv({ SMTP_URL: smtp.url });
      const base = Date.now() + 24 * 3600_000;
      const hours = (n: number) => new Date(base + n * 3600_000);
      const states = async () => (await db().mailOutbox.findMany({ where: { id: { in: pending.map((r) => r.id) } } })).map((r) => ({ state: r.state, attempts: r.attempts, lastError: r.lastError, nextAttemptAt: r.nextAttemptAt }));

      expect(await deliverPendingMail(hours(0))).toEqual({ sent: 0, failed: 0, waiting: 2 });
      let rows = await states();
      expect(rows.map((r) => [r.state, r.attempts])).toEqual([
        ["PENDING", 1],
        ["PENDING", 1],
      ]);
      expect(rows[0]!.lastError).toMatch(/550|mailbox unavailable|rejected/);
      // the next attempt waits (1 minute after the first failure)
      expect(rows.every((r) => r.nextAttemptAt.getTime() === hours(0).getTime() + 60_000)).toBe(true);
      expect(await deliverPendingMail(hours(0))).toEqual({ sent: 0, failed: 0, waiting: 0 });

      for (let attempt = 2; attempt < MAIL_MAX_ATTEMPTS; attempt++) {
        expect(await deliverPendingMail(hours(attempt))).toEqual({ sent: 0, failed: 0, waiting: 2 });
        rows = await states();
        expect(rows.map((r) => [r.state, r.attempts])).toEqual([
          ["PENDING", attempt],
          ["PENDING", attempt],
        ]);
        expect(rows[0]!.nextAttemptAt.getTime()).toBe(hours(attempt).getTime() + attempt * attempt * 60_000);
      }
      expect(await deliverPendingMail(hours(MAIL_MAX_ATTEMPTS))).toEqual({ sent: 0, failed: 2, waiting: 0 });
      expect((await states()).map((r) => [r.state, r.attempts])).toEqual([
        ["FAILED", MAIL_MAX_ATTEMPTS],
        ["FAILED", MAIL_MAX_ATTEMPTS],
      ]);
      // given up: never tried again
      expect(await deliverPendingMail(hours(1000))).toEqual({ sent: 0, failed: 0, waiting: 0 });
      expect(smtp.received).toEqual([]);
      expect(smtp.rejected.length).toBe(2 * MAIL_MAX_ATTEMPTS);

      // the secretariat sees them; nobody else may
      const outbox = await listOutbox(secretariat, { state: "FAILED" });
      expect(outbox).toMatchObject({ total: 2, smtpConfigured: true, counts: { FAILED: 2, SENT: 4 } });
      await expect(listOutbox(doctor, {})).rejects.toBeInstanceOf(AppError);
    } finally {
      setEnv({ SMTP_URL: undefined });
      await smtp.close();
    }
  });
});
