import "server-only";
import { headers } from "next/headers";
import { env } from "@/lib/env";
import { relyingPartyOf, serverNamesOf, type TRelyingParty } from "@/lib/auth/second-factor/relying-party";

/** This request's WebAuthn relying party, or null where passkeys cannot work (an IP address, an unknown name). */
export async function getRelyingParty(): Promise<TRelyingParty | null> {
  return relyingPartyOf((await headers()).get("host"), serverNamesOf(env()));
}
