// One stored version of an own k6 script: its files read back and highlighted (never run in
// the page), and the form that runs it like any test: target, __ENV values, runners, mode.
import hljs from "highlight.js/lib/core";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import { useMemo, useState } from "preact/hooks";
import { type MetricsMode, type ScriptVersionRead, api } from "../api/client";
import { useI18n } from "../i18n";
import { useAccess } from "../lib/auth";
import { useAction, useAsync } from "../lib/useAsync";
import { navigate } from "../router";
import { Async, ErrorNote } from "./ui";

hljs.registerLanguage("javascript", javascript);
hljs.registerLanguage("json", json);

/** highlight.js escapes the text it marks up, so its HTML holds no markup of the file's own. */
export function highlighted(path: string, text: string): string | null {
  const language = /\.(m?js|cjs|ts)$/i.test(path) ? "javascript" : /\.json$/i.test(path) ? "json" : null;
  return language ? hljs.highlight(text, { language, ignoreIllegals: true }).value : null;
}

export function OwnScriptVersion({ version, onClose }: { version: ScriptVersionRead; onClose: () => void }) {
  const { t } = useI18n();
  const { can } = useAccess();
  return (
    <div class="stack" aria-label={t("own.opened", { name: version.name, version: version.version })}>
      <div class="actions start">
        <h3>{version.name} v{version.version}</h3>
        <button type="button" class="secondary small" onClick={onClose}>{t("own.close")}</button>
      </div>
      <ScriptSource version={version} />
      {can("test") && <RunForm version={version} />}
    </div>
  );
}

function ScriptSource({ version }: { version: ScriptVersionRead }) {
  const { t } = useI18n();
  const [path, setPath] = useState(version.entry);
  const file = useAsync(() => api.ownScriptFile(version.id, path), [version.id, path]);
  const paths = Object.keys(version.files).sort((a, b) => (a === version.entry ? -1 : b === version.entry ? 1 : a.localeCompare(b)));
  return (
    <section aria-label={t("own.source")}>
      <div class="tabs" role="tablist">
        {paths.map((p) => (
          <button type="button" role="tab" key={p} aria-selected={p === path} class={p === path ? "tab active" : "tab"} onClick={() => setPath(p)}>
            {p}{p === version.entry ? ` · ${t("own.entryMark")}` : ""}
          </button>
        ))}
      </div>
      <Async state={file} what={path}>{(text) => <Source path={path} text={text} />}</Async>
    </section>
  );
}

function Source({ path, text }: { path: string; text: string }) {
  const html = useMemo(() => highlighted(path, text), [path, text]);
  return html === null
    ? <pre class="source">{text}</pre>
    : <pre class="source hljs" dangerouslySetInnerHTML={{ __html: html }} />;
}

interface EnvRow { name: string; value: string }

function RunForm({ version }: { version: ScriptVersionRead }) {
  const { t } = useI18n();
  const [baseUrl, setBaseUrl] = useState("");
  const [env, setEnv] = useState<EnvRow[]>([]);
  const [parallelism, setParallelism] = useState("1");
  const [mode, setMode] = useState<MetricsMode>("fast");
  const { busy, error, run } = useAction();
  const set = (i: number, patch: Partial<EnvRow>) => setEnv(env.map((row, j) => (j === i ? { ...row, ...patch } : row)));
  const submit = (event: Event) => {
    event.preventDefault();
    return run(async () => {
      const created = await api.runOwnScript({
        script_id: version.id, base_url: baseUrl, parallelism: Number(parallelism) || 1, one_runner_per_node: false, metrics_mode: mode,
        env: Object.fromEntries(env.filter((row) => row.name).map((row) => [row.name, row.value])),
      });
      navigate(`/tests/${created.test_history_id}`);
    });
  };
  return (
    <form class="stack" onSubmit={submit} aria-label={t("own.run")}>
      <h3>{t("own.run")}</h3>
      <div class="field"><label>{t("builder.baseUrl")}<input name="base_url" type="url" required value={baseUrl}
        aria-describedby="own-base-hint" onInput={(e) => setBaseUrl(e.currentTarget.value)} /></label>
        <span class="hint" id="own-base-hint">{t("own.baseUrlHint")}</span></div>
      <fieldset class="pairs">
        <legend>{t("own.env")}</legend>
        {env.map((row, i) => (
          <div class="pair" key={i}>
            <input aria-label={t("pairs.name", { n: i + 1 })} placeholder="TOKEN" pattern="[A-Za-z_][A-Za-z0-9_]*" value={row.name}
              onInput={(e) => set(i, { name: e.currentTarget.value })} />
            <input aria-label={t("pairs.value", { n: i + 1 })} type="password" autocomplete="off" value={row.value}
              onInput={(e) => set(i, { value: e.currentTarget.value })} />
            <button type="button" class="icon" aria-label={t("pairs.remove", { n: i + 1 })} onClick={() => setEnv(env.filter((_, j) => j !== i))}>×</button>
          </div>
        ))}
        <button type="button" class="secondary small" onClick={() => setEnv([...env, { name: "", value: "" }])}>{t("pairs.add")}</button>
        <span class="hint">{t("own.envHint")}</span>
      </fieldset>
      <div class="form-grid">
        <label>{t("runners.count")}<input name="parallelism" type="number" min="1" max="10" step="1" value={parallelism}
          onInput={(e) => setParallelism(e.currentTarget.value)} /></label>
        <label>{t("mode.label")}<select name="metrics_mode" value={mode} onChange={(e) => setMode(e.currentTarget.value as MetricsMode)}>
          <option value="fast">{t("mode.fast")}</option><option value="precise">{t("mode.precise")}</option></select></label>
      </div>
      <div class="actions start">
        <button type="submit" class="primary" disabled={busy || !baseUrl}>{busy ? t("own.starting") : t("own.start", { name: version.name, version: version.version })}</button>
      </div>
      {error && <ErrorNote error={error} what={t("own.runFailed")} />}
    </form>
  );
}
