import "server-only";
import { Prisma } from "@/generated/prisma/client";
import { db } from "@/lib/db/client";
import { assertAllowed, canManageFacilities } from "@/lib/access/roles";
import type { TViewer } from "@/lib/auth/viewer-type";
import { AppError, notFound } from "@/lib/errors";
import type { TFacility } from "@/lib/facilities/schema";
import { isUuid } from "@/lib/text";

type TUniqueFields = Pick<TFacility, "code" | "medicalInstitutionCode" | "domain">;

/**
 * Which unique fields another facility already holds. The code compares without case: it is read
 * aloud and typed into certificates, so "a001" next to "A001" would only cause mistakes.
 */
async function takenFields(input: TUniqueFields, exceptId?: string): Promise<Record<string, string[]>> {
  const others = await db().facility.findMany({
    where: {
      id: exceptId ? { not: exceptId } : undefined,
      OR: [
        { code: { equals: input.code, mode: "insensitive" } },
        { domain: input.domain },
        ...(input.medicalInstitutionCode ? [{ medicalInstitutionCode: input.medicalInstitutionCode }] : []),
      ],
    },
    select: { code: true, medicalInstitutionCode: true, domain: true },
  });
  const errors: Record<string, string[]> = {};
  for (const f of others) {
    if (f.code.toLowerCase() === input.code.toLowerCase()) errors.code = ["v.facility.code.taken"];
    if (f.domain === input.domain) errors.domain = ["v.facility.domain.taken"];
    if (input.medicalInstitutionCode && f.medicalInstitutionCode === input.medicalInstitutionCode) {
      errors.medicalInstitutionCode = ["v.facility.medicalInstitutionCode.taken"];
    }
  }
  return errors;
}

async function assertNotTaken(input: TUniqueFields, exceptId?: string): Promise<void> {
  const errors = await takenFields(input, exceptId);
  if (Object.keys(errors).length > 0) throw new AppError("VALIDATION", "facility already registered", errors);
}

export const isUniqueViolation = (e: unknown) => e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002";

/** A concurrent save can pass the check and still hit the unique index: report it the same way. */
async function translateUniqueViolation(e: unknown, input: TUniqueFields, exceptId?: string): Promise<unknown> {
  if (!isUniqueViolation(e)) return e;
  const errors = await takenFields(input, exceptId);
  return Object.keys(errors).length > 0
    ? new AppError("VALIDATION", "facility already registered", errors)
    : new AppError("CONFLICT", "facility already registered");
}

export async function createFacility(viewer: TViewer, input: TFacility): Promise<{ id: string }> {
  assertAllowed(canManageFacilities(viewer), "manage facilities");
  await assertNotTaken(input);
  try {
    return await db().facility.create({ data: input, select: { id: true } });
  } catch (e) {
    throw await translateUniqueViolation(e, input);
  }
}

export async function updateFacility(viewer: TViewer, id: string, input: TFacility): Promise<void> {
  assertAllowed(canManageFacilities(viewer), "manage facilities");
  if (!isUuid(id) || !(await db().facility.count({ where: { id } }))) throw notFound("facility");
  // Deactivating one's own facility would end one's own sign-in on the next request.
  if (id === viewer.facilityId && !input.isActive) {
    throw new AppError("VALIDATION", "own facility", { isActive: ["v.facility.isActive.self"] });
  }
  await assertNotTaken(input, id);
  try {
    await db().facility.update({ where: { id }, data: input, select: { id: true } });
  } catch (e) {
    throw await translateUniqueViolation(e, input, id);
  }
}
