// Import a HAR recording: the file is read by the gateway into a preview (nothing is kept):
// the steps matched to the project's endpoints, the requests set aside and why (tick to keep
// them and preview again), the values carried from an answer to a later request, the secret
// values to give again. "Use in builder" adds the journey as a scenario of the builder.
import { useState } from "preact/hooks";
import { type EndpointRead, type Schemas, type StepCreate, request } from "../api/client";
import { useI18n } from "../i18n";
import { stepsFromCreate } from "../lib/journey";
import { type ScenarioForm, newScenario } from "../lib/scenario";
import { ErrorNote, Method } from "./ui";

type HarPreview = Schemas["HarPreview"];

/** The preview of ``file`` as POST /project/{id}/import/har answers it. */
export function previewHar(projectId: number, file: Blob, host: string, keep: number[], keepHosts: string[]): Promise<HarPreview> {
  const query = new URLSearchParams();
  if (host.trim()) query.set("host", host.trim());
  keep.forEach((k) => query.append("keep", String(k)));
  keepHosts.forEach((h) => query.append("keep_hosts", h));
  const text = query.toString();
  return request<HarPreview>("POST", `/project/${projectId}/import/har${text ? `?${text}` : ""}`,
    { file: { body: file, type: "application/octet-stream" } });
}

/** The preview's journey as a scenario of the builder (steps whose endpoint is gone left out). */
export function harScenario(preview: HarPreview, endpoints: EndpointRead[], taken: Set<string>): ScenarioForm | null {
  const steps = stepsFromCreate(preview.steps.map((s) => s.step as StepCreate), endpoints);
  const first = steps[0];
  if (!first) return null;
  let name = "har_import";
  for (let n = 2; taken.has(name); n++) name = `har_import_${n}`;
  return { ...newScenario(first.endpoint, taken), name, steps };
}

export function HarImport({ projectId, endpoints, taken, onUse }: {
  projectId: number; endpoints: EndpointRead[]; taken: Set<string>; onUse: (form: ScenarioForm) => void;
}) {
  const { t } = useI18n();
  const [file, setFile] = useState<File | null>(null);
  const [host, setHost] = useState("");
  const [keep, setKeep] = useState<Set<number>>(new Set());
  const [keepHosts, setKeepHosts] = useState<Set<string>>(new Set());
  const [preview, setPreview] = useState<HarPreview | null>(null);
  const [used, setUsed] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const read = async () => {
    if (!file) return;
    setBusy(true); setError(undefined); setUsed("");
    try { setPreview(await previewHar(projectId, file, host, [...keep], [...keepHosts])); }
    catch (failure) { setError(failure as Error); setPreview(null); }
    finally { setBusy(false); }
  };
  const toggle = <T,>(set: Set<T>, value: T, write: (s: Set<T>) => void) => {
    const next = new Set(set);
    if (next.has(value)) next.delete(value); else next.add(value);
    write(next);
  };
  const use = () => {
    const form = preview && harScenario(preview, endpoints, taken);
    if (form) { onUse(form); setUsed(form.name); }
  };
  return (
    <details class="inline-form har-import">
      <summary>{t("har.title")}</summary>
      <p class="muted small">{t("har.intro")}</p>
      <div class="form-grid">
        <label>{t("har.file")}<input type="file" accept=".har,application/json" name="har"
          onChange={(e) => { setFile(e.currentTarget.files?.[0] ?? null); setKeep(new Set()); setKeepHosts(new Set()); setPreview(null); }} /></label>
        <label>{t("har.host")}<input name="har_host" value={host} maxLength={300} onInput={(e) => setHost(e.currentTarget.value)} /></label>
      </div>
      <div class="actions"><button type="button" disabled={!file || busy} onClick={read}>{busy ? t("har.reading") : t("har.preview")}</button></div>
      {error && <ErrorNote error={error} what={t("har.failed")} />}
      {preview && <Preview preview={preview} keep={keep} keepHosts={keepHosts}
        onKeep={(i) => toggle(keep, i, setKeep)} onKeepHost={(h) => toggle(keepHosts, h, setKeepHosts)} />}
      {preview && <div class="actions">
        <button type="button" class="primary" disabled={!preview.steps.length} onClick={use}>{t("har.use")}</button>
        {used && <span role="status">{t("har.used", { name: used })}</span>}
      </div>}
    </details>
  );
}

function Preview({ preview, keep, keepHosts, onKeep, onKeepHost }: {
  preview: HarPreview; keep: Set<number>; keepHosts: Set<string>; onKeep: (entry: number) => void; onKeepHost: (host: string) => void;
}) {
  const { t } = useI18n();
  return (
    <div class="stack har-preview">
      <p>{t("har.summary", { steps: preview.steps.length, entries: preview.entries, host: preview.main_host ?? "—" })}</p>
      {preview.base_url && <p class="muted small">{t("har.baseUrl", { url: preview.base_url })}</p>}
      <h3>{t("har.steps")}</h3>
      {preview.steps.length ? <ol class="har-steps">{preview.steps.map((s) => (
        <li key={s.entry}><Method method={s.method} /> {s.step.name} <span class="muted small">{s.status} · {s.step.think_time}s</span></li>
      ))}</ol> : <p class="muted">{t("har.noSteps")}</p>}
      {preview.correlations.length > 0 && <>
        <h3>{t("har.correlations")}</h3>
        <div class="table-wrap"><table>
          <thead><tr><th>{t("har.variable")}</th><th>{t("har.from")}</th><th>{t("har.usedIn")}</th></tr></thead>
          <tbody>{preview.correlations.map((c) => (
            <tr key={c.variable}><td><code>{`{{${c.variable}}}`}</code></td><td>{c.step} <span class="muted small">{c.source}: {c.expression}</span></td>
              <td class="small">{c.used_in.join(", ")}</td></tr>
          ))}</tbody>
        </table></div>
      </>}
      {preview.secrets_to_fill.length > 0 && <p class="note" role="note">{t("har.secrets")}: {preview.secrets_to_fill.map((s) => `${s.step} (${s.field})`).join(", ")}</p>}
      {preview.notes.length > 0 && <><h3>{t("har.notes")}</h3><ul class="small">{preview.notes.map((n, i) => <li key={i}>{n}</li>)}</ul></>}
      {preview.skipped.length > 0 && <>
        <h3>{t("har.skipped")}</h3>
        <p class="muted small">{t("har.keepHint")}</p>
        <div class="table-wrap"><table>
          <thead><tr><th>{t("har.keep")}</th><th>URL</th><th>{t("har.reason")}</th></tr></thead>
          <tbody>{preview.skipped.map((s) => (
            <tr key={s.entry}>
              <td>{(s.keepable || keep.has(s.entry)) && <input type="checkbox" aria-label={`${t("har.keep")} ${s.url}`}
                checked={s.reason === "third_party" ? keepHosts.has(s.host) : keep.has(s.entry)}
                onChange={() => (s.reason === "third_party" ? onKeepHost(s.host) : onKeep(s.entry))} />}</td>
              <td><Method method={s.method} /> <span class="small">{s.url}</span></td>
              <td class="small">{s.reason}: {s.detail}</td>
            </tr>
          ))}</tbody>
        </table></div>
      </>}
    </div>
  );
}
