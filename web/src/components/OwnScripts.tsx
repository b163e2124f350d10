// A project's own k6 scripts: paste one or choose a file (.js, .tar.gz, .zip), have k6 read it
// (its refusal shown with the file and line), and see what k6 read: scenarios, executors,
// thresholds. Every upload under a name is its next version.
import { useState } from "preact/hooks";
import { type ScriptVersionRead, api } from "../api/client";
import { useI18n } from "../i18n";
import { useAccess } from "../lib/auth";
import { useAction, useAsync } from "../lib/useAsync";
import { OwnScriptVersion } from "./OwnScriptVersion";
import { Async, ErrorNote } from "./ui";

export function OwnScripts({ projectId }: { projectId: number }) {
  const { t } = useI18n();
  const { can } = useAccess();
  const versions = useAsync(() => api.ownScripts(projectId), [projectId]);
  const [kept, setKept] = useState<ScriptVersionRead | null>(null);
  const [opened, setOpened] = useState<ScriptVersionRead | null>(null);
  return (
    <section class="card" aria-labelledby="own-title">
      <h2 id="own-title">{t("own.title")}</h2>
      {can("test") && <UploadForm projectId={projectId} onKept={(v) => { setKept(v); versions.reload(); }} />}
      {kept && <Reading version={kept} />}
      <Async state={versions} what={t("own.versions")}>
        {(list) => list.length ? (
          <div class="table-wrap"><table>
            <thead><tr><th>{t("own.name")}</th><th>{t("col.version")}</th><th>{t("own.scenarios")}</th><th>{t("own.thresholds")}</th><th /></tr></thead>
            <tbody>{list.map((v) => (
              <tr key={v.id}>
                <td>{v.name} <span class="muted small">{v.entry} · {t("own.files", { n: Object.keys(v.files).length })}</span></td>
                <td>v{v.version}</td>
                <td>{v.inspection.scenarios?.map((s) => s.name).join(", ")}</td>
                <td>{Object.keys(v.inspection.thresholds ?? {}).length}</td>
                <td><button type="button" class="secondary small" aria-label={`${t("own.open")} ${v.name} v${v.version}`}
                  onClick={() => setOpened(v)}>{t("own.open")}</button></td>
              </tr>
            ))}</tbody>
          </table></div>
        ) : <p class="muted">{t("own.none")}</p>}
      </Async>
      {opened && <OwnScriptVersion key={opened.id} version={opened} onClose={() => setOpened(null)} />}
    </section>
  );
}

function UploadForm({ projectId, onKept }: { projectId: number; onKept: (v: ScriptVersionRead) => void }) {
  const { t } = useI18n();
  const [name, setName] = useState("");
  const [text, setText] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const [entry, setEntry] = useState("");
  const { busy, error, run } = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    return run(async () => {
      const body: Blob = file ?? new Blob([text], { type: "text/javascript" });
      const type = file ? (file.name.endsWith(".zip") ? "application/zip" : file.name.endsWith(".js") ? "text/javascript" : "application/gzip") : "text/javascript";
      onKept(await api.uploadOwnScript(projectId, name, body, type, entry || undefined));
    });
  };
  return (
    <form onSubmit={submit} class="stack">
      <p class="muted small">{t("own.intro")}</p>
      <label>{t("own.name")} <input required pattern="[A-Za-z0-9][A-Za-z0-9._-]*" maxLength={255} value={name}
        onInput={(e) => setName((e.target as HTMLInputElement).value)} /></label>
      <label>{t("own.paste")} <textarea rows={8} spellcheck={false} class="mono" value={text} disabled={file !== null}
        onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} /></label>
      <label>{t("own.file")} <input type="file" accept=".js,.mjs,.tar.gz,.tgz,.zip"
        onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0] ?? null)} /></label>
      <label>{t("own.entry")} <input value={entry} maxLength={1024} placeholder="main.js"
        onInput={(e) => setEntry((e.target as HTMLInputElement).value)} /></label>
      <button type="submit" disabled={busy || !name || (!text && !file)}>{busy ? t("own.checking") : t("own.check")}</button>
      {error && <ErrorNote error={error} what={t("own.failed")} />}
    </form>
  );
}

function Reading({ version }: { version: ScriptVersionRead }) {
  const { t } = useI18n();
  const seen = version.inspection;
  const thresholds = Object.entries(seen.thresholds ?? {});
  return (
    <div role="status">
      <p>{t("own.kept", { name: version.name, version: version.version })}{seen.max_vus ? ` · ${t("own.maxVus", { vus: seen.max_vus })}` : ""}</p>
      <div class="table-wrap"><table>
        <thead><tr><th>{t("own.scenarios")}</th><th>{t("own.executor")}</th><th>{t("own.exec")}</th></tr></thead>
        <tbody>{(seen.scenarios ?? []).map((s) => <tr key={s.name}><td>{s.name}</td><td>{s.executor}</td><td>{s.exec}</td></tr>)}</tbody>
      </table></div>
      <h3>{t("own.thresholds")}</h3>
      {thresholds.length ? <ul>{thresholds.map(([metric, rules]) => <li key={metric}><code>{metric}</code>: {rules.join(", ")}</li>)}</ul>
        : <p class="muted">{t("own.noThresholds")}</p>}
    </div>
  );
}
