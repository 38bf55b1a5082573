import { en } from "@/lib/i18n/en";
import { ja } from "@/lib/i18n/ja";
import type { TDictionary, TLocale } from "@/lib/i18n";

/**
 * Both languages' words, for the server (getT, exports, reports). Not in lib/i18n/index.ts: that
 * module is imported by client components too, and a static import of both dictionaries there
 * puts both into the browser's bundle. The browser gets one language from components/i18n.
 */
export const dictionaries: Record<TLocale, TDictionary> = { ja, en };
