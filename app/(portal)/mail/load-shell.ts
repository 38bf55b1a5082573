import "server-only";
import type { TMailShellData } from "@/components/mail/mail-shell";
import type { TViewer } from "@/lib/auth/viewer-type";
import { countUnreadMail, listFolders } from "@/lib/securemail/queries";

/** The folder list's counts for a mail screen; called after the screen's own reads (opening a message marks it read). */
export async function loadMailShell(viewer: TViewer): Promise<TMailShellData> {
  const [inboxUnread, folders] = await Promise.all([countUnreadMail(viewer), listFolders(viewer)]);
  return { inboxUnread, folders };
}
