"use client";

import { useEffect, useState } from "react";

/** The header's two counters: unread secure mail, unread notifications. */
export type TUnreadKind = "mail" | "notices";

const eventOf = (kind: TUnreadKind) => `chiikilink:unread-${kind}`;

/**
 * Tells the header a count as this page read it. Opening a message or a note marks things read,
 * and the header, part of the layout, is not rendered again on a client-side navigation.
 */
export function UnreadSync({ kind, count }: { kind: TUnreadKind; count: number }) {
  useEffect(() => {
    window.dispatchEvent(new CustomEvent<number>(eventOf(kind), { detail: count }));
  }, [kind, count]);
  return null;
}

/** The count a header badge shows: the layout's, until a page announces a newer one. */
export function useUnreadCount(kind: TUnreadKind, fromLayout: number): number {
  const [announced, setAnnounced] = useState<{ count: number; base: number } | null>(null);
  useEffect(() => {
    const onCount = (e: Event) => setAnnounced({ count: (e as CustomEvent<number>).detail, base: fromLayout });
    window.addEventListener(eventOf(kind), onCount);
    return () => window.removeEventListener(eventOf(kind), onCount);
  }, [kind, fromLayout]);
  return announced && announced.base === fromLayout ? announced.count : fromLayout;
}
