import { PortalHeader } from "@/components/layout/portal-header";
import { IdleTimer } from "@/components/layout/idle-timer";
import { requireViewer, getTerminal } from "@/lib/auth/viewer";
import { mayReadRecords } from "@/lib/access/roles";
import { env } from "@/lib/env";
import { menuFor } from "@/lib/menu";
import { countUnreadNotifications } from "@/lib/notes/queries";
import { countUnreadMail } from "@/lib/securemail/queries";

export const dynamic = "force-dynamic";

export default async function PortalLayout({ children }: { children: React.ReactNode }) {
  const viewer = await requireViewer();
  const [terminal, unreadCount, unreadMail] = await Promise.all([
    getTerminal(),
    mayReadRecords(viewer.roles) ? countUnreadNotifications(viewer) : Promise.resolve(null),
    countUnreadMail(viewer),
  ]);
  return (
    <div className="min-h-screen">
      <PortalHeader viewer={viewer} terminalName={terminal?.terminalName ?? ""} menu={menuFor(viewer)} unreadCount={unreadCount} unreadMail={unreadMail} />
      <main className="mx-auto max-w-6xl px-4 py-6">{children}</main>
      <IdleTimer idleSeconds={env().IDLE_TIMEOUT_SECONDS} />
    </div>
  );
}
