import "server-only";
import type { TDb, TTx } from "@/lib/db/client";
import { whoSees } from "@/lib/access/gateway";
import { passwordExpiresAt } from "@/lib/auth/password-policy";
import { env } from "@/lib/env";
import { sendSystemMessage } from "@/lib/securemail/mutations";

/*
 * System messages (C9): the automatic notices of seed 004 ④ (公開設定後の自動セキュアメール) and
 * the password-expiry reminder. They are written in the transaction of what caused them, so a
 * rolled-back change notifies nobody. A notice tells a facility's liaison desk that sharing
 * changed; it grants nothing: reading the patient still goes through the visibility rule.
 */

/* ---- the notice texts (pure) ---- */

/** The subject of both publication notices, as K-MIX R's Internet notice titles them. */
export const PUBLICATION_SUBJECT = "【自動送信】公開設定完了のお知らせ";
export const PASSWORD_EXPIRY_SUBJECT = "【自動送信】パスワード有効期限のお知らせ";

const JST_MS = 9 * 3600_000;

/** A calendar date (UTC midnight, as birth dates are stored) as 1957/12/1. */
export const formatNoticeDate = (d: Date) => `${d.getUTCFullYear()}/${d.getUTCMonth() + 1}/${d.getUTCDate()}`;

/** An instant as Japan's wall clock, as seed 004's notices print it: 2021/7/15 14:30. */
export function formatNoticeDateTime(at: Date): string {
  const j = new Date(at.getTime() + JST_MS);
  return `${formatNoticeDate(j)} ${j.getUTCHours()}:${String(j.getUTCMinutes()).padStart(2, "0")}`;
}

export type TPublicationNoticeKind = "PUBLICATION_NOTICE" | "PUBLICATION_ADDED";

/** One other facility that shares the patient: since when (公開日時) and when its ID was linked (名寄せ日時). */
export type TSharingFacility = { facilityName: string; publishedAt: Date; linkedAt: Date };

export type TPublicationNotice = {
  kind: TPublicationNoticeKind;
  regionalId: string;
  /** the recipient facility's own ID for the patient */
  facilityPatientId: string;
  nameKanji: string;
  nameKana: string;
  birthDate: Date;
  /** 自施設: the recipient facility */
  facilityName: string;
  /** 患者同意施設: the other facilities the consent covers that share the patient, in the order listed */
  sharing: TSharingFacility[];
};

const PUBLICATION_LEAD: Record<TPublicationNoticeKind, string> = {
  PUBLICATION_NOTICE: "ポータルサイトにて以下の患者が公開されました。",
  PUBLICATION_ADDED: "ポータルサイトにて以下の患者の患者同意施設公開先が追加されました。",
};

/** The body of seed 004 ④'s notices: 1回目 (公開完了) and 2回目以降 (公開先の追加). */
export function publicationNoticeBody(n: TPublicationNotice): string {
  const table = (at: (f: TSharingFacility) => Date) => n.sharing.map((f) => `${f.facilityName}　${formatNoticeDateTime(at(f))}`);
  return [
    PUBLICATION_LEAD[n.kind],
    "",
    `地域患者ID：${n.regionalId}`,
    `施設患者ID：${n.facilityPatientId}`,
    `氏名：${n.nameKanji}`,
    `カナ氏名：${n.nameKana}`,
    `生年月日：${formatNoticeDate(n.birthDate)}`,
    `自施設：${n.facilityName}`,
    `患者同意施設：${n.sharing.length > 0 ? n.sharing.map((f) => f.facilityName).join("・") : "なし"}`,
    "",
    "公開日時：",
    ...table((f) => f.publishedAt),
    "",
    "名寄せ日時：",
    ...table((f) => f.linkedAt),
    "",
    "※患者同意施設は、現在、患者様が同意している全施設を掲載しています。",
  ].join("\n");
}

/** The reminder names no patient and links to nothing clinical. */
export function passwordExpiryBody(expiresAt: Date): string {
  return [
    "ポータルサイトのパスワードの有効期限が近づいています。",
    "",
    `有効期限：${formatNoticeDateTime(expiresAt)}`,
    "",
    "期限までにログインし、パスワードを変更してください。期限を過ぎると、次回ログイン時に変更が必要になります。",
    "※このメッセージはシステムからの自動送信です。",
  ].join("\n");
}

export const EMS_SUBJECT = "【自動送信】救急時閲覧（EMS）のお知らせ";

/** What the disclosing facility is told at once when its data was opened by EMS (C8). */
export type TEmsNotice = {
  facilityPatientId: string;
  viewerName: string;
  viewerFacilityName: string;
  at: Date;
  reason: string;
  /** how consent was obtained: 口頭（本人）, 家族, 意識障害のため取得できず… */
  consent: string;
};

/**
 * The EMS notice (C8: "the disclosing facility is notified at once (secure mail)"; seed 000 asks
 * the viewing side to tell the facility why). It names the facility's own patient ID, who opened
 * the data, when, why and on what consent.
 */
export function emsNoticeBody(n: TEmsNotice): string {
  return [
    "貴施設の患者の診療情報が、EMS（救急時閲覧）により参照されました。",
    "",
    `施設患者ID：${n.facilityPatientId}`,
    `参照日時：${formatNoticeDateTime(n.at)}`,
    `参照者：${n.viewerFacilityName} ${n.viewerName}`,
    `理由：${n.reason}`,
    `同意の取得：${n.consent}`,
    "",
    "参照の記録はコンテンツ参照記録（アクセスログ）に「EMS」として残ります。",
    "※このメッセージはシステムからの自動送信です。",
  ].join("\n");
}

/** Sends the EMS notice to the disclosing facility's desk, in the transaction that records the EMS access. */
export async function sendEmsNotice(tx: TTx, disclosingFacilityId: string, patientId: string, n: TEmsNotice): Promise<string | null> {
  return sendSystemMessage(tx, { kind: "EMS_NOTICE", userIds: await facilityDeskUserIds(tx, disclosingFacilityId), subject: EMS_SUBJECT, body: emsNoticeBody(n), patientId }, n.at);
}

/* ---- publication notices ---- */

/**
 * A facility's liaison desk (the 専用アカウント of seed 004): its active liaison staff, else its
 * administrators. Empty when it has neither.
 */
export async function facilityDeskUserIds(tx: TTx, facilityId: string): Promise<string[]> {
  const staff = await tx.staffUser.findMany({
    where: { facilityId, isRetired: false, roles: { hasSome: ["LIAISON", "FACILITY_ADMIN"] } },
    select: { id: true, roles: true },
    orderBy: { loginId: "asc" },
  });
  const liaison = staff.filter((u) => u.roles.includes("LIAISON"));
  return (liaison.length > 0 ? liaison : staff).map((u) => u.id);
}

const latest = (...dates: (Date | null | undefined)[]) => new Date(Math.max(...dates.filter((d): d is Date => d != null).map((d) => d.getTime())));

/**
 * After a change to the patient's links, consent or publication (inside its transaction, the
 * patient locked): each facility that now sees the patient and did not in `before` gets the first
 * notice; each that already did gets the "公開先が追加されました" notice when others joined.
 * Returns the number of messages sent.
 */
export async function notifyPublication(tx: TTx, patientId: string, before: ReadonlySet<string>, now: Date): Promise<number> {
  // the facilities that see the patient now (the rule's answer), with the consent period in force for when sharing began
  const viewing = await whoSees.viewingLinks(tx, patientId, now);
  const consentFrom = new Map(viewing.map((v) => [v.linkId, v.consentFrom]));
  const links = await tx.facilityPatientLink.findMany({
    where: { id: { in: viewing.map((v) => v.linkId) } },
    select: { id: true, facilityId: true, facilityPatientId: true, linkedAt: true, publicationChangedAt: true, facility: { select: { nameKanji: true } } },
  });
  const added = links.filter((l) => !before.has(l.facilityId));
  if (added.length === 0) return 0;
  const patient = await tx.patient.findUniqueOrThrow({
    where: { id: patientId },
    select: { regionalId: true, nameKanji: true, nameKana: true, birthDate: true },
  });
  // Shared from the latest of: linked, its publication last set, the consent in force covering it.
  const sharing = links
    .map((l) => ({
      facilityId: l.facilityId,
      facilityName: l.facility.nameKanji,
      linkedAt: l.linkedAt,
      publishedAt: latest(l.linkedAt, l.publicationChangedAt, consentFrom.get(l.id)),
    }))
    .sort((a, b) => a.publishedAt.getTime() - b.publishedAt.getTime() || a.facilityName.localeCompare(b.facilityName, "ja"));

  let sent = 0;
  for (const link of [...links].sort((a, b) => a.facility.nameKanji.localeCompare(b.facility.nameKanji, "ja"))) {
    const kind: TPublicationNoticeKind = before.has(link.facilityId) ? "PUBLICATION_ADDED" : "PUBLICATION_NOTICE";
    const userIds = await facilityDeskUserIds(tx, link.facilityId);
    if (userIds.length === 0) continue;
    const body = publicationNoticeBody({
      kind,
      regionalId: patient.regionalId,
      facilityPatientId: link.facilityPatientId,
      nameKanji: patient.nameKanji,
      nameKana: patient.nameKana,
      birthDate: patient.birthDate,
      facilityName: link.facility.nameKanji,
      sharing: sharing.filter((s) => s.facilityId !== link.facilityId),
    });
    if (await sendSystemMessage(tx, { kind, userIds, subject: PUBLICATION_SUBJECT, body, patientId }, now)) sent++;
  }
  return sent;
}

/* ---- password expiry ---- */

const DAY_MS = 86_400_000;

/**
 * The daily reminder (server.ts): each active user whose password expires within
 * PASSWORD_EXPIRY_WARNING_DAYS gets one system message per password (none since its last change).
 * Takes the client from the caller: the data layer's files own it (design.md rule 1). Returns the
 * number of reminders sent.
 */
export async function sendPasswordExpiryReminders(client: TDb, now: Date = new Date()): Promise<number> {
  const { PASSWORD_MAX_AGE_MONTHS: months, PASSWORD_EXPIRY_WARNING_DAYS: warnDays } = env();
  const horizon = now.getTime() + warnDays * DAY_MS;
  // A coarse database cut (a few days of slack for month lengths); the exact test is passwordExpiresAt.
  const cut = new Date(horizon + 4 * DAY_MS);
  cut.setUTCMonth(cut.getUTCMonth() - months);
  const candidates = await client.staffUser.findMany({
    where: { isRetired: false, passwordChangedAt: { lte: cut } },
    select: { id: true, passwordChangedAt: true },
  });
  let sent = 0;
  for (const c of candidates) {
    const expiresAt = passwordExpiresAt(c.passwordChangedAt, months);
    if (expiresAt.getTime() <= now.getTime() || expiresAt.getTime() > horizon) continue;
    const isSent = await client.$transaction(async (tx) => {
      // One reminder even when several app nodes run the job at once.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`password-expiry:${c.id}`}, 0))`;
      const user = await tx.staffUser.findUnique({ where: { id: c.id }, select: { isRetired: true, passwordChangedAt: true } });
      if (!user || user.isRetired || user.passwordChangedAt.getTime() !== c.passwordChangedAt.getTime()) return false;
      const reminded = await tx.messageRecipient.count({
        where: { userId: c.id, message: { systemKind: "PASSWORD_EXPIRY", sentAt: { gte: user.passwordChangedAt } } },
      });
      if (reminded > 0) return false;
      const id = await sendSystemMessage(tx, { kind: "PASSWORD_EXPIRY", userIds: [c.id], subject: PASSWORD_EXPIRY_SUBJECT, body: passwordExpiryBody(expiresAt) }, now);
      return id !== null;
    });
    if (isSent) sent++;
  }
  return sent;
}
