import "server-only";
import type { Prisma } from "@/generated/prisma/client";
import type { Qualification, StaffRole } from "@/generated/prisma/enums";
import { db } from "@/lib/db/client";
import { assertAllowed, canManageStaffOf, isFacilityAdmin, isSecretariat } from "@/lib/access/roles";
import type { TViewer } from "@/lib/auth/viewer-type";
import { notFound } from "@/lib/errors";
import { isUuid, searchTerms, toKatakana } from "@/lib/text";
import { STAFF_PAGE_SIZE, type TStaffSearch } from "@/lib/staff/schema";

/** Facility admins (their own facility) and the secretariat (any) administer staff accounts. */
export const canAdministerStaff = (v: TViewer) => isSecretariat(v) || isFacilityAdmin(v);

/** What any user sees of a colleague in the network (職員情報検索): no contact or security data. */
export type TStaffSearchRow = {
  id: string;
  loginId: string;
  nameKanji: string;
  nameKana: string;
  qualification: Qualification;
  facilityName: string;
  roles: StaffRole[];
  isRetired: boolean;
};

export type TStaffSearchResult = {
  rows: TStaffSearchRow[];
  total: number;
  page: number;
  pageSize: number;
};

function matchesTerm(term: string): Prisma.StaffUserWhereInput {
  return {
    OR: [
      { loginId: { contains: term, mode: "insensitive" } },
      { nameKanji: { contains: term, mode: "insensitive" } },
      { nameKana: { contains: toKatakana(term), mode: "insensitive" } },
    ],
  };
}

export async function searchStaff(viewer: TViewer, filter: Partial<TStaffSearch> = {}): Promise<TStaffSearchResult> {
  void viewer; // every signed-in user may search the network's staff (with the reduced columns below)
  const page = Math.max(1, Math.trunc(filter.page ?? 1));
  const where: Prisma.StaffUserWhereInput = {
    AND: [
      filter.includeRetired ? {} : { isRetired: false },
      filter.facilityId ? (isUuid(filter.facilityId) ? { facilityId: filter.facilityId } : { id: { in: [] } }) : {},
      filter.qualification ? { qualification: filter.qualification } : {},
      ...searchTerms(filter.q).map(matchesTerm),
    ],
  };
  const [total, rows] = await db().$transaction([
    db().staffUser.count({ where }),
    db().staffUser.findMany({
      where,
      orderBy: [{ nameKana: "asc" }, { loginId: "asc" }],
      skip: (page - 1) * STAFF_PAGE_SIZE,
      take: STAFF_PAGE_SIZE,
      select: {
        id: true,
        loginId: true,
        nameKanji: true,
        nameKana: true,
        qualification: true,
        roles: true,
        isRetired: true,
        facility: { select: { nameKanji: true } },
      },
    }),
  ]);
  return {
    rows: rows.map(({ facility, ...r }) => ({ ...r, facilityName: facility.nameKanji })),
    total,
    page,
    pageSize: STAFF_PAGE_SIZE,
  };
}

/** The administrator's view of an account. */
export type TStaffAdminRow = TStaffSearchRow & {
  facilityId: string;
  email: string | null;
  hasEmsPrivilege: boolean;
  mustChangePassword: boolean;
  lockedUntil: Date | null;
  lastSignInAt: Date | null;
  passwordChangedAt: Date;
  retiredAt: Date | null;
  createdAt: Date;
};

const adminSelect = {
  id: true,
  facilityId: true,
  loginId: true,
  nameKanji: true,
  nameKana: true,
  qualification: true,
  roles: true,
  isRetired: true,
  email: true,
  hasEmsPrivilege: true,
  mustChangePassword: true,
  lockedUntil: true,
  lastSignInAt: true,
  passwordChangedAt: true,
  retiredAt: true,
  createdAt: true,
  facility: { select: { nameKanji: true } },
} satisfies Prisma.StaffUserSelect;

const toAdminRow = ({ facility, ...r }: Prisma.StaffUserGetPayload<{ select: typeof adminSelect }>): TStaffAdminRow => ({
  ...r,
  facilityName: facility.nameKanji,
});

export async function listFacilityStaff(viewer: TViewer, facilityId: string): Promise<TStaffAdminRow[]> {
  assertAllowed(canManageStaffOf(viewer, facilityId), "manage staff of this facility");
  if (!isUuid(facilityId)) return [];
  const rows = await db().staffUser.findMany({
    where: { facilityId },
    orderBy: [{ isRetired: "asc" }, { nameKana: "asc" }, { loginId: "asc" }],
    select: adminSelect,
  });
  return rows.map(toAdminRow);
}

/** An account another facility's administrator asks for does not exist, as far as they can tell. */
export async function getStaff(viewer: TViewer, id: string): Promise<TStaffAdminRow> {
  assertAllowed(canAdministerStaff(viewer), "manage staff");
  const row = isUuid(id) ? await db().staffUser.findUnique({ where: { id }, select: adminSelect }) : null;
  if (!row || !canManageStaffOf(viewer, row.facilityId)) throw notFound("staff");
  return toAdminRow(row);
}

export type TStaffSecondFactor = { totpEnabledAt: Date | null; passkeys: number; recoveryCodesLeft: number };

/** What an administrator sees of an account's second factors: whether there are any, never a secret. */
export async function getStaffSecondFactor(viewer: TViewer, id: string): Promise<TStaffSecondFactor> {
  const staff = await getStaff(viewer, id);
  const [totp, passkeys, recoveryCodesLeft] = await Promise.all([
    db().totpFactor.findUnique({ where: { userId: staff.id }, select: { enabledAt: true } }),
    db().webauthnCredential.count({ where: { userId: staff.id } }),
    db().recoveryCode.count({ where: { userId: staff.id, usedAt: null } }),
  ]);
  return { totpEnabledAt: totp?.enabledAt ?? null, passkeys, recoveryCodesLeft };
}

export type TProfile = {
  id: string;
  loginId: string;
  nameKanji: string;
  nameKana: string;
  facilityName: string;
  qualification: Qualification;
  roles: StaffRole[];
  email: string | null;
  passwordChangedAt: Date;
  /** the question only; the answer's hash never leaves the data layer */
  secretQuestion: string | null;
  lastSignInAt: Date | null;
};

/** The viewer's own account (プロフィール). */
export async function getProfile(viewer: TViewer): Promise<TProfile> {
  const u = await db().staffUser.findUnique({
    where: { id: viewer.userId },
    select: {
      id: true,
      loginId: true,
      nameKanji: true,
      nameKana: true,
      qualification: true,
      roles: true,
      email: true,
      passwordChangedAt: true,
      secretQuestion: true,
      lastSignInAt: true,
      facility: { select: { nameKanji: true } },
    },
  });
  if (!u) throw notFound("staff");
  const { facility, ...rest } = u;
  return { ...rest, facilityName: facility.nameKanji };
}
