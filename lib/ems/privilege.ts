import { mayReadRecords } from "@/lib/access/roles";
import type { TViewer } from "@/lib/auth/viewer-type";

/** Whether the EMS screens are the user's (the menu entry, the forms); the gateway decides again on every lookup and search. */
export const mayUseEms = (viewer: Pick<TViewer, "hasEmsPrivilege" | "roles">): boolean => viewer.hasEmsPrivilege && mayReadRecords(viewer.roles);
