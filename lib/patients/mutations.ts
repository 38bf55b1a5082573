import "server-only";
import { Prisma } from "@/generated/prisma/client";
import { db, type TTx } from "@/lib/db/client";
import { whoSees, writePatient } from "@/lib/access/gateway";
import { assertAllowed, canPublish, canUnlink, mayRegisterPatients } from "@/lib/access/roles";
import type { TViewer } from "@/lib/auth/viewer-type";
import { attachContentsToLink, detachContentsFromLink } from "@/lib/clinical/mutations";
import { insertConsentEvent, lockPatient, rebuildConsentPeriods, storeConsentScan, type TScanUpload } from "@/lib/consent/mutations";
import { formatSeireki } from "@/lib/dates";
import { AppError, notFound, fieldError } from "@/lib/errors";
import { deleteBytes } from "@/lib/files/store";
import type { TDuplicate } from "@/lib/patients/dto";
import { findDuplicates } from "@/lib/patients/queries";
import { regionalIdFromSequence } from "@/lib/patients/regional-id";
import { notifyPublication } from "@/lib/securemail/notices";
import type { TAddLink, TLinkInput, TPatientInfo, TPublication, TRegisterPatient, TUnlink, TUpdatePatient } from "@/lib/patients/schema";
import { isUuid, kanaKey } from "@/lib/text";

const isUniqueViolation = (e: unknown) => e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002";

/** Registration refused because of likely duplicates the liaison has not yet seen. */
export class DuplicateWarning extends AppError {
  constructor(readonly duplicates: TDuplicate[]) {
    super("CONFLICT", "v.patient.duplicate", { _form: ["v.patient.duplicate"] });
  }
}

/** The stored form of the personal information (and the revision snapshot). */
function patientData(info: TPatientInfo) {
  const kana = info.nameKana;
  const space = kana.indexOf(" ");
  return {
    nameKanji: info.nameKanji,
    nameKana: kana,
    kanaKey: kanaKey(kana),
    kanaGivenKey: space >= 0 ? kanaKey(kana.slice(space + 1)) : "",
    sex: info.sex,
    birthDate: info.birthDate,
    postalCode: info.postalCode,
    address: info.address,
    phone: info.phone,
    mobilePhone: info.mobilePhone,
  };
}

const snapshot = (info: TPatientInfo) => ({
  nameKanji: info.nameKanji,
  nameKana: info.nameKana,
  sex: info.sex,
  birthDate: formatSeireki(info.birthDate),
  postalCode: info.postalCode,
  address: info.address,
  phone: info.phone,
  mobilePhone: info.mobilePhone,
});

async function nextRegionalId(tx: TTx): Promise<string> {
  const [row] = await tx.$queryRaw<{ n: bigint }[]>`SELECT nextval('regional_patient_seq') AS n`;
  return regionalIdFromSequence(row!.n);
}

/**
 * Checks a facility ID before linking, for a message on the right field: the facility must take
 * part, and its ID must not already name another patient (the unique index is the last word).
 */
async function assertLinkable(tx: TTx, link: TLinkInput, field: string, patientId?: string) {
  const facility = await tx.facility.findUnique({ where: { id: link.facilityId }, select: { isActive: true, type: true } });
  if (!facility || !facility.isActive || facility.type === "SECRETARIAT") throw fieldError(`${field}.facilityId`, "v.link.facilityId.unknown");
  const taken = await tx.facilityPatientLink.findFirst({
    where: { facilityId: link.facilityId, unlinkedAt: null, OR: [{ facilityPatientId: link.facilityPatientId }, ...(patientId ? [{ patientId }] : [])] },
    select: { patientId: true, facilityPatientId: true },
  });
  if (taken && taken.facilityPatientId === link.facilityPatientId) throw fieldError(`${field}.facilityPatientId`, "v.link.taken");
  if (taken) throw fieldError(`${field}.facilityId`, "v.link.facilityLinked");
}

async function createLink(tx: TTx, viewer: TViewer, patientId: string, link: TLinkInput, field: string) {
  await assertLinkable(tx, link, field, patientId);
  let created: { id: string };
  try {
    // A savepoint-free insert: a unique violation aborts the transaction, which is what we want.
    created = await tx.facilityPatientLink.create({
      data: { patientId, facilityId: link.facilityId, facilityPatientId: link.facilityPatientId, linkedById: viewer.userId, linkedByFacilityId: viewer.facilityId },
      select: { id: true },
    });
  } catch (e) {
    throw isUniqueViolation(e) ? fieldError(`${field}.facilityPatientId`, "v.link.taken") : e;
  }
  // Data the facility sent before the link joins the patient now.
  await attachContentsToLink(tx, { id: created.id, facilityId: link.facilityId, facilityPatientId: link.facilityPatientId, patientId });
  return created;
}

/**
 * 患者登録 (seed 000, first registration): personal information, the facility patient IDs and the
 * consent, in one transaction. Likely duplicates stop it until the liaison confirms.
 */
export async function registerPatient(viewer: TViewer, input: TRegisterPatient, scanUpload: TScanUpload = null): Promise<{ id: string; regionalId: string }> {
  assertAllowed(mayRegisterPatients(viewer.roles), "register patients");
  if (!input.confirmDuplicate) {
    const duplicates = await findDuplicates(viewer, { patient: input.patient, links: input.links });
    if (duplicates.length > 0) throw new DuplicateWarning(duplicates);
  }
  const scan = await storeConsentScan(scanUpload, "consent.scan");
  try {
    return await db().$transaction(async (tx) => {
      const now = new Date();
      const regionalId = await nextRegionalId(tx);
      const patient = await tx.patient.create({
        data: { ...patientData(input.patient), regionalId, createdById: viewer.userId, createdByFacilityId: viewer.facilityId },
        select: { id: true },
      });
      await tx.patientRevision.create({
        data: { patientId: patient.id, version: 1, data: snapshot(input.patient), changedById: viewer.userId, changedByFacilityId: viewer.facilityId, changedAt: now },
      });
      for (const [i, link] of input.links.entries()) await createLink(tx, viewer, patient.id, link, `links.${i}`);
      if (input.consent) await insertConsentEvent(tx, viewer, patient.id, input.consent, scan, now);
      await notifyPublication(tx, patient.id, new Set(), now);
      return { id: patient.id, regionalId };
    });
  } catch (e) {
    if (scan) await deleteBytes(scan.storageKey);
    throw e;
  }
}

/** 個人情報の修正: saved as a new version; the previous versions stay in the revision history. */
export async function updatePatientInfo(viewer: TViewer, id: string, input: TUpdatePatient): Promise<{ version: number }> {
  return writePatient(viewer, "registration", id, async ({ tx }) => {
    await lockPatient(tx, id);
    const current = await tx.patient.findUniqueOrThrow({ where: { id }, select: { version: true } });
    if (current.version !== input.version) throw new AppError("CONFLICT", "v.patient.stale", { _form: ["v.patient.stale"] });
    const version = current.version + 1;
    await tx.patient.update({ where: { id }, data: { ...patientData(input), version }, select: { id: true } });
    await tx.patientRevision.create({
      data: { patientId: id, version, data: snapshot(input), reason: input.reason, changedById: viewer.userId, changedByFacilityId: viewer.facilityId },
    });
    return { value: { version } };
  });
}

/**
 * 施設患者ID登録. Liaison staff link their own facility's ID to any registered patient (seed 000,
 * adding a facility: found by 個人情報検索, "閲覧側で付与"), and any facility's ID to a patient whose
 * registration they manage; the secretariat links anything. The consent periods are rebuilt so a
 * standing comprehensive consent covers the new link at once.
 */
export async function linkFacilityPatient(viewer: TViewer, input: TAddLink): Promise<{ id: string }> {
  assertAllowed(mayRegisterPatients(viewer.roles), "link facility patient IDs");
  return writePatient(viewer, "link", input.patientId, async (scope) => {
    const { tx, patientId } = scope;
    // one's own facility's ID may be linked to any registered patient; another's only by those who manage the registration
    if (!scope.administers && input.facilityId !== viewer.facilityId) scope.deny();
    await lockPatient(tx, patientId);
    const now = new Date();
    const before = await whoSees.facilities(tx, patientId, now);
    const link = await createLink(tx, viewer, patientId, input, "link");
    await rebuildConsentPeriods(tx, patientId);
    await notifyPublication(tx, patientId, before, now);
    return { value: link };
  });
}

/** Unlinking keeps the link as history, with who, when and why. */
export async function unlinkFacilityPatient(viewer: TViewer, input: TUnlink): Promise<void> {
  const found = isUuid(input.linkId) ? await db().facilityPatientLink.findUnique({ where: { id: input.linkId }, select: { patientId: true } }) : null;
  if (!found) throw notFound("link");
  await writePatient(viewer, "registration", found.patientId, async ({ tx }) => {
    const link = await tx.facilityPatientLink.findUniqueOrThrow({
      where: { id: input.linkId },
      select: { id: true, patientId: true, facilityId: true, linkedByFacilityId: true, unlinkedAt: true },
    });
    if (link.unlinkedAt !== null) throw notFound("link");
    if (!canUnlink(viewer, link)) throw new AppError("FORBIDDEN", "not allowed: unlink");
    await lockPatient(tx, link.patientId);
    await tx.facilityPatientLink.updateMany({
      where: { id: link.id, unlinkedAt: null },
      data: { unlinkedAt: new Date(), unlinkedById: viewer.userId, unlinkReason: input.reason },
    });
    await detachContentsFromLink(tx, link.id);
    return { value: undefined };
  });
}

/** 公開 / 非公開 / 閲覧のみ and 公開範囲 of one facility's patient (seed 004 自施設患者一覧). */
export async function setPublication(viewer: TViewer, input: TPublication): Promise<void> {
  const link = await db().facilityPatientLink.findUnique({ where: { id: input.linkId }, select: { id: true, patientId: true, facilityId: true, unlinkedAt: true } });
  if (!link || link.unlinkedAt !== null || !canPublish(viewer, link.facilityId)) throw notFound("link");
  await db().$transaction(async (tx) => {
    await lockPatient(tx, link.patientId);
    const now = new Date();
    const before = await whoSees.facilities(tx, link.patientId, now);
    await tx.facilityPatientLink.update({
      where: { id: link.id },
      data: {
        publicationState: input.publicationState,
        shareBasic: input.shareBasic,
        shareClinical: input.shareClinical,
        publicationChangedAt: now,
        publicationChangedById: viewer.userId,
      },
      select: { id: true },
    });
    await notifyPublication(tx, link.patientId, before, now);
  });
}

/** ブックマーク on a patient the viewer may see (seed 001: "連携患者にブックマーク"). */
export async function setBookmark(viewer: TViewer, patientId: string, isOn: boolean): Promise<void> {
  // Removing one's own bookmark needs no visibility (a hidden patient's bookmark can be cleared).
  if (!isOn) {
    if (isUuid(patientId)) await db().patientBookmark.deleteMany({ where: { userId: viewer.userId, patientId } });
    return;
  }
  await writePatient(viewer, "bookmark", patientId, async ({ tx }) => {
    await tx.patientBookmark.upsert({
      where: { userId_patientId: { userId: viewer.userId, patientId } },
      create: { userId: viewer.userId, patientId },
      update: {},
      select: { patientId: true },
    });
    return { value: undefined };
  });
}
