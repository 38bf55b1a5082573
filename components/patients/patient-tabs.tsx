"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

/** Tabs under the patient header; the current one is marked for screen readers too. */
export function PatientTabs({ tabs }: { tabs: { href: string; label: string }[] }) {
  const pathname = usePathname();
  return (
    <nav className="flex flex-wrap gap-1 border-b border-slate-300">
      {tabs.map((tab) => {
        const active = pathname === tab.href;
        return (
          <Link
            key={tab.href}
            href={tab.href}
            aria-current={active ? "page" : undefined}
            className={`-mb-px inline-flex min-h-11 items-center rounded-t border px-4 text-sm ${active ? "border-slate-300 border-b-slate-50 bg-slate-50 font-semibold" : "border-transparent text-teal-800 hover:bg-white"}`}
          >
            {tab.label}
          </Link>
        );
      })}
    </nav>
  );
}
