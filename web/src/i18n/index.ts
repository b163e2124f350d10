// One message catalogue for every word the UI shows (messages.ts), English and Korean.
// The browser's language is the default; a choice made with the switch is remembered.
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import { en, ko } from "./messages";

export type Key = keyof typeof en;
export type Lang = "en" | "ko";
export const LANGS: Lang[] = ["en", "ko"];
const catalogues: Record<Lang, Record<Key, string>> = { en, ko };

/** The message in that language, `{name}` placeholders filled; English when a word is missing. */
export function translate(lang: Lang, key: Key, vars?: Record<string, string | number>): string {
  const text = catalogues[lang][key] ?? en[key] ?? key;
  return vars ? text.replace(/\{(\w+)\}/g, (whole, name: string) => String(vars[name] ?? whole)) : text;
}

/** The stored choice, else the first browser language we have, else English. */
export function pickLanguage(stored: string | null, browser: readonly string[]): Lang {
  if (stored === "en" || stored === "ko") return stored;
  for (const tag of browser) {
    const base = tag.toLowerCase().split("-")[0];
    if (base === "ko" || base === "en") return base;
  }
  return "en";
}

/** Numbers and dates follow the browser's own locale when it is of the chosen language
 *  (en-GB keeps its date order), else that language's default. */
export function localeFor(lang: Lang, browser: readonly string[]): string {
  return browser.find((tag) => tag.toLowerCase().startsWith(lang)) ?? (lang === "ko" ? "ko-KR" : "en-US");
}

export interface I18n {
  lang: Lang;
  locale: string;
  t: (key: Key, vars?: Record<string, string | number>) => string;
  setLang: (lang: Lang) => void;
}

export const I18nContext = createContext<I18n>({
  lang: "en", locale: "en-US", t: (key, vars) => translate("en", key, vars), setLang: () => {},
});

export const useI18n = (): I18n => useContext(I18nContext);
