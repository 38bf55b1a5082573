import { env } from "@/lib/env";

/**
 * What the certificate screens, the downloads and the data layer say alike about a terminal's
 * files (no database): their names, the certificate chain, and the download window of a
 * server-made key (docs/decisions/0017-terminal-keys-not-kept.md).
 */

/** The download name of a terminal's files: facility code, terminal name, start of the serial. */
export function certificateFileName(facilityCode: string, terminalName: string, serial: string, extension: "p12" | "crt"): string {
  const safeName = terminalName.replace(/[^\p{L}\p{N}_-]+/gu, "_");
  return `${facilityCode}_${safeName}_${serial.slice(0, 8)}.${extension}`;
}

/** How long after issuing a server-made key can be downloaded (TERMINAL_P12_DOWNLOAD_HOURS). */
export const downloadWindowMs = () => env().TERMINAL_P12_DOWNLOAD_HOURS * 3600_000;

/** Until when a server-made key issued at `issuedAt` may be downloaded. */
export function downloadDeadline(issuedAt: Date): Date {
  return new Date(issuedAt.getTime() + downloadWindowMs());
}

/** A certificate followed by the network CA's (PEM), for the terminal to put with its key. */
export function chainPem(certPem: string, caCertPem: string): string {
  const lf = (pem: string) => `${pem.replace(/\r\n/g, "\n").trim()}\n`;
  return lf(certPem) + lf(caCertPem);
}
