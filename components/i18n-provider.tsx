"use client";

import { createContext, useContext, useMemo } from "react";
import { translator, type TDictionary, type TLocale, type TTranslate } from "@/lib/i18n";

const I18nContext = createContext<{ locale: TLocale; t: TTranslate }>({ locale: "ja", t: (k) => k });

export function I18nProvider({ locale, dictionary, children }: { locale: TLocale; dictionary: TDictionary; children: React.ReactNode }) {
  const value = useMemo(() => ({ locale, t: translator(dictionary) }), [locale, dictionary]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export const useI18n = () => useContext(I18nContext);
