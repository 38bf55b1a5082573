import type { SecondFactorRequirement, SecondFactorSubject, StaffRole } from "@/generated/prisma/enums";

/*
 * The network's second-factor policy, as pure rules: which lines of the policy apply to a user,
 * which requirement wins, and what a session still has to do. The data layer reads the policy
 * rows and the user's factors and asks these.
 */

/** The policy's lines in the order the secretariat's page lists them: the roles, then EMS privilege. */
export const SECOND_FACTOR_SUBJECTS = ["CLINICIAN", "LIAISON", "FACILITY_ADMIN", "SECRETARIAT", "EMS_PRIVILEGED"] as const satisfies readonly SecondFactorSubject[];
export const SECOND_FACTOR_REQUIREMENTS = ["OFF", "OPTIONAL", "REQUIRED"] as const satisfies readonly SecondFactorRequirement[];

/** A line without a row in the database. */
export const DEFAULT_REQUIREMENT: SecondFactorRequirement = "OPTIONAL";

export type TPolicy = Partial<Record<SecondFactorSubject, SecondFactorRequirement>>;

const STRICTNESS: Record<SecondFactorRequirement, number> = { OFF: 0, OPTIONAL: 1, REQUIRED: 2 };

/** The lines that speak about a user: one per role, and EMS_PRIVILEGED for users with the privilege. */
export function subjectsOf(user: { roles: readonly StaffRole[]; hasEmsPrivilege: boolean }): SecondFactorSubject[] {
  const lines: SecondFactorSubject[] = SECOND_FACTOR_SUBJECTS.filter((s) => s !== "EMS_PRIVILEGED" && user.roles.includes(s));
  if (user.hasEmsPrivilege) lines.push("EMS_PRIVILEGED");
  return lines;
}

/**
 * The requirement for a user: the strictest of the lines that apply (a secretariat member who is
 * also a facility admin gets the stricter of the two). A user no line speaks about gets the default.
 */
export function requirementFor(policy: TPolicy, user: { roles: readonly StaffRole[]; hasEmsPrivilege: boolean }): SecondFactorRequirement {
  const lines = subjectsOf(user);
  if (lines.length === 0) return DEFAULT_REQUIREMENT;
  return lines.map((s) => policy[s] ?? DEFAULT_REQUIREMENT).reduce((a, b) => (STRICTNESS[b] > STRICTNESS[a] ? b : a));
}

/**
 * What a session must do before any page: nothing; verify a factor the user has; or, under
 * REQUIRED with none, enrol one. Under OFF nothing is asked, even of users who enrolled.
 */
export type TSecondFactorStep = "none" | "verify" | "enrol";

export function secondFactorStep(requirement: SecondFactorRequirement, a: { isEnrolled: boolean; isPassed: boolean }): TSecondFactorStep {
  if (a.isPassed || requirement === "OFF") return "none";
  if (a.isEnrolled) return "verify";
  return requirement === "REQUIRED" ? "enrol" : "none";
}

/** Whether removing a factor is allowed: under REQUIRED a user keeps at least one. */
export const mayRemoveFactor = (requirement: SecondFactorRequirement, factorsLeftAfter: number) => requirement !== "REQUIRED" || factorsLeftAfter > 0;
