import "server-only";
import type { FacilityType } from "@/generated/prisma/enums";
import type { Prisma } from "@/generated/prisma/client";
import { db } from "@/lib/db/client";
import { canManageFacilities } from "@/lib/access/roles";
import type { TViewer } from "@/lib/auth/viewer-type";
import { notFound } from "@/lib/errors";
import { isUuid, searchTerms, toKatakana } from "@/lib/text";

export type TFacilityRow = {
  id: string;
  code: string;
  medicalInstitutionCode: string | null;
  domain: string;
  nameKanji: string;
  nameKana: string;
  nameEnglish: string | null;
  postalCode: string | null;
  address: string | null;
  phone: string | null;
  email: string | null;
  type: FacilityType;
  isDisclosing: boolean;
  isViewing: boolean;
  isCoreHospital: boolean;
  /** EMS (#EMS) allowed by the network */
  emsAllowed: boolean;
  isActive: boolean;
  /** staff not retired */
  staffCount: number;
  /** 連携患者数: patients with an active facility patient ID here */
  linkedPatientCount: number;
  /** 登録患者数: patients this facility registered */
  registeredPatientCount: number;
};

const facilitySelect = {
  id: true,
  code: true,
  medicalInstitutionCode: true,
  domain: true,
  nameKanji: true,
  nameKana: true,
  nameEnglish: true,
  postalCode: true,
  address: true,
  phone: true,
  email: true,
  type: true,
  isDisclosing: true,
  isViewing: true,
  isCoreHospital: true,
  emsAllowed: true,
  isActive: true,
  _count: { select: { staff: { where: { isRetired: false } }, patientLinks: { where: { unlinkedAt: null } } } },
} satisfies Prisma.FacilitySelect;

type TFacilitySelected = Prisma.FacilityGetPayload<{ select: typeof facilitySelect }>;

const toRow = ({ _count, ...f }: TFacilitySelected, registered: Map<string, number>): TFacilityRow => ({
  ...f,
  staffCount: _count.staff,
  linkedPatientCount: _count.patientLinks,
  registeredPatientCount: registered.get(f.id) ?? 0,
});

/** Patients registered per facility (counts only: no patient data leaves this function). */
async function registeredCounts(facilityIds: string[]): Promise<Map<string, number>> {
  if (facilityIds.length === 0) return new Map();
  const rows = await db().patient.groupBy({ by: ["createdByFacilityId"], where: { createdByFacilityId: { in: facilityIds } }, _count: { _all: true } });
  return new Map(rows.map((r) => [r.createdByFacilityId!, r._count._all]));
}

/**
 * The participating-facilities list (参加施設一覧) is for every signed-in user; a facility that has
 * left the network (inactive) is shown only to the secretariat, who manages the register.
 */
const visibleTo = (viewer: TViewer): Prisma.FacilityWhereInput => (canManageFacilities(viewer) ? {} : { isActive: true });

function matchesTerm(term: string): Prisma.FacilityWhereInput {
  const kana = toKatakana(term);
  return {
    OR: [
      { nameKanji: { contains: term, mode: "insensitive" } },
      { nameKana: { contains: kana, mode: "insensitive" } },
      { code: { contains: term, mode: "insensitive" } },
      { medicalInstitutionCode: { contains: term } },
    ],
  };
}

export async function listFacilities(
  viewer: TViewer,
  filter: { q?: string | null; type?: FacilityType | null } = {},
): Promise<TFacilityRow[]> {
  const rows = await db().facility.findMany({
    where: {
      AND: [visibleTo(viewer), ...(filter.type ? [{ type: filter.type }] : []), ...searchTerms(filter.q).map(matchesTerm)],
    },
    orderBy: { code: "asc" },
    take: 1000,
    select: facilitySelect,
  });
  const registered = await registeredCounts(rows.map((r) => r.id));
  return rows.map((r) => toRow(r, registered));
}

export async function getFacility(viewer: TViewer, id: string): Promise<TFacilityRow> {
  if (!isUuid(id)) throw notFound("facility");
  const row = await db().facility.findFirst({ where: { AND: [{ id }, visibleTo(viewer)] }, select: facilitySelect });
  if (!row) throw notFound("facility");
  return toRow(row, await registeredCounts([row.id]));
}

export type TFacilityOption = { id: string; code: string; nameKanji: string };

/** Active facilities for select boxes. */
export async function listFacilityOptions(viewer: TViewer): Promise<TFacilityOption[]> {
  void viewer; // every signed-in user may see the participating facilities
  return db().facility.findMany({
    where: { isActive: true },
    orderBy: { code: "asc" },
    select: { id: true, code: true, nameKanji: true },
  });
}
