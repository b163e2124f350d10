// A Postman collection (and its environment) previewed before anything is saved: its journeys
// and steps on the project's endpoints, its variables, sign-in and secrets, what its scripts
// became and what is not carried over; "Use in builder" hands the test to the builder.
import { useMemo, useState } from "preact/hooks";
import { ApiError, type EndpointRead, type LoadTestCreate, type PostmanPreview, api } from "../api/client";
import { useI18n } from "../i18n";
import { fileValues, withSecrets } from "../lib/postman";
import { ErrorNote, Method } from "./ui";

export function PostmanImport({ projectId, endpoints, onUse }: {
  projectId: number; endpoints: EndpointRead[]; onUse: (test: LoadTestCreate) => void;
}) {
  const { t } = useI18n();
  const [collection, setCollection] = useState("");
  const [environment, setEnvironment] = useState<string>();
  const [preview, setPreview] = useState<PostmanPreview | null>(null);
  const [secrets, setSecrets] = useState<Record<string, string>>({});
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const [used, setUsed] = useState(false);

  const read = (file: File | undefined, set: (text: string) => void) => {
    setPreview(null); setUsed(false);
    if (file) void file.text().then(set);
  };
  const ask = async (event: Event) => {
    event.preventDefault();
    setBusy(true); setError(undefined); setUsed(false);
    try {
      const found = await api.importPostman(projectId, { collection, environment: environment ?? null });
      const known = fileValues(collection, environment);
      setSecrets(Object.fromEntries(found.secrets.map((s) => [s.name, s.variable ? known[s.name] ?? "" : ""])));
      setPreview(found);
    } catch (failure) {
      setError(failure instanceof ApiError ? failure : new Error(String(failure)));
    } finally { setBusy(false); }
  };
  const use = () => {
    const test = preview && withSecrets(preview, secrets);
    if (test) { onUse(test); setUsed(true); }
  };

  return (
    <details class="inline-form postman-import">
      <summary>{t("postman.title")}</summary>
      <p class="muted small">{t("postman.intro")}</p>
      <div class="form-grid">
        <label>{t("postman.collection")}<input type="file" name="postman_collection" accept=".json,application/json"
          onChange={(e) => read(e.currentTarget.files?.[0], setCollection)} /></label>
        <label>{t("postman.environment")}<input type="file" name="postman_environment" accept=".json,application/json"
          onChange={(e) => read(e.currentTarget.files?.[0], setEnvironment)} /></label>
      </div>
      <div class="actions start">
        <button type="button" disabled={!collection || busy} onClick={ask}>{busy ? t("postman.reading") : t("postman.preview")}</button>
      </div>
      {error && <ErrorNote error={error} what={t("postman.failed")} />}
      {preview && <Preview preview={preview} endpoints={endpoints} secrets={secrets} onSecret={(name, value) => setSecrets((now) => ({ ...now, [name]: value }))} />}
      {preview?.test && <div class="actions start">
        <button type="button" class="primary" onClick={use}>{t("postman.use")}</button>
        {used && <span class="muted" role="status">{t("postman.used")}</span>}
      </div>}
    </details>
  );
}

function Preview({ preview, endpoints, secrets, onSecret }: {
  preview: PostmanPreview; endpoints: EndpointRead[]; secrets: Record<string, string>; onSecret: (name: string, value: string) => void;
}) {
  const { t } = useI18n();
  const byId = useMemo(() => new Map(endpoints.map((e) => [e.id, e])), [endpoints]);
  const journeys = preview.test?.scenarios ?? [];
  return (
    <div class="postman-preview" aria-live="polite">
      <p>{t("postman.summary", { requests: preview.requests, steps: preview.steps, journeys: journeys.length })}
        {preview.base_url && <> · {t("postman.baseUrl")}: <code>{preview.base_url}</code></>}</p>
      {!preview.test && <p class="muted">{t("postman.noTest")}</p>}
      {journeys.length > 0 && <><h3>{t("postman.journeys")}</h3>
        <ul>{journeys.map((j) => (
          <li key={j.name}><strong>{j.name}</strong> <span class="muted small">
            {j.sign_in ? t("postman.signIn", { kind: j.sign_in.kind }) : t("postman.noSignIn")}</span>
            <ol>{j.steps?.map((s) => {
              const endpoint = byId.get(s.endpoint_id);
              return <li key={s.name}>{s.name} {endpoint && <span class="small"><Method method={endpoint.method} /> {endpoint.path}</span>}</li>;
            })}</ol>
          </li>))}</ul></>}
      {preview.variables.length > 0 && <><h3>{t("postman.variables")}</h3>
        <ul class="small">{preview.variables.map((v, i) => (
          <li key={i}><code>{`{{${v.name}}}`}</code> {v.secret ? <em>{t("postman.secret")}</em>
            : v.source === "script" ? <em>{t("postman.fromScript")}</em> : <code>{v.value}</code>} <span class="muted">({v.source})</span></li>))}</ul></>}
      {preview.secrets.length > 0 && <><h3>{t("postman.secrets")}</h3>
        <p class="muted small">{t("postman.secretsHint")}</p>
        <div class="form-grid">{preview.secrets.map((s) => (
          <label key={s.name}>{s.name}<input type="password" autocomplete="off" value={secrets[s.name] ?? ""}
            onInput={(e) => onSecret(s.name, e.currentTarget.value)} /></label>))}</div></>}
      {preview.scripts.length > 0 && <><h3>{t("postman.scripts")}</h3>
        <ul class="small">{preview.scripts.map((s, i) => (
          <li key={i}>{s.where} · {s.kind} · {s.carried_over ? t("postman.carried", { what: (s.became ?? []).join(", ") })
            : t("postman.notCarried", { lines: s.lines })}</li>))}</ul></>}
      {preview.not_carried.length > 0 && <><h3>{t("postman.left")}</h3>
        <ul class="small">{preview.not_carried.map((n, i) => <li key={i}>{n.where} · {n.what}: {n.reason}</li>)}</ul></>}
    </div>
  );
}
