"use client";

import type { TDictionary } from "@/lib/i18n";

/** The English dictionary as a client module, in a chunk of its own (see dictionary-ja.ts). */
export const enDictionary: TDictionary = (await import("@/lib/i18n/en")).en;
