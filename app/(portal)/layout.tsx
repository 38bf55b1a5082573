import { PortalHeader } from "@/components/layout/portal-header";
import { IdleTimer } from "@/components/layout/idle-timer";
import { DisasterBanner } from "@/components/layout/disaster-banner";
import { requireViewer, getTerminal } from "@/lib/auth/viewer";
import { mayReadRecords } from "@/lib/access/roles";
import { listActiveDisasters } from "@/lib/ems/disasters/queries";
import { env } from "@/lib/env";
import { menuFor } from "@/lib/menu";
import { countUnreadNotifications } from "@/lib/notes/queries";
import { countUnreadMail } from "@/lib/securemail/queries";

export const dynamic = "force-dynamic";

export default async function PortalLayout({ children }: { children: React.ReactNode }) {
  const viewer = await requireViewer();
  const [terminal, unreadCount, unreadMail, disasters] = await Promise.all([
    getTerminal(),
    mayReadRecords(viewer.roles) ? countUnreadNotifications(viewer) : Promise.resolve(null),
    countUnreadMail(viewer),
    listActiveDisasters(viewer),
  ]);
  return (
    <div className="min-h-screen">
      <PortalHeader viewer={viewer} terminalName={terminal?.terminalName ?? ""} menu={menuFor(viewer)} unreadCount={unreadCount} unreadMail={unreadMail} />
      <DisasterBanner disasters={disasters} />
      <main className="mx-auto max-w-6xl px-4 py-6">{children}</main>
      <IdleTimer idleSeconds={env().IDLE_TIMEOUT_SECONDS} />
    </div>
  );
}
