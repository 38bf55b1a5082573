"use client";

import type { TDictionary } from "@/lib/i18n";

/**
 * The Japanese dictionary as a client module: the root layout passes this export to I18nProvider,
 * and React sends a reference to the module instead of the ~70 kB of words, so every page's
 * flight data stays small and the browser loads the words once, from a cached static chunk.
 * Imported dynamically so the words get a chunk of their own: the root layout refers to both
 * languages' modules, and everything it refers to statically is bundled and loaded together.
 */
export const jaDictionary: TDictionary = (await import("@/lib/i18n/ja")).ja;
