// The servers the pod-watcher found in the Kubernetes namespace a project is named after: where
// each answers, how its analysis went, and the two things to do with one (analyse it again,
// test it at its own address). While an analysis runs the list is read again every few seconds,
// and the page is told once one has finished, so its documents and endpoints follow.
import { useEffect, useRef } from "preact/hooks";
import { api, type DiscoveredServer, type SpecRead } from "../api/client";
import { type Key, useI18n } from "../i18n";
import { useAccess } from "../lib/auth";
import { formatDateTime, formatRelative } from "../lib/format";
import { useAsync, useInterval } from "../lib/useAsync";
import { href } from "../router";
import { Async } from "./ui";

const POLL_MS = 3000;

/** What a person reads of a server's analysis: a status key, and the reason of a failure. */
export function analysisState(server: DiscoveredServer): { key: Key; icon: string; tone: string } {
  const status = server.analysis?.status;
  if (status === "succeeded") return { key: "servers.analysed", icon: "✓", tone: "succeeded" };
  if (status === "failed") return { key: "servers.failed", icon: "✕", tone: "failed" };
  if (status === "pending") return { key: "servers.analysing", icon: "…", tone: "pending" };
  return { key: "servers.notAnalysed", icon: "•", tone: "none" };
}

export function DiscoveredServers({ projectId, specs, onAnalysed }: {
  projectId: number; specs: SpecRead[]; onAnalysed: () => void;
}) {
  const { t } = useI18n();
  const servers = useAsync(() => api.servers(projectId), [projectId]);
  const pending = (servers.data ?? []).some((s) => s.analysis?.status === "pending");
  useInterval(servers.reload, POLL_MS, pending);
  const wasPending = useRef(false);
  useEffect(() => {
    if (wasPending.current && !pending) onAnalysed();
    wasPending.current = pending;
  }, [pending]);
  // Most projects are not a namespace's: no card at all then (nor while it loads, so the page
  // does not jump), but a failed request still says so.
  if (!servers.error && !servers.data?.length) return null;
  return (
    <section class="card" aria-labelledby="servers-title">
      <h2 id="servers-title">{t("servers.title")}</h2>
      <Async state={servers} what={t("servers.title")}>
        {(list) => <ServerTable servers={list} projectId={projectId} specs={specs} />}
      </Async>
    </section>
  );
}

function ServerTable({ servers, projectId, specs }: { servers: DiscoveredServer[]; projectId: number; specs: SpecRead[] }) {
  const { t, locale } = useI18n();
  const { can } = useAccess();
  return (
    <div class="table-wrap"><table class="servers stacked">
      <thead><tr><th scope="col">{t("servers.server")}</th><th scope="col">{t("servers.address")}</th>
        <th scope="col">{t("servers.analysis")}</th><th scope="col">{t("servers.reported")}</th>
        <th scope="col"><span class="sr-only">{t("col.actions")}</span></th></tr></thead>
      <tbody>{servers.map((server) => {
        const state = analysisState(server);
        const analysis = server.analysis;
        const specId = analysis?.status === "succeeded" ? analysis.spec_id : null;
        const spec = specs.find((x) => x.id === specId);
        const kind = `failure.${analysis?.failure_kind ?? "internal"}` as Key;
        const reanalyse = `/projects/${projectId}/analyse?url=${encodeURIComponent(server.document_url)}${specId ? `&spec=${specId}` : ""}`;
        return (
          <tr key={server.id}>
            <th scope="row"><strong>{server.name}</strong> <span class="badge">{t(`servers.kind.${server.kind}` as Key)}</span>
              <div class="muted small">{server.namespace}{server.image ? <> · <code>{server.image}</code></> : null}</div></th>
            <td class="wrap" data-label={t("servers.address")}><code>{server.base_url}</code>
              {server.document_url !== server.base_url && <div class="muted small">{t("servers.document")}: {server.document_url}</div>}</td>
            <td data-label={t("servers.analysis")}><span class={`badge status-${state.tone}`}><span aria-hidden="true">{state.icon}</span> {t(state.key)}</span>
              {spec && <div class="muted small">{spec.title} {spec.version}</div>}
              {analysis?.status === "failed" && <div class="small">{t(kind) === kind ? analysis.failure_kind : t(kind)}
                {analysis.reason && <div class="muted">{analysis.reason}</div>}</div>}</td>
            <td data-label={t("servers.reported")}><time dateTime={server.reported_at} title={formatDateTime(server.reported_at, locale)}>{formatRelative(server.reported_at, locale)}</time></td>
            <td class="row-actions">
              {can("test") && <a class="button secondary small" href={href(reanalyse)}
                aria-label={t("servers.reanalyseOne", { name: server.name })}>{t("specs.reanalyse")}</a>}
              {can("test") && specId !== null && <a class="button small"
                href={href(`/projects/${projectId}/new-test?base_url=${encodeURIComponent(server.base_url)}`)}
                aria-label={t("servers.testOne", { name: server.name })}>{t("servers.test")}</a>}
            </td>
          </tr>
        );
      })}</tbody>
    </table></div>
  );
}
