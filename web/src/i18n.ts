/**
 * Every string of the web app is in Spanish and English. Each screen keeps its own strings beside it
 * (`strings.ts`: one object per language, the English typed as the Spanish, so a string missing in one
 * language does not compile) and adds them as its own namespace when it loads.
 */
import dayjs from "dayjs";
import "dayjs/locale/es";
import i18next from "i18next";
import { initReactI18next, useTranslation } from "react-i18next";
import { common } from "./strings.ts";
import { terms } from "./terms.ts";

export const languages = ["es", "en"] as const;
export type Language = (typeof languages)[number];
const storageKey = "traslado.language";

function initialLanguage(): Language {
  const stored = globalThis.localStorage?.getItem(storageKey);
  if (stored === "es" || stored === "en") return stored;
  return globalThis.navigator?.language?.toLowerCase().startsWith("en") ? "en" : "es";
}

/** Nested strings of one namespace, in one language. */
export interface Strings {
  [key: string]: string | Strings;
}

export const i18n = i18next.createInstance();
void i18n.use(initReactI18next).init({
  lng: initialLanguage(),
  fallbackLng: false,
  supportedLngs: languages,
  defaultNS: "common",
  ns: ["common", "terms"],
  resources: { es: { common: common.es, terms: terms.es }, en: { common: common.en, terms: terms.en } },
  interpolation: { escapeValue: false },
  returnNull: false,
});

function applyLanguage(lng: string) {
  document.documentElement.lang = lng;
  dayjs.locale(lng);
}
applyLanguage(i18n.language);
i18n.on("languageChanged", (lng) => {
  applyLanguage(lng);
  globalThis.localStorage?.setItem(storageKey, lng);
});

/** Adds a screen's strings (both languages) under its namespace. */
export function addStrings(ns: string, strings: { es: Strings; en: Strings }) {
  for (const lng of languages) {
    if (!i18n.hasResourceBundle(lng, ns)) i18n.addResourceBundle(lng, ns, strings[lng], true, false);
  }
}

/** Numbers and dates in the chosen language's conventions. */
export function useFormat() {
  const { i18n: current } = useTranslation();
  const locale = current.language === "en" ? "en-GB" : "es-MX";
  return {
    locale,
    number: (n: number) => new Intl.NumberFormat(locale).format(n),
    date: (iso: string | null | undefined) =>
      iso
        ? new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" }).format(
            new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso),
          )
        : "—",
    dateTime: (iso: string | null | undefined) =>
      iso
        ? new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso))
        : "—",
    /** "in 3 days", "2 days ago" */
    relative: (iso: string) => {
      const days = Math.round((new Date(iso).getTime() - Date.now()) / 86_400_000);
      return new Intl.RelativeTimeFormat(locale, { numeric: "auto" }).format(days, "day");
    },
  };
}
