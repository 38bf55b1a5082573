import type { Qualification, StaffRole } from "@/generated/prisma/enums";

/** Who is asking: the signed-in user on a verified terminal. Every data-access function takes one. */
export type TViewer = {
  userId: string;
  loginId: string;
  name: string;
  facilityId: string;
  facilityName: string;
  roles: StaffRole[];
  qualification: Qualification;
  hasEmsPrivilege: boolean;
  sessionId: string;
  certSerial: string;
  /** the request being served (server.ts), written into each access-log row */
  requestId?: string | null;
};
