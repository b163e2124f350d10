// A project: its specs, the servers found in its namespace, every endpoint (searchable), its
// plans, test data, test history and trend.
import { useState } from "preact/hooks";
import { api, type SpecRead } from "../api/client";
import { EndpointBrowser } from "../components/EndpointBrowser";
import { Channels } from "../components/Channels";
import { DataFiles } from "../components/DataFiles";
import { OwnScripts } from "../components/OwnScripts";
import { Plans } from "../components/Plans";
import { DiscoveredServers } from "../components/Servers";
import { ProjectStorage } from "../components/Storage";
import { Async, Confirm, Empty, ErrorNote } from "../components/ui";
import { PlanTrends } from "../components/PlanTrends";
import { TrendChart } from "../components/TrendChart";
import { useI18n } from "../i18n";
import { useAccess } from "../lib/auth";
import { formatDateTime } from "../lib/format";
import { useAsync } from "../lib/useAsync";
import { href, navigate } from "../router";
import { RecentTable } from "./Board";

export function Project({ projectId }: { projectId: number }) {
  const { t } = useI18n();
  const { can } = useAccess();
  const project = useAsync(() => api.project(projectId), [projectId]);
  const specs = useAsync(() => api.specs(projectId), [projectId]);
  const endpoints = useAsync(() => api.endpoints(projectId), [projectId]);
  const hasEndpoints = (endpoints.data?.length ?? 0) > 0;
  return (
    <main class="page">
      <Async state={project} what={t("project.title")}>
        {(p) => (
          <header class="page-head">
            <div>
              <nav class="crumbs" aria-label={t("nav.crumbs")}><a href={href("/")}>{t("board.title")}</a> /</nav>
              <h1>{p.title}</h1>
              {p.summary && <p class="muted">{p.summary}</p>}
            </div>
            <div class="actions">
              {can("test") && <a class="button secondary" href={href(`/projects/${projectId}/analyse`)}>{t("project.analyse")}</a>}
              {can("test") && hasEndpoints && <a class="button" href={href(`/projects/${projectId}/new-test`)}>{t("project.newTest")}</a>}
            </div>
          </header>
        )}
      </Async>
      <section class="card">
        <h2>{t("specs.title")}</h2>
        <Async state={specs} what={t("specs.title")}>
          {(list) => list.length ? <Specs specs={list} projectId={projectId} onChange={() => { specs.reload(); endpoints.reload(); }} />
            : <Empty title={t("specs.none")}><p>{t("specs.noneBody")}</p>
                {can("test") && <a class="button" href={href(`/projects/${projectId}/analyse`)}>{t("project.analyse")}</a>}</Empty>}
        </Async>
      </section>
      <DiscoveredServers projectId={projectId} specs={specs.data ?? []} onAnalysed={() => { specs.reload(); endpoints.reload(); }} />
      <section class="card">
        <h2>{t("endpoints.title")}</h2>
        <Async state={endpoints} what={t("endpoints.title")}>
          {(list) => list.length ? <EndpointBrowser endpoints={list} /> : <p class="muted">{t("endpoints.none")}</p>}
        </Async>
      </section>
      <Plans projectId={projectId} />
      <DataFiles projectId={projectId} />
      <OwnScripts projectId={projectId} />
      <History projectId={projectId} />
      <Channels projectId={projectId} />
      <ProjectStorage projectId={projectId} />
    </main>
  );
}

function Specs({ specs, projectId, onChange }: { specs: SpecRead[]; projectId: number; onChange: () => void }) {
  const { t, locale } = useI18n();
  const { can } = useAccess();
  const [deleting, setDeleting] = useState<SpecRead | null>(null);
  const [error, setError] = useState<Error>();
  const remove = async (spec: SpecRead) => {
    try { await api.deleteSpec(spec.id); onChange(); } catch (failure) { setError(failure as Error); }
  };
  return (
    <>
      <div class="table-wrap"><table class="stacked">
        <thead><tr><th>{t("col.spec")}</th><th>{t("col.version")}</th><th>{t("col.source")}</th><th>{t("col.analysed")}</th><th><span class="sr-only">{t("col.actions")}</span></th></tr></thead>
        <tbody>{specs.map((s) => (
          <tr key={s.id}>
            <td><strong>{s.title}</strong><div class="muted small">{s.base_url ?? ""}</div></td>
            <td data-label={t("col.version")}>{s.version}<div class="muted small">OpenAPI {s.openapi_version ?? "?"}</div></td>
            <td class="wrap small" data-label={t("col.source")}>{s.source_url ?? t("specs.uploaded")}</td>
            <td data-label={t("col.analysed")}>{formatDateTime(s.analysed_at, locale)}</td>
            <td class="row-actions">
              {can("test") && <button type="button" class="secondary small" onClick={() => navigate(`/projects/${projectId}/analyse?spec=${s.id}${s.source_url ? `&url=${encodeURIComponent(s.source_url)}` : ""}`)}>{t("specs.reanalyse")}</button>}
              {can("admin") && <button type="button" class="danger small" onClick={() => setDeleting(s)}>{t("delete")}</button>}
            </td>
          </tr>
        ))}</tbody>
      </table></div>
      {error && <ErrorNote error={error} what={t("specs.deleteFailed")} />}
      <Confirm open={deleting !== null} title={t("specs.deleteTitle")} body={t("specs.deleteBody", { title: deleting?.title ?? "" })}
        confirm={t("delete")} onConfirm={() => deleting && remove(deleting)} onClose={() => setDeleting(null)} />
    </>
  );
}

function History({ projectId }: { projectId: number }) {
  const { t } = useI18n();
  const page = useAsync(() => api.projectTests(projectId, { limit: 50 }), [projectId]);
  const trend = useAsync(() => api.trend(projectId), [projectId]);
  const [selected, setSelected] = useState<number[]>([]);
  const toggle = (id: number) => setSelected((now) => now.includes(id) ? now.filter((x) => x !== id) : [...now.slice(-1), id]);
  return (
    <>
      <section class="card">
        <div class="section-head">
          <h2>{t("history.title")}</h2>
          <a class={`button secondary ${selected.length === 2 ? "" : "disabled"}`} aria-disabled={selected.length !== 2}
            href={selected.length === 2 ? href(`/compare?base=${selected[0]}&other=${selected[1]}`) : undefined}>
            {t("compare.action", { n: selected.length })}
          </a>
        </div>
        <Async state={page} what={t("history.title")}>
          {(p) => p.items.length ? <RecentTable tests={p.items} showProject={false} selectable={{ selected, toggle }} />
            : <p class="muted">{t("history.none")}</p>}
        </Async>
      </section>
      <section class="card">
        <h2>{t("trend.title")}</h2>
        <Async state={trend} what={t("trend.title")}>
          {(data) => data.runs.length > 1 ? <TrendChart trend={data} /> : <p class="muted">{t("trend.tooFew")}</p>}
        </Async>
      </section>
      <PlanTrends projectId={projectId} />
    </>
  );
}
