import "server-only";
import type { SecondFactorRequirement, SecondFactorSubject } from "@/generated/prisma/enums";
import { db, type TTx } from "@/lib/db/client";
import { assertAllowed, isSecretariat } from "@/lib/access/roles";
import type { TViewer } from "@/lib/auth/viewer-type";
import { DEFAULT_REQUIREMENT, requirementFor, SECOND_FACTOR_SUBJECTS, type TPolicy } from "@/lib/auth/second-factor/policy";
import { notFound } from "@/lib/errors";

/** The network's policy as stored (lines without a row are absent: the default applies). */
export async function readPolicy(tx: TTx = db()): Promise<TPolicy> {
  const rows = await tx.secondFactorPolicy.findMany({ select: { subject: true, requirement: true } });
  return Object.fromEntries(rows.map((r) => [r.subject, r.requirement]));
}

/** The requirement that applies to a user now (their roles and EMS privilege against the policy). */
export async function requirementOfUser(userId: string, tx: TTx = db()): Promise<SecondFactorRequirement> {
  const user = await tx.staffUser.findUnique({ where: { id: userId }, select: { roles: true, hasEmsPrivilege: true } });
  if (!user) throw notFound("staff");
  return requirementFor(await readPolicy(tx), user);
}

/** How many factors a user has: an enabled authenticator app counts one, each passkey one. */
export async function countFactors(userId: string, tx: TTx = db()): Promise<{ totp: boolean; passkeys: number }> {
  // One after the other: `tx` may be a transaction, which has a single connection.
  const totp = await tx.totpFactor.findUnique({ where: { userId }, select: { enabledAt: true } });
  const passkeys = await tx.webauthnCredential.count({ where: { userId } });
  return { totp: !!totp?.enabledAt, passkeys };
}

export type TPasskey = { id: string; name: string; createdAt: Date; lastUsedAt: Date | null; rpId: string };

export type TMySecondFactor = {
  requirement: SecondFactorRequirement;
  totpEnabledAt: Date | null;
  passkeys: TPasskey[];
  recoveryCodesLeft: number;
  recoveryCodesTotal: number;
};

/** The viewer's own factors (利用者情報 → 二要素認証): never a secret, only what exists and when. */
export async function getMySecondFactor(viewer: TViewer): Promise<TMySecondFactor> {
  const [requirement, totp, passkeys, codes] = await Promise.all([
    requirementOfUser(viewer.userId),
    db().totpFactor.findUnique({ where: { userId: viewer.userId }, select: { enabledAt: true } }),
    db().webauthnCredential.findMany({
      where: { userId: viewer.userId },
      orderBy: { createdAt: "asc" },
      select: { id: true, name: true, createdAt: true, lastUsedAt: true, rpId: true },
    }),
    db().recoveryCode.groupBy({ by: ["userId"], where: { userId: viewer.userId }, _count: { _all: true, usedAt: true } }),
  ]);
  const total = codes[0]?._count._all ?? 0;
  const used = codes[0]?._count.usedAt ?? 0;
  return { requirement, totpEnabledAt: totp?.enabledAt ?? null, passkeys, recoveryCodesLeft: total - used, recoveryCodesTotal: total };
}

/** What the verification page may offer a session still to pass its second factor. */
export async function getVerificationChoices(userId: string, rpId: string | null): Promise<{ hasTotp: boolean; passkeysHere: number; recoveryCodesLeft: number }> {
  const [totp, passkeysHere, recoveryCodesLeft] = await Promise.all([
    db().totpFactor.findUnique({ where: { userId }, select: { enabledAt: true } }),
    rpId ? db().webauthnCredential.count({ where: { userId, rpId } }) : Promise.resolve(0),
    db().recoveryCode.count({ where: { userId, usedAt: null } }),
  ]);
  return { hasTotp: !!totp?.enabledAt, passkeysHere, recoveryCodesLeft };
}

export type TPolicyLine = {
  subject: SecondFactorSubject;
  requirement: SecondFactorRequirement;
  /** no row: the default applies */
  isDefault: boolean;
  updatedAt: Date | null;
  updatedByName: string | null;
  /** active (not retired) users the line applies to, and how many of them have a factor */
  users: number;
  enrolled: number;
};

/** The policy page (secretariat): each line, who set it, and how many of its users have a factor. */
export async function getSecondFactorPolicy(viewer: TViewer): Promise<TPolicyLine[]> {
  assertAllowed(isSecretariat(viewer), "second-factor policy");
  const [rows, counts] = await Promise.all([
    db().secondFactorPolicy.findMany({ select: { subject: true, requirement: true, updatedAt: true, updatedBy: { select: { nameKanji: true } } } }),
    db().$queryRaw<{ subject: SecondFactorSubject; users: number; enrolled: number }[]>`
      SELECT s.subject,
             count(u.id)::int AS users,
             count(u.id) FILTER (WHERE t.enabled_at IS NOT NULL OR EXISTS (SELECT 1 FROM webauthn_credentials w WHERE w.user_id = u.id))::int AS enrolled
        FROM unnest(${[...SECOND_FACTOR_SUBJECTS]}::text[]) AS s(subject)
        LEFT JOIN staff_users u
          ON NOT u.is_retired
         AND CASE WHEN s.subject = 'EMS_PRIVILEGED' THEN u.has_ems_privilege ELSE s.subject = ANY (u.roles::text[]) END
        LEFT JOIN totp_factors t ON t.user_id = u.id
       GROUP BY s.subject`,
  ]);
  return SECOND_FACTOR_SUBJECTS.map((subject) => {
    const row = rows.find((r) => r.subject === subject);
    const count = counts.find((c) => c.subject === subject);
    return {
      subject,
      requirement: row?.requirement ?? DEFAULT_REQUIREMENT,
      isDefault: !row,
      updatedAt: row?.updatedAt ?? null,
      updatedByName: row?.updatedBy?.nameKanji ?? null,
      users: count?.users ?? 0,
      enrolled: count?.enrolled ?? 0,
    };
  });
}
