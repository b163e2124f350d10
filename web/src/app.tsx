// The shell: header with navigation, language and theme switches; the page of the route.
import { useEffect, useMemo, useState } from "preact/hooks";
import { I18nContext, type I18n, LANGS, type Lang, localeFor, pickLanguage, translate, useI18n } from "./i18n";
import { AuthGate, WhoAmI } from "./components/Auth";
import { HealthDot } from "./components/HealthDot";
import { Analyse } from "./pages/Analyse";
import { Board } from "./pages/Board";
import { Builder } from "./pages/Builder";
import { Compare } from "./pages/Compare";
import { Project } from "./pages/Project";
import { Run } from "./pages/Run";
import { href, onLinkClick, useRoute } from "./router";
import { type Theme, ThemeContext, applyTheme, initialTheme } from "./theme";

function Page() {
  const route = useRoute();
  const { t } = useI18n();
  const id = (name: string) => Number(route.params[name]);
  switch (route.name) {
    case "board": return <Board />;
    case "project": return <Project projectId={id("projectId")} key={route.params.projectId} />;
    case "analyse": {
      const spec = route.query.get("spec");
      return <Analyse projectId={id("projectId")} specId={spec ? Number(spec) : undefined} url={route.query.get("url") ?? undefined} />;
    }
    case "builder": {
      const from = route.query.get("from");
      const plan = route.query.get("plan");
      const baseUrl = route.query.get("base_url") ?? undefined; // a discovered server's own address
      return <Builder projectId={id("projectId")} from={from ? Number(from) : undefined} planId={plan ? Number(plan) : undefined}
        baseUrl={baseUrl} key={`${from ?? "new"}-${plan ?? ""}-${baseUrl ?? ""}`} />;
    }
    case "test": return <Run historyId={id("historyId")} key={route.params.historyId} />;
    case "compare": return <Compare base={Number(route.query.get("base"))} other={Number(route.query.get("other"))} />;
    default: return <main class="page"><h1>{t("notFound")}</h1><a href={href("/")}>{t("board.title")}</a></main>;
  }
}

export function App() {
  const browser = navigator.languages?.length ? navigator.languages : [navigator.language];
  const [lang, setLang] = useState<Lang>(() => pickLanguage(localStorage.getItem("mv.lang"), browser));
  const [theme, setTheme] = useState<Theme>(() => applyTheme(initialTheme()));
  const i18n = useMemo<I18n>(() => ({
    lang, locale: localeFor(lang, browser), t: (key, vars) => translate(lang, key, vars),
    setLang: (next) => { localStorage.setItem("mv.lang", next); setLang(next); },
  }), [lang]);
  useEffect(() => { document.documentElement.lang = lang; document.title = i18n.t("app.title"); }, [lang]);
  const { t } = i18n;
  return (
    <I18nContext.Provider value={i18n}>
      <ThemeContext.Provider value={theme}>
        <div onClick={onLinkClick}>
          <a class="skip" href="#content">{t("skip")}</a>
          <AuthGate header={
          <header class="topbar">
            <a class="brand" href={href("/")}><span class="logo" aria-hidden="true">◆</span> Metric Vault</a>
            <nav aria-label={t("nav.main")}><a href={href("/")}>{t("board.title")}</a><a href="/api/swagger" target="_blank" rel="noopener">{t("nav.api")}</a></nav>
            <div class="switches">
              <HealthDot />
              <WhoAmI />
              <label class="sr-only" for="lang">{t("nav.language")}</label>
              <select id="lang" value={lang} onChange={(e) => i18n.setLang(e.currentTarget.value as Lang)}>
                {LANGS.map((l) => <option value={l} key={l}>{l === "ko" ? "한국어" : "English"}</option>)}
              </select>
              <button type="button" class="icon" aria-label={theme === "dark" ? t("nav.light") : t("nav.dark")}
                onClick={() => setTheme(applyTheme(theme === "dark" ? "light" : "dark", true))}>
                {theme === "dark" ? "☀" : "☾"}</button>
            </div>
          </header>}>
            {(round) => <div id="content"><Page key={round} /></div>}
          </AuthGate>
        </div>
      </ThemeContext.Provider>
    </I18nContext.Provider>
  );
}
