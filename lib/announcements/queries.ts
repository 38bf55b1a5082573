import "server-only";
import { db } from "@/lib/db/client";
import type { TViewer } from "@/lib/auth/viewer-type";

export type TAnnouncement = { id: string; title: string; body: string; publishedAt: Date };

const current = (now: Date) => ({ publishedAt: { lte: now }, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] });
const select = { id: true, title: true, body: true, publishedAt: true } as const;

/** お知らせ for signed-in users. */
export async function listAnnouncements(viewer: TViewer, now = new Date()): Promise<TAnnouncement[]> {
  void viewer;
  return db().announcement.findMany({ where: current(now), orderBy: { publishedAt: "desc" }, take: 20, select });
}

/** The notices marked public, shown on the login page (a certified terminal, nobody signed in yet). */
export async function listPublicAnnouncements(now = new Date()): Promise<TAnnouncement[]> {
  return db().announcement.findMany({ where: { ...current(now), isPublic: true }, orderBy: { publishedAt: "desc" }, take: 5, select });
}
