// One test: while it runs, its live figures and charts from SSE with a cancel button; once it
// ends, the same page turns into its result (no reload).
import { useMemo, useRef, useState } from "preact/hooks";
import { api, type LiveMessage, type LiveSummary, type TestDetails } from "../api/client";
import { type FailureGroup, FailuresTable } from "../components/Failures";
import { type LiveAlert, LiveAlerts } from "../components/LiveAlerts";
import { SummaryNote } from "../components/SummaryNote";
import { PodCharts, ScenarioComparison, ScenarioTabs, SeriesCharts } from "../components/SeriesCharts";
import { Async, Confirm, ErrorNote, StatusBadge, Tile } from "../components/ui";
import { useI18n } from "../i18n";
import { formatCompact, formatDateTime, formatMs, formatPercent, formatSeconds, parseTimestamp } from "../lib/format";
import { useAccess } from "../lib/auth";
import { runView, useLiveStream } from "../lib/live";
import { startedRun } from "../lib/plans";
import { LiveSeries, PodSeries, scenarioLabels } from "../lib/series";
import { stagesSeconds } from "../lib/stages";
import { useAsync, useInterval } from "../lib/useAsync";
import { href } from "../router";
import { Result } from "./Result";

export function Run({ historyId }: { historyId: number }) {
  const { t } = useI18n();
  const details = useAsync(() => api.details(historyId), [historyId]);
  return (
    <main class="page">
      <Async state={details} what={t("run.title")}>
        {(test) => test.is_completed ? <Result test={test} onSummary={details.reload} /> : <Live test={test} onEnd={details.reload} />}
      </Async>
    </main>
  );
}

/** Planned seconds: what this browser asked for, else the stored stages (ramping executors). */
function plannedOf(test: TestDetails): number | null {
  const started = startedRun(test.id);
  if (started?.plannedSeconds) return started.plannedSeconds;
  const ends = test.scenarios.map((s) => (s.stages.length ? stagesSeconds(s.stages) : null)).filter((x): x is number => x !== null);
  return ends.length ? Math.max(...ends) : null;
}

function Live({ test, onEnd }: { test: TestDetails; onEnd: () => void }) {
  const { t, locale } = useI18n();
  const { can } = useAccess();
  const series = useRef(new LiveSeries()).current;
  const pods = useRef(new PodSeries()).current;
  const [version, setVersion] = useState(0);
  const [status, setStatus] = useState(test.status);
  const [confirming, setConfirming] = useState(false);
  const [cancelError, setCancelError] = useState<Error>();
  const [scenario, setScenario] = useState("");
  const [alerts, setAlerts] = useState<LiveAlert[]>([]);
  const [ended, setEnded] = useState(false);
  const [endedAt, setEndedAt] = useState<number>();
  const [summary, setSummary] = useState<LiveSummary>();
  const [failures, setFailures] = useState<FailureGroup[]>([]);
  const [now, setNow] = useState(Date.now());
  // One redraw a second: the clock's tick redraws (the x range reaches now) only when no live
  // figure came within the second; a figure, every second in the fast mode, redraws it itself.
  const lastFigure = useRef(0);
  useInterval(() => { if (Date.now() - lastFigure.current > 1500) setNow(Date.now()); }, 1000);
  const startedAt = parseTimestamp(test.tested_at).getTime();
  const planned = useMemo(() => plannedOf(test), [test.id]);
  const labels = useMemo(() => scenarioLabels(test), [test.id]);

  const stream = useLiveStream(test.test_id, (message: LiveMessage) => {
    if (message.kind === "k6" && message.k6) {
      series.push(message.k6); setStatus("running");
      lastFigure.current = Date.now(); setNow(lastFigure.current);
      const kinds = message.failures ?? {};
      setFailures((message.k6.scenarios ?? []).map((s) => ({ name: labels.get(s.name) ?? s.label ?? s.name, failures: kinds[s.name] ?? [] })));
    }
    if (message.kind === "resources" && message.resources) {
      const at = Date.parse(message.at) / 1000;
      for (const pod of message.resources) {
        pods.push(pod.pod, { at, cpu: pod.actual_usage.cpu_millicores, memory: pod.actual_usage.memory_mb,
          cpuLimit: pod.specs.cpu_limit_millicores, cpuRequest: pod.specs.cpu_request_millicores,
          memoryLimit: pod.specs.memory_limit_mb, memoryRequest: pod.specs.memory_request_mb });
      }
    }
    if (message.kind === "alert" && message.alert) { const finding = message.alert; setAlerts((now) => [...now, { at: message.at, finding }]); }
    if (message.kind === "end") { setStatus(message.end?.status ?? "succeeded"); setEnded(true); setEndedAt((was) => was ?? Date.now()); }
    // The figures' last word: whether they are whole. Shown here, then the result (which keeps it).
    if (message.kind === "summary" && message.summary) { setSummary(message.summary); setTimeout(onEnd, 1500); }
    setVersion((v) => v + 1);
  });

  const cancel = async () => {
    setCancelError(undefined);
    try { await api.cancelTest(test.test_id); setStatus("cancelling"); } catch (failure) { setCancelError(failure as Error); }
  };
  const last = series.length ? series.overall : null;
  const at = (column: (number | null)[] | undefined) => column?.[column.length - 1] ?? null;
  const view = runView({ ended, summary, planned, elapsed: Math.max(0, ((endedAt ?? now) - startedAt) / 1000),
    last: { tps: at(last?.tps), avg: at(last?.response_time_avg), p95: at(last?.response_time_p95),
      p99: at(last?.response_time_p99), errorRate: at(last?.error_rate), vus: at(last?.vus) } });
  const { elapsed, tiles } = view;
  const hint = view.source === "live" ? undefined : t(`run.tiles.${view.source}`);
  const chosen = scenario ? series.scenarios.get(scenario) ?? series.overall : series.overall;
  // Both chart groups share the x range from the test's start to its planned end, or further
  // to now or the newest point (the server's clock may run ahead of this browser's).
  const newest = series.overall.time[series.overall.time.length - 1] ?? 0;
  const xRange: [number, number] = [startedAt / 1000, Math.max(startedAt / 1000 + (planned ?? 0), now / 1000, newest)];
  void version;

  return (
    <>
      <header class="page-head">
        <div>
          <nav class="crumbs" aria-label={t("nav.crumbs")}><a href={href("/")}>{t("board.title")}</a> / <a href={href(`/projects/${test.project_id}`)}>{test.project_title}</a> /</nav>
          <h1>{test.title} <StatusBadge status={status} /></h1>
          <p class="muted small">{t("run.startedAt", { when: formatDateTime(test.tested_at, locale) })} · <span class={`stream ${stream}`}>{t(`stream.${stream}`)}</span></p>
        </div>
        <div class="actions">
          {can("test") && view.cancellable && <button type="button" class="danger" disabled={status === "cancelling"} onClick={() => setConfirming(true)}>{t("run.cancel")}</button>}
        </div>
      </header>
      {cancelError && <ErrorNote error={cancelError} what={t("run.cancelFailed")} />}
      <SummaryNote ended={ended} summary={summary} />
      <section class="card">
        <div class="progress-line">
          <span>{t("run.elapsed")} <strong>{formatSeconds(elapsed)}</strong>{planned ? <> / {formatSeconds(planned)}</> : null}</span>
          {planned ? <span class="muted">{Math.min(100, Math.round((elapsed / planned) * 100))}%</span> : <span class="muted">{t("run.noPlan")}</span>}
        </div>
        <progress max={planned ?? 1} value={planned ? Math.min(elapsed, planned) : undefined} aria-label={t("run.progress")} />
        <div class="tiles">
          <Tile label={t(view.source === "final" ? "fig.avgTps" : "fig.tps")} value={formatCompact(tiles.tps, locale)} hint={hint} />
          <Tile label={t("fig.avg")} value={formatMs(tiles.avg, locale)} hint={hint} />
          <Tile label={t("fig.p95")} value={formatMs(tiles.p95, locale)} hint={hint} />
          <Tile label={t("fig.p99")} value={formatMs(tiles.p99, locale)} hint={hint} />
          <Tile label={t("fig.errorRate")} value={formatPercent(tiles.errorRate, locale)} hint={hint} />
          <Tile label={t(view.source === "final" ? "fig.maxVus" : "fig.vus")} value={formatCompact(tiles.vus, locale)} hint={hint} />
        </div>
      </section>
      <LiveAlerts alerts={alerts} />
      <section class="card">
        <div class="section-head"><h2>{t("run.live")}</h2>
          <ScenarioTabs names={[...series.scenarios.keys()]} labels={labels} value={scenario} onChange={setScenario} /></div>
        {series.length === 0 ? <p class="muted" aria-live="polite">{t("run.waiting")}</p> : <SeriesCharts series={chosen} xRange={xRange} origin={startedAt / 1000} />}
      </section>
      {series.scenarios.size > 1 && (
        <section class="card"><h2>{t("run.byScenario")}</h2>
          <ScenarioComparison scenarios={series.scenarios} time={series.overall.time} labels={labels} xRange={xRange} origin={startedAt / 1000} /></section>
      )}
      <FailuresTable groups={failures} />
      <section class="card">
        <h2>{t("pods.title")}</h2>
        <PodCharts pods={pods} xRange={xRange} origin={startedAt / 1000} />
      </section>
      <Confirm open={confirming} title={t("run.cancelTitle")} body={t("run.cancelBody", { title: test.title })}
        confirm={t("run.cancel")} onConfirm={cancel} onClose={() => setConfirming(false)} />
    </>
  );
}
