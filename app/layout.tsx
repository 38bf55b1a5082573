import type { Metadata, Viewport } from "next";
import "./globals.css";
import { I18nProvider } from "@/components/i18n-provider";
import { enDictionary } from "@/components/i18n/dictionary-en";
import { jaDictionary } from "@/components/i18n/dictionary-ja";
import type { TLocale } from "@/lib/i18n";
import { getLocale } from "@/lib/i18n/server";

export const metadata: Metadata = { title: "ChiikiLink 地域医療連携ネットワーク", robots: { index: false } };
export const viewport: Viewport = { width: "device-width", initialScale: 1 };

/**
 * The client side's dictionaries are client-module exports: here they are references, serialised
 * as a module id (not as the words), and the browser loads the chunk of the request's locale.
 * Switching language (a cookie, then router.refresh) sends the other reference to the same
 * provider, so the page keeps its state.
 */
const CLIENT_DICTIONARIES = { ja: jaDictionary, en: enDictionary } satisfies Record<TLocale, unknown>;

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const locale = await getLocale();
  return (
    <html lang={locale}>
      <body className="min-h-screen">
        <I18nProvider locale={locale} dictionary={CLIENT_DICTIONARIES[locale]}>
          {children}
        </I18nProvider>
      </body>
    </html>
  );
}
