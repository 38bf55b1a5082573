"use client";

import { useEffect } from "react";

/** The window event that carries the inbox's unread count to the header's badge. */
export const MAIL_UNREAD_EVENT = "chiikilink:mail-unread";

/**
 * Tells the header the inbox's unread count as this page read it (opening a message marks it
 * read, and the header, part of the layout, is not rendered again on a client-side navigation).
 */
export function MailUnreadSync({ count }: { count: number }) {
  useEffect(() => {
    window.dispatchEvent(new CustomEvent<number>(MAIL_UNREAD_EVENT, { detail: count }));
  }, [count]);
  return null;
}
