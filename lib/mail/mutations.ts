import "server-only";
import nodemailer, { type Transporter } from "nodemailer";
import { db, type TTx } from "@/lib/db/client";
import { env } from "@/lib/env";

/*
 * Outgoing e-mail goes through an outbox: the message is a row written in the transaction of what
 * caused it (a note posted…), so a rolled-back post sends nothing and a down SMTP server loses
 * nothing. Delivery runs after the commit and every minute from server.ts; rows are claimed with
 * SKIP LOCKED, so several app nodes never send one message twice. E-mails carry no clinical
 * content: they only say that something is waiting in the portal.
 */

export type TOutgoingMail = { toAddress: string; toUserId?: string | null; subject: string; bodyText: string };

/** After this many failed attempts a message is FAILED (shown to the secretariat), not retried. */
export const MAIL_MAX_ATTEMPTS = 5;

export async function enqueueMail(tx: TTx, mails: TOutgoingMail[]): Promise<number> {
  if (mails.length === 0) return 0;
  const { count } = await tx.mailOutbox.createMany({
    data: mails.map((m) => ({ toAddress: m.toAddress, toUserId: m.toUserId ?? null, subject: m.subject.slice(0, 200), bodyText: m.bodyText })),
  });
  return count;
}

let transport: { url: string; t: Transporter } | undefined;

function smtpTransport(): Transporter | null {
  const url = env().SMTP_URL;
  if (!url) return null;
  if (transport?.url !== url) transport = { url, t: nodemailer.createTransport(url, { from: env().MAIL_FROM }) };
  return transport.t;
}

/** Retry after 1, 4, 9, 16 minutes. */
const backoffMs = (attempts: number) => attempts * attempts * 60_000;

export type TDeliveryReport = { sent: number; failed: number; waiting: number };

/**
 * Sends what is due, a batch at a time. Without SMTP_URL nothing is sent: the messages wait (the
 * secretariat sees them in the outbox) and go out once SMTP is configured.
 */
export async function deliverPendingMail(now: Date = new Date(), batch = 20): Promise<TDeliveryReport> {
  const t = smtpTransport();
  const report: TDeliveryReport = { sent: 0, failed: 0, waiting: 0 };
  if (!t) return report;
  for (;;) {
    const done = await db().$transaction(async (tx) => {
      const due = await tx.$queryRaw<{ id: string; to_address: string; subject: string; body_text: string; attempts: number }[]>`
        SELECT id, to_address, subject, body_text, attempts FROM mail_outbox
         WHERE state = 'PENDING' AND next_attempt_at <= ${now}
         ORDER BY created_at LIMIT ${batch} FOR UPDATE SKIP LOCKED`;
      for (const m of due) {
        try {
          await t.sendMail({ from: env().MAIL_FROM, to: m.to_address, subject: m.subject, text: m.body_text });
          await tx.mailOutbox.update({ where: { id: m.id }, data: { state: "SENT", sentAt: new Date(), attempts: m.attempts + 1, lastError: null } });
          report.sent++;
        } catch (err) {
          const attempts = m.attempts + 1;
          const gaveUp = attempts >= MAIL_MAX_ATTEMPTS;
          await tx.mailOutbox.update({
            where: { id: m.id },
            data: { attempts, lastError: (err instanceof Error ? err.message : String(err)).slice(0, 500), state: gaveUp ? "FAILED" : "PENDING", nextAttemptAt: new Date(now.getTime() + backoffMs(attempts)) },
          });
          if (gaveUp) report.failed++;
          else report.waiting++;
        }
      }
      return due.length;
    }, { timeout: 120_000 });
    if (done < batch) return report;
  }
}

/** Delivery started after a commit; its failure is recorded on the rows, never thrown at the user. */
export function deliverSoon(): void {
  void deliverPendingMail().catch((err) => console.error("[mail] delivery failed", err));
}
