import crypto from "node:crypto";

/**
 * TOTP secrets at rest: AES-256-GCM under a key derived from AUTH_SECRET with HKDF-SHA256
 * (node:crypto), so a copy of the database alone does not give the secrets away. The user's id
 * is the additional authenticated data: a sealed secret moved to another user's row does not open.
 * Format: `v1.<iv>.<tag>.<ciphertext>`, base64url. See docs/decisions/0016-second-factor.md.
 */
const VERSION = "v1";
const INFO = "chiikilink totp secret v1";

function keyFrom(authSecret: string): Buffer {
  if (authSecret.length < 32) throw new Error("AUTH_SECRET is too short to derive the TOTP key");
  return Buffer.from(crypto.hkdfSync("sha256", authSecret, "chiikilink", INFO, 32));
}

export function sealSecret(plain: Uint8Array, userId: string, authSecret: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv("aes-256-gcm", keyFrom(authSecret), iv, { authTagLength: 16 });
  cipher.setAAD(Buffer.from(userId, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
  return [VERSION, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), ciphertext.toString("base64url")].join(".");
}

/** The secret, or null when the box was sealed for another user or under another AUTH_SECRET. */
export function openSecret(sealed: string, userId: string, authSecret: string): Uint8Array | null {
  const [version, iv, tag, ciphertext] = sealed.split(".");
  if (version !== VERSION || !iv || !tag || !ciphertext) return null;
  try {
    const decipher = crypto.createDecipheriv("aes-256-gcm", keyFrom(authSecret), Buffer.from(iv, "base64url"), { authTagLength: 16 });
    decipher.setAAD(Buffer.from(userId, "utf8"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return new Uint8Array(Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]));
  } catch {
    return null;
  }
}
