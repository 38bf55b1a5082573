import { hash, verify } from "@node-rs/argon2";

/** Argon2id (the @node-rs/argon2 default algorithm) with its recommended cost. */
export const hashSecret = (plain: string) => hash(plain);

export async function verifySecret(hashed: string, plain: string): Promise<boolean> {
  try {
    return await verify(hashed, plain);
  } catch {
    return false;
  }
}

/** Answers to the secret question compare loosely: width, case and surrounding spaces ignored. */
export const normalizeAnswer = (answer: string) => answer.normalize("NFKC").trim().replace(/\s+/g, " ").toLowerCase();

/** A throwaway hash so an unknown login ID costs as long as a known one. */
let dummy: Promise<string> | undefined;
export const dummyHash = () => (dummy ??= hash("not-a-real-password-0"));
