"use client";

import { signOut } from "next-auth/react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useState } from "react";
import { useI18n } from "@/components/i18n-provider";
import { LocaleSwitch } from "@/components/layout/locale-switch";
import type { TViewer } from "@/lib/auth/viewer-type";
import type { TMenuItem } from "@/lib/menu";

/** Fixed header: the menu stays on every screen (seed 004: 上部のメニューアイコンは固定表示). */
export function PortalHeader({ viewer, terminalName, menu }: { viewer: TViewer; terminalName: string; menu: { main: TMenuItem[]; admin: TMenuItem[] } }) {
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
        <button type="button" className="ml-auto rounded border border-white/40 px-3 py-1 lg:hidden" aria-expanded={open} onClick={() => setOpen(!open)}>
          ☰ {t("menu.open")}
        </button>
        <nav className={`${open ? "flex" : "hidden"} w-full flex-col gap-1 lg:flex lg:w-auto lg:flex-row`} aria-label={t("menu.open")}>
          {items.map((item) => (
            <Link
              key={item.href}
              href={item.href}
              onClick={() => setOpen(false)}
              className={`rounded px-3 py-2 text-sm ${isActive(item.href) ? "bg-white/20 font-semibold" : "hover:bg-white/10"}`}
            >
              {t(item.key)}
            </Link>
          ))}
        </nav>
        <div className="flex w-full items-center gap-3 text-sm lg:ml-auto lg:w-auto">
          <div className="leading-tight" data-testid="header-user">
            <div className="text-teal-100">
              {viewer.facilityName}
              {terminalName && <span className="ml-2 text-xs">[{terminalName}]</span>}
            </div>
            <Link href="/profile" className="font-medium underline-offset-2 hover:underline">
              {viewer.name}
            </Link>
          </div>
          <LocaleSwitch />
          <button
            type="button"
            className="rounded bg-white/15 px-3 py-1 hover:bg-white/25"
            onClick={() => void signOut({ callbackUrl: "/login?reason=signed_out" })}
          >
            {t("menu.signOut")}
          </button>
        </div>
      </div>
    </header>
  );
}
