import "server-only";
import type { Prisma } from "@/generated/prisma/client";
import type { ContentCategory } from "@/generated/prisma/enums";
import { db } from "@/lib/db/client";
import { contentVisibleWhere } from "@/lib/access/visibility";
import { writeAccessLog } from "@/lib/audit/mutations";
import type { TViewer } from "@/lib/auth/viewer-type";
import { notFound } from "@/lib/errors";
import { readBytes } from "@/lib/files/store";
import { isUuid } from "@/lib/text";

export type TContentRow = {
  id: string;
  category: ContentCategory;
  occurredAt: Date;
  occurredDate: Date;
  title: string;
  ownerFacilityName: string;
  /** images and PDFs that came with the item */
  files: { id: string; fileName: string; contentType: string }[];
};

export type TContentDetail = TContentRow & { payload: unknown };

/** Contents the viewer may see (the one rule: 基本情報 scope for PATIENT_INFO, 診療情報 for the rest), withdrawn items excluded. */
export function visibleContentsWhere(viewer: TViewer, now: Date = new Date()): Prisma.ClinicalContentWhereInput {
  return {
    isDeleted: false,
    OR: [
      { AND: [{ category: "PATIENT_INFO" }, contentVisibleWhere(viewer, "BASIC", now)] },
      { AND: [{ category: { not: "PATIENT_INFO" } }, contentVisibleWhere(viewer, "CLINICAL", now)] },
    ],
  };
}

const rowSelect = {
  id: true,
  category: true,
  occurredAt: true,
  occurredDate: true,
  title: true,
  payload: true,
  ownerFacility: { select: { nameKanji: true } },
} satisfies Prisma.ClinicalContentSelect;

const toRow = ({ ownerFacility, payload, ...r }: Prisma.ClinicalContentGetPayload<{ select: typeof rowSelect }>): TContentRow => ({
  ...r,
  ownerFacilityName: ownerFacility.nameKanji,
  files: filesOf(payload).map(({ id, fileName, contentType }) => ({ id, fileName, contentType })),
});

/** A patient's contents, newest first (titles and dates only). The listing is logged. */
export async function listPatientContents(viewer: TViewer, patientId: string, opts: { take?: number; now?: Date } = {}): Promise<TContentRow[]> {
  if (!isUuid(patientId)) return [];
  const now = opts.now ?? new Date();
  return db().$transaction(async (tx) => {
    const rows = await tx.clinicalContent.findMany({
      where: { patientId, ...visibleContentsWhere(viewer, now) },
      orderBy: [{ occurredAt: "desc" }, { id: "asc" }],
      take: Math.min(opts.take ?? 100, 500),
      select: rowSelect,
    });
    await writeAccessLog(tx, viewer, { accessType: "CONTENT_LIST", patientId, detail: `${rows.length} items` });
    return rows.map(toRow);
  });
}

/** One content with its payload, through the rule; a refusal is "not found" and logged. */
export async function getContent(viewer: TViewer, id: string, now: Date = new Date()): Promise<TContentDetail> {
  const found = await db().$transaction(async (tx) => {
    const row = isUuid(id)
      ? await tx.clinicalContent.findFirst({ where: { id, ...visibleContentsWhere(viewer, now) }, select: { ...rowSelect, patientId: true, ownerFacilityId: true } })
      : null;
    if (!row) {
      await writeAccessLog(tx, viewer, { accessType: "DENIED", contentId: id.slice(0, 64), detail: `content ${id.slice(0, 80)}` });
      return null;
    }
    await writeAccessLog(tx, viewer, { accessType: "CONTENT_VIEW", patientId: row.patientId, ownerFacilityId: row.ownerFacilityId, contentId: row.id });
    return row;
  });
  if (!found) throw notFound("content");
  const { patientId: _p, ownerFacilityId: _o, ...rest } = found;
  return { ...toRow(rest), payload: rest.payload };
}

/** The files listed in a content's payload (images, PDFs). */
export function filesOf(payload: unknown): { id: string; fileName: string; contentType: string; size: number }[] {
  const files = (payload as { files?: unknown } | null)?.files;
  return Array.isArray(files) ? (files as { id: string; fileName: string; contentType: string; size: number }[]) : [];
}

/** One file of a content: the content goes through the rule (and its log row) first. */
export async function getContentFile(viewer: TViewer, contentId: string, fileId: string) {
  const content = await getContent(viewer, contentId);
  const listed = filesOf(content.payload).find((f) => f.id === fileId);
  const file = listed && isUuid(fileId) ? await db().storedFile.findUnique({ where: { id: fileId } }) : null;
  if (!file) throw notFound("file");
  return { fileName: file.fileName, contentType: file.contentType, bytes: await readBytes(file.storageKey, file.sha256) };
}
