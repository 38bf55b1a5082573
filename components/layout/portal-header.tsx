"use client";

import { signOut } from "next-auth/react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useState } from "react";
import { useI18n } from "@/components/i18n-provider";
import { LocaleSwitch } from "@/components/layout/locale-switch";
import type { TViewer } from "@/lib/auth/viewer-type";
import type { TMenuItem } from "@/lib/menu";
import { useUnreadCount, type TUnreadKind } from "@/components/layout/unread-sync";

/** Fixed header: the menu stays on every screen (seed 004: 上部のメニューアイコンは固定表示). */
export function PortalHeader({
  viewer,
  terminalName,
  menu,
  unreadCount,
  unreadMail,
}: {
  viewer: TViewer;
  terminalName: string;
  menu: { main: TMenuItem[]; admin: TMenuItem[] };
  /** unread notifications; null for users who get none (they do not read records) */
  unreadCount: number | null;
  /** unread secure mail in the inbox */
  unreadMail: number;
}) {
  const { t } = useI18n();
  const pathname = usePathname();
  const [open, setOpen] = useState(false);
  const items = [...menu.main, ...menu.admin];
  // The longest menu entry that the path falls under is the current one (/patients/new is not /patients).
  const current = items
    .filter((i) => (i.href === "/" ? pathname === "/" : pathname === i.href || pathname.startsWith(`${i.href}/`)))
    .sort((a, b) => b.href.length - a.href.length)[0]?.href;
  const isActive = (href: string) => href === current;
  return (
    <header className="sticky top-0 z-20 bg-teal-800 text-white shadow">
      <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-2">
        <Link href="/" className="text-lg font-bold">
          {t("app.name")}
        </Link>
        {/* On a phone the bell stays beside the menu button; on a wider screen it follows the user block. */}
        <div className="ml-auto flex items-center gap-2 lg:order-last lg:ml-0">
          <UnreadBadge kind="mail" count={unreadMail} isCurrent={pathname === "/mail" || pathname.startsWith("/mail/")} />
          {unreadCount !== null && <UnreadBadge kind="notices" count={unreadCount} isCurrent={pathname === "/notifications"} />}
          <button type="button" className="min-h-11 rounded border border-white/40 px-3 py-1 lg:hidden" aria-expanded={open} onClick={() => setOpen(!open)}>
            ☰ {t("menu.open")}
          </button>
        </div>
        <nav className={`${open ? "flex" : "hidden"} w-full flex-col gap-1 lg:flex lg:w-auto lg:flex-row lg:flex-wrap`} aria-label={t("menu.open")}>
          {items.map((item) => (
            <Link
              key={item.href}
              href={item.href}
              onClick={() => setOpen(false)}
              className={`rounded px-3 py-2 text-sm whitespace-nowrap ${isActive(item.href) ? "bg-white/20 font-semibold" : "hover:bg-white/10"}`}
            >
              {t(item.key)}
            </Link>
          ))}
        </nav>
        <div className="flex w-full items-center gap-3 text-sm lg:ml-auto lg:w-auto">
          <div className="min-w-0 flex-1 leading-tight lg:flex-none" data-testid="header-user">
            <div className="text-teal-100">
              {viewer.facilityName}
              {terminalName && <span className="ml-2 text-xs">[{terminalName}]</span>}
            </div>
            <Link href="/profile" className="font-medium underline-offset-2 hover:underline">
              {viewer.name}
            </Link>
          </div>
          <div className="shrink-0 whitespace-nowrap">
            <LocaleSwitch />
          </div>
          <button
            type="button"
            className="shrink-0 rounded bg-white/15 px-3 py-1 whitespace-nowrap hover:bg-white/25"
            onClick={() => void signOut({ callbackUrl: "/login?reason=signed_out" })}
          >
            {t("menu.signOut")}
          </button>
        </div>
      </div>
    </header>
  );
}

const BADGES = {
  notices: {
    href: "/notifications",
    testId: "notification-bell",
    label: "notices.badge",
    none: "notices.badgeNone",
    icon: (
      <>
        <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" />
        <path d="M13.73 21a2 2 0 0 1-3.46 0" />
      </>
    ),
  },
  mail: {
    href: "/mail",
    testId: "mail-badge",
    label: "mail.badge",
    none: "mail.badgeNone",
    icon: (
      <>
        <rect x="3" y="5" width="18" height="14" rx="2" />
        <path d="m3 7 9 6 9-6" />
      </>
    ),
  },
} as const;

/**
 * A header counter (the notifications bell, the secure-mail envelope) with its unread count as a
 * badge and in words for screen readers. The header belongs to the layout, which a client-side
 * navigation does not render again, so pages that change the count announce it (UnreadSync) and
 * the badge follows it until the layout sends a newer one.
 */
function UnreadBadge({ kind, count: fromLayout, isCurrent }: { kind: TUnreadKind; count: number; isCurrent: boolean }) {
  const { t } = useI18n();
  const b = BADGES[kind];
  const count = useUnreadCount(kind, fromLayout);
  const label = count > 0 ? t(b.label, { count }) : t(b.none);
  return (
    <Link
      href={b.href}
      aria-label={label}
      title={label}
      aria-current={isCurrent ? "page" : undefined}
      data-testid={b.testId}
      data-count={count}
      className={`relative inline-flex min-h-11 min-w-11 items-center justify-center rounded ${isCurrent ? "bg-white/20" : "hover:bg-white/10"}`}
    >
      <svg aria-hidden viewBox="0 0 24 24" className="h-6 w-6" fill="none" stroke="currentColor" strokeWidth={2} strokeLinecap="round" strokeLinejoin="round">
        {b.icon}
      </svg>
      {count > 0 && (
        <span aria-hidden className="absolute top-0.5 right-0.5 min-w-5 rounded-full bg-amber-400 px-1 text-center text-xs leading-5 font-bold text-slate-900">
          {count > 99 ? "99+" : count}
        </span>
      )}
    </Link>
  );
}
