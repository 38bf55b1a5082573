/** The dictionary key for a failed browser WebAuthn call: cancelled or timed out (NotAllowedError) is the usual case. */
export function passkeyErrorKey(err: unknown): string {
  const name = err instanceof Error ? ((err as Error & { cause?: { name?: string } }).cause?.name ?? err.name) : "";
  if (name === "NotAllowedError" || name === "AbortError") return "sf.passkey.cancelled";
  if (name === "NotSupportedError" || name === "SecurityError") return "sf.passkey.unsupported";
  return "sf.passkeyRefused";
}
