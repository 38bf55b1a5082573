import "server-only";
import { cookies } from "next/headers";
import { cache } from "react";
import { LOCALE_COOKIE, toLocale, translator, type TLocale, type TTranslate } from "@/lib/i18n";
import { dictionaries } from "@/lib/i18n/dictionaries";

export const getLocale = cache(async (): Promise<TLocale> => toLocale((await cookies()).get(LOCALE_COOKIE)?.value));

export const getT = cache(async (): Promise<TTranslate> => translator(dictionaries[await getLocale()]));
