import "server-only";
import { Prisma } from "@/generated/prisma/client";
import type { StaffRole } from "@/generated/prisma/enums";
import { db } from "@/lib/db/client";
import { assertAllowed, canManageStaffOf, isSecretariat } from "@/lib/access/roles";
import { hashSecret } from "@/lib/auth/hash";
import { newTemporaryPassword, recordSignInEvent, setTemporaryPassword } from "@/lib/auth/mutations";
import { removeAllSecondFactors } from "@/lib/auth/second-factor/mutations";
import type { TViewer } from "@/lib/auth/viewer-type";
import { AppError, notFound, fieldError } from "@/lib/errors";
import { isUuid } from "@/lib/text";
import { canAdministerStaff } from "@/lib/staff/queries";
import type { TCreateStaff, TUpdateStaff } from "@/lib/staff/schema";

const loginIdTaken = () => fieldError("loginId", "v.staff.loginId.taken");
const isUniqueViolation = (e: unknown) => e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002";

/** The secretariat role opens every facility's administration: only the secretariat hands it out. */
function assertMayGrant(viewer: TViewer, roles: StaffRole[], had: StaffRole[] = []) {
  if (isSecretariat(viewer)) return;
  if (roles.includes("SECRETARIAT") !== had.includes("SECRETARIAT")) throw fieldError("roles", "v.staff.roles.secretariatOnly");
}

/**
 * The account an administrator may act on. Another facility's account answers "not found" so its
 * existence is not revealed. A secretariat account is the secretariat's to manage: a facility
 * admin resetting its password would otherwise take over the secretariat's powers.
 */
async function loadManageable(viewer: TViewer, id: string) {
  assertAllowed(canAdministerStaff(viewer), "manage staff");
  const user = isUuid(id)
    ? await db().staffUser.findUnique({ where: { id }, select: { id: true, loginId: true, facilityId: true, roles: true, isRetired: true } })
    : null;
  if (!user || !canManageStaffOf(viewer, user.facilityId)) throw notFound("staff");
  if (user.roles.includes("SECRETARIAT") && !isSecretariat(viewer)) {
    throw new AppError("FORBIDDEN", "not allowed: manage a secretariat account");
  }
  return user;
}

/** Retiring or resetting oneself goes through the profile page, never through administration. */
function assertNotSelf(viewer: TViewer, id: string) {
  if (viewer.userId === id) throw fieldError("_form", "v.staff.self");
}

/** Login IDs compare without case so "Yamada" cannot sit next to "yamada". */
async function isLoginIdTaken(loginId: string): Promise<boolean> {
  return (await db().staffUser.count({ where: { loginId: { equals: loginId, mode: "insensitive" } } })) > 0;
}

/**
 * Creates an account with a temporary password the administrator hands over; the user must change
 * it at first sign-in. The password is returned once and never stored in clear.
 */
export async function createStaff(viewer: TViewer, input: TCreateStaff): Promise<{ id: string; temporaryPassword: string }> {
  assertAllowed(canManageStaffOf(viewer, input.facilityId), "manage staff of this facility");
  assertMayGrant(viewer, input.roles);
  const facility = await db().facility.findUnique({ where: { id: input.facilityId }, select: { isActive: true } });
  if (!facility) throw fieldError("facilityId", "v.staff.facilityId.unknown");
  if (!facility.isActive) throw fieldError("facilityId", "v.staff.facilityId.inactive");
  if (await isLoginIdTaken(input.loginId)) throw loginIdTaken();

  const temporaryPassword = newTemporaryPassword();
  // Hashed before the transaction opens: argon2 is slow on purpose and need not hold a connection.
  const passwordHash = await hashSecret(temporaryPassword);
  try {
    const user = await db().$transaction(async (tx) => {
      const created = await tx.staffUser.create({
        data: {
          facilityId: input.facilityId,
          loginId: input.loginId,
          nameKanji: input.nameKanji,
          nameKana: input.nameKana,
          qualification: input.qualification,
          roles: input.roles,
          hasEmsPrivilege: input.hasEmsPrivilege,
          email: input.email,
          passwordHash,
          passwordChangedAt: new Date(),
          mustChangePassword: true,
        },
        select: { id: true },
      });
      await tx.passwordHistory.create({ data: { userId: created.id, passwordHash } });
      return created;
    });
    return { id: user.id, temporaryPassword };
  } catch (e) {
    throw isUniqueViolation(e) ? loginIdTaken() : e;
  }
}

export async function updateStaff(viewer: TViewer, id: string, input: TUpdateStaff): Promise<void> {
  const user = await loadManageable(viewer, id);
  assertMayGrant(viewer, input.roles, user.roles);
  await db().staffUser.update({
    where: { id: user.id },
    data: {
      nameKanji: input.nameKanji,
      nameKana: input.nameKana,
      qualification: input.qualification,
      roles: input.roles,
      hasEmsPrivilege: input.hasEmsPrivilege,
      email: input.email,
    },
    select: { id: true },
  });
}

/** 退職: the account stays (its history refers to it) but can no longer sign in; open sessions end now. */
export async function retireStaff(viewer: TViewer, id: string): Promise<void> {
  const user = await loadManageable(viewer, id);
  assertNotSelf(viewer, user.id);
  const now = new Date();
  await db().$transaction(async (tx) => {
    // Retiring twice keeps the first date.
    await tx.staffUser.updateMany({ where: { id: user.id, isRetired: false }, data: { isRetired: true, retiredAt: now } });
    await tx.userSession.updateMany({ where: { userId: user.id, endedAt: null }, data: { endedAt: now, endReason: "RETIRED" } });
  });
}

export async function reinstateStaff(viewer: TViewer, id: string): Promise<void> {
  const user = await loadManageable(viewer, id);
  await db().staffUser.update({ where: { id: user.id }, data: { isRetired: false, retiredAt: null }, select: { id: true } });
}

/**
 * Sets a temporary password (ending the user's sessions), unlocks the account and records who did
 * it. The password is returned once for the administrator to hand over.
 */
export async function resetStaffPassword(viewer: TViewer, id: string): Promise<{ temporaryPassword: string }> {
  const user = await loadManageable(viewer, id);
  assertNotSelf(viewer, user.id);
  const temporaryPassword = newTemporaryPassword();
  await db().$transaction(async (tx) => {
    await setTemporaryPassword(tx, user.id, temporaryPassword);
    // Said here too: an administrator's reset is also how a locked-out user gets back in.
    await tx.staffUser.update({ where: { id: user.id }, data: { failedSignInCount: 0, lockedUntil: null }, select: { id: true } });
    await recordSignInEvent(
      {
        kind: "PASSWORD_RESET_BY_ADMIN",
        loginId: user.loginId,
        userId: user.id,
        facilityId: user.facilityId,
        certSerial: viewer.certSerial,
        detail: `by ${viewer.loginId}`,
      },
      tx,
    );
  });
  return { temporaryPassword };
}

/**
 * Removes the user's second factors (a lost phone or key) and ends their sessions; under a policy
 * that requires one, the next sign-in enrols a new one. Recorded with who did it.
 */
export async function resetStaffSecondFactor(viewer: TViewer, id: string): Promise<{ removed: number }> {
  const user = await loadManageable(viewer, id);
  assertNotSelf(viewer, user.id);
  return db().$transaction(async (tx) => {
    const result = await removeAllSecondFactors(tx, user.id);
    await recordSignInEvent(
      {
        kind: "SECOND_FACTOR_RESET_BY_ADMIN",
        loginId: user.loginId,
        userId: user.id,
        facilityId: user.facilityId,
        certSerial: viewer.certSerial,
        detail: `by ${viewer.loginId} (${result.removed} removed)`,
      },
      tx,
    );
    return result;
  });
}
