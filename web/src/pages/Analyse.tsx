// Analyse an OpenAPI document for a project: from a URL (the document, a Swagger UI or ReDoc
// page, a base URL), pasted text or a file. Shows the progress, then what changed or, in plain
// words, why it failed. What was typed stays when a request fails.
import { useEffect, useState } from "preact/hooks";
import { api, type AnalysisRead } from "../api/client";
import { ErrorNote, Loading } from "../components/ui";
import { type Key, useI18n } from "../i18n";
import { useAccess } from "../lib/auth";
import { useAsync } from "../lib/useAsync";
import { href } from "../router";

type Source = "url" | "document";

export function Analyse({ projectId, specId, url }: { projectId: number; specId?: number; url?: string }) {
  const { t } = useI18n();
  const { can } = useAccess();
  const project = useAsync(() => api.project(projectId), [projectId]);
  const [source, setSource] = useState<Source>("url");
  const [address, setAddress] = useState(url ?? "");
  const [documentText, setDocumentText] = useState("");
  const [error, setError] = useState<Error>();
  const [analysis, setAnalysis] = useState<AnalysisRead | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!analysis || analysis.status !== "pending") return;
    const id = setTimeout(async () => {
      try { setAnalysis(await api.analysis(analysis.analysis_id)); } catch (failure) { setError(failure as Error); setBusy(false); }
    }, 700);
    return () => clearTimeout(id);
  }, [analysis]);
  useEffect(() => { if (analysis && analysis.status !== "pending") setBusy(false); }, [analysis]);

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(undefined); setAnalysis(null); setBusy(true);
    try {
      setAnalysis(await api.analyse({
        project_id: projectId, spec_id: specId ?? null,
        ...(source === "url" ? { openapi_url: address.trim() } : { document: documentText }),
      }));
    } catch (failure) { setError(failure as Error); setBusy(false); }
  };
  const readFile = async (file: File | undefined) => { if (file) { setDocumentText(await file.text()); setSource("document"); } };

  return (
    <main class="page narrow">
      <header class="page-head"><div>
        <nav class="crumbs" aria-label={t("nav.crumbs")}><a href={href("/")}>{t("board.title")}</a> / <a href={href(`/projects/${projectId}`)}>{project.data?.title ?? "…"}</a> /</nav>
        <h1>{specId ? t("analyse.reTitle") : t("analyse.title")}</h1>
        <p class="muted">{t("analyse.subtitle")}</p>
      </div></header>
      <form class="card form" onSubmit={submit}>
        <fieldset class="segmented">
          <legend class="sr-only">{t("analyse.source")}</legend>
          <label><input type="radio" name="source" checked={source === "url"} onChange={() => setSource("url")} />{t("analyse.fromUrl")}</label>
          <label><input type="radio" name="source" checked={source === "document"} onChange={() => setSource("document")} />{t("analyse.fromDocument")}</label>
        </fieldset>
        {source === "url" ? (
          <div class="field">
            <label>{t("analyse.url")}
              <input type="url" name="openapi_url" required value={address} placeholder="http://my-service:8000/docs"
                aria-describedby="url-hint" onInput={(e) => setAddress(e.currentTarget.value)} />
            </label>
            <span class="hint" id="url-hint">{t("analyse.urlHint")}</span>
          </div>
        ) : (
          <>
            <label>{t("analyse.document")}
              <textarea name="document" rows={12} required value={documentText} spellcheck={false}
                placeholder={'openapi: 3.1.0\ninfo: ...'} onInput={(e) => setDocumentText(e.currentTarget.value)} />
            </label>
            <label>{t("analyse.file")}<input type="file" accept=".json,.yaml,.yml,application/json,text/yaml"
              onChange={(e) => readFile(e.currentTarget.files?.[0])} /></label>
          </>
        )}
        <div class="actions"><button type="submit" disabled={busy || !can("test")}>{busy ? t("analyse.working") : t("analyse.start")}</button></div>
        {error && <ErrorNote error={error} what={t("analyse.requestFailed")} />}
      </form>
      {analysis && <Outcome analysis={analysis} projectId={projectId} />}
    </main>
  );
}

function Outcome({ analysis, projectId }: { analysis: AnalysisRead; projectId: number }) {
  const { t } = useI18n();
  if (analysis.status === "pending") {
    return <section class="card" aria-live="polite"><Loading label={t("analyse.pending")} />
      <p class="muted small">{t("analyse.pendingBody")}</p></section>;
  }
  if (analysis.status === "failed") {
    const kind = `failure.${analysis.failure_kind ?? "internal"}` as Key;
    return (
      <section class="card note error" role="alert">
        <h2>{t("analyse.failed")}</h2>
        <p><strong>{t(kind) === kind ? analysis.failure_kind : t(kind)}</strong></p>
        <p>{analysis.reason}</p>
      </section>
    );
  }
  const changes = (analysis.changes ?? {}) as { added?: string[]; changed?: string[]; removed?: string[]; unchanged?: number };
  return (
    <section class="card note success" aria-live="polite">
      <h2>✓ {t("analyse.done")}</h2>
      <div class="tiles">
        <div class="tile good"><div class="tile-label">{t("analyse.added")}</div><div class="tile-value">{changes.added?.length ?? 0}</div></div>
        <div class="tile"><div class="tile-label">{t("analyse.changed")}</div><div class="tile-value">{changes.changed?.length ?? 0}</div></div>
        <div class="tile bad"><div class="tile-label">{t("analyse.removed")}</div><div class="tile-value">{changes.removed?.length ?? 0}</div></div>
        <div class="tile"><div class="tile-label">{t("analyse.unchanged")}</div><div class="tile-value">{changes.unchanged ?? 0}</div></div>
      </div>
      {(["added", "changed", "removed"] as const).map((what) => (changes[what]?.length ?? 0) > 0 && (
        <details key={what}><summary>{t(`analyse.${what}`)} ({changes[what]!.length})</summary>
          <ul class="mono small">{changes[what]!.slice(0, 200).map((key) => <li key={key}>{key}</li>)}</ul></details>
      ))}
      <div class="actions">
        <a class="button secondary" href={href(`/projects/${projectId}`)}>{t("analyse.toProject")}</a>
        <a class="button" href={href(`/projects/${projectId}/new-test`)}>{t("project.newTest")}</a>
      </div>
    </section>
  );
}
