import "server-only";
import type { MailState } from "@/generated/prisma/enums";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import type { TViewer } from "@/lib/auth/viewer-type";
import { canSeeMailOutbox } from "@/lib/access/roles";
import { AppError } from "@/lib/errors";

export const OUTBOX_PAGE_SIZE = 50;

/** The outbox for the secretariat: what waits for SMTP, what was sent, what failed (no clinical content is ever in it). */
export async function listOutbox(viewer: TViewer, q: { state?: MailState | null; page?: number }) {
  if (!canSeeMailOutbox(viewer)) throw new AppError("FORBIDDEN");
  const page = Math.max(1, q.page ?? 1);
  const where = q.state ? { state: q.state } : {};
  const [rows, total, counts] = await Promise.all([
    db().mailOutbox.findMany({
      where,
      orderBy: [{ createdAt: "desc" }, { id: "asc" }],
      skip: (page - 1) * OUTBOX_PAGE_SIZE,
      take: OUTBOX_PAGE_SIZE,
      select: { id: true, createdAt: true, toAddress: true, subject: true, state: true, attempts: true, lastError: true, sentAt: true },
    }),
    db().mailOutbox.count({ where }),
    db().mailOutbox.groupBy({ by: ["state"], _count: { _all: true } }),
  ]);
  return {
    rows,
    total,
    page,
    pageSize: OUTBOX_PAGE_SIZE,
    smtpConfigured: Boolean(env().SMTP_URL),
    counts: Object.fromEntries(counts.map((c) => [c.state, c._count._all])) as Partial<Record<MailState, number>>,
  };
}
