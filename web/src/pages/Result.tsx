// A finished test: every stored figure overall and per scenario, targets met or missed, the
// stored series with the pods beside them, the k6 script, run again, compare, download.
import { useMemo, useState } from "preact/hooks";
import { HISTOGRAM_ERROR_BOUND, api, type LiveSummary, type RunnerRead, type TestDetails } from "../api/client";
import { AnalysisSection } from "../components/Analysis";
import { FailuresTable } from "../components/Failures";
import { StepsTable } from "../components/Steps";
import { IncompleteBanner, SummaryNote } from "../components/SummaryNote";
import { PodCharts, ScenarioComparison, ScenarioTabs, SeriesCharts } from "../components/SeriesCharts";
import { Async, ErrorNote, Loading, OutcomeBadge, StateBadge, StatusBadge, Tile } from "../components/ui";
import { useI18n } from "../i18n";
import { useAccess } from "../lib/auth";
import { FIGURE_ROWS, formatFigure } from "../lib/figures";
import { formatCompact, formatDateTime, formatMs, formatNumber, formatPercent, formatSeconds, parseTimestamp } from "../lib/format";
import { rememberRequest, startedRun } from "../lib/plans";
import { PodSeries, type StoredSeries, scenarioLabels } from "../lib/series";
import { type Verdict, verdicts } from "../lib/targets";
import { useLiveStream } from "../lib/live";
import { useAsync } from "../lib/useAsync";
import { href, navigate } from "../router";

export function Result({ test, onSummary }: { test: TestDetails; onSummary?: () => void }) {
  const { t, locale, lang } = useI18n();
  const { can } = useAccess();
  const [error, setError] = useState<Error>();
  const started = startedRun(test.id);
  const seriesState = useAsync(() => api.series(test.id), [test.id]);
  const stepsState = useAsync(() => api.steps(test.id), [test.id]);
  const pods = useMemo(() => {
    const set = new PodSeries();
    for (const pod of test.resources) for (const p of pod.points) {
      set.push(pod.pod_name, { at: parseTimestamp(p.timestamp).getTime() / 1000, cpu: p.cpu_usage_millicores, memory: p.memory_usage_mb,
        cpuLimit: p.cpu_limit_millicores, cpuRequest: p.cpu_request_millicores, memoryLimit: p.memory_limit_mb, memoryRequest: p.memory_request_mb });
    }
    return set;
  }, [test.id]);
  const runAgain = async () => {
    if (!started) return;
    setError(undefined);
    try {
      const created = started.planId ? await api.runPlan(started.planId) : await api.startTest(started.request);
      rememberRequest(created.test_history_id, started.request, started.plannedSeconds, new Set(), started.planId);
      navigate(`/tests/${created.test_history_id}`);
    } catch (failure) { setError(failure as Error); }
  };
  const download = async () => {
    const series = seriesState.data ?? null;
    const blob = new Blob([JSON.stringify({ ...test, series }, null, 2)], { type: "application/json" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = `metric-vault-${test.test_id}.json`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  };
  const overallVerdicts = verdicts(test.figures, { tps: test.target_tps });
  const f = test.figures;
  return (
    <>
      <header class="page-head">
        <div>
          <nav class="crumbs" aria-label={t("nav.crumbs")}><a href={href("/")}>{t("board.title")}</a> / <a href={href(`/projects/${test.project_id}`)}>{test.project_title}</a> /</nav>
          <h1>{test.title}</h1>
          <p class="run-verdict"><span class="muted small">{t("col.run")}</span> <StateBadge state={test.state} />
            {test.verdict && <> <span class="muted small">{t("result.verdict")}</span> <OutcomeBadge outcome={test.verdict.outcome} />
              <span class="verdict-reason">{test.verdict.reason[lang]}</span></>}
            {test.is_baseline && <span class="badge baseline-mark">◆ {t("analysis.baselineMark")}</span>}</p>
          <p class="muted small">{formatDateTime(test.tested_at, locale)} · {test.executor ?? ""} · <code>{test.test_id}</code></p>
          {test.status_reason && <p class="note warn small">{test.status_reason}</p>}
        </div>
        <div class="actions">
          {can("test") && started?.complete && <button type="button" onClick={runAgain}>{t("result.runAgain")}</button>}
          {can("test") && <a class={`button ${started?.complete ? "secondary" : ""}`} href={href(`/projects/${test.project_id}/new-test?from=${test.id}`)}>{t("result.editAgain")}</a>}
          <CompareWith test={test} />
          <button type="button" class="secondary" onClick={download}>{t("result.download")}</button>
        </div>
      </header>
      {error && <ErrorNote error={error} what={t("result.runAgainFailed")} />}
      {test.complete === false && <IncompleteBanner reason={test.incomplete_reason} />}
      {test.complete == null && <AwaitSummary testId={test.test_id} onStored={onSummary} />}
      <section class="card">
        <div class="tiles">
          <Tile label={t("fig.totalRequests")} value={formatNumber(f.total_requests, locale)} hint={t("result.failedOf", { n: formatNumber(f.failed_requests, locale) })} />
          <Tile label={t("fig.avgTps")} value={formatCompact(f.avg_tps, locale)} hint={`${t("fig.max")} ${formatCompact(f.max_tps, locale)}`} />
          <Tile label={t("fig.p95")} value={formatMs(f.p95_response_time, locale)} hint={`p99 ${formatMs(f.p99_response_time, locale)}`} />
          <Tile label={t("fig.avg")} value={formatMs(f.avg_response_time, locale)} />
          <Tile label={t("fig.errorRate")} value={formatPercent(f.avg_error_rate, locale)} tone={(f.avg_error_rate ?? 0) > 0 ? "bad" : "good"} />
          <Tile label={t("fig.duration")} value={formatSeconds(f.test_duration)} />
        </div>
        <PercentileNote test={test} />
        {overallVerdicts.length > 0 && <Verdicts list={overallVerdicts} />}
      </section>
      <FiguresTable test={test} />
      <FailuresTable groups={test.scenarios.map((s) => ({ name: s.name, failures: s.failures ?? [] }))} />
      {stepsState.data && <StepsTable journeys={stepsState.data} />}
      {test.runners && test.runners.length > 1 && <Runners runners={test.runners} />}
      <section class="card">
        <h2>{t("result.series")}</h2>
        <StoredCharts state={seriesState} labels={scenarioLabels(test)} />
      </section>
      <section class="card"><h2>{t("pods.title")}</h2><PodCharts pods={pods} sync="result" xRange={seriesRange(seriesState.data)} origin={seriesState.data?.overall.time[0]} /></section>
      <Script testId={test.test_id} />
      <AnalysisSection historyId={test.id} projectId={test.project_id} title={test.title} isBaseline={test.is_baseline ?? false}
        ownThresholds={test.analysis_thresholds ?? {}} onChanged={onSummary} />
    </>
  );
}

/** Where the percentiles come from and how far they can be off, in the user's words. */
function PercentileNote({ test }: { test: TestDetails }) {
  const { t, locale } = useI18n();
  const source = test.percentile_source;
  if (!source) return null;
  const bound = formatPercent(test.percentile_error_bound || HISTOGRAM_ERROR_BOUND, locale);
  return (
    <p class="muted small percentile-note">
      {t(`pct.${source}`, { bound })}{test.metrics_mode === "fast" && ` ${t("pct.series", { bound: formatPercent(HISTOGRAM_ERROR_BOUND, locale) })}`}
    </p>
  );
}

/** Not summarised yet: the test's stream brings the summary once stored (or says it is late). */
function AwaitSummary({ testId, onStored }: { testId: string; onStored?: () => void }) {
  const [summary, setSummary] = useState<LiveSummary>();
  useLiveStream(testId, (message) => {
    if (message.kind !== "summary" || !message.summary) return;
    setSummary(message.summary);
    if (message.summary.stored) onStored?.();
  }, "k6_only");
  return <SummaryNote ended summary={summary} />;
}

/** Each k6 runner of a split test: its share of the load and how it ended. */
function Runners({ runners }: { runners: RunnerRead[] }) {
  const { t } = useI18n();
  return (
    <section class="card">
      <h2>{t("runners.title")}</h2>
      <div class="table-wrap"><table class="runners">
        <thead><tr><th scope="col" class="num">{t("runners.index")}</th><th scope="col">{t("runners.name")}</th>
          <th scope="col">{t("runners.segment")}</th><th scope="col">{t("runners.status")}</th><th scope="col">{t("runners.reason")}</th></tr></thead>
        <tbody>{runners.map((r) => (
          <tr key={r.index}><td class="num">{r.index}</td><td><code>{r.name ?? "—"}</code></td><td><code>{r.execution_segment ?? "—"}</code></td>
            <td><StatusBadge status={r.status} /></td><td class="small">{r.reason ?? ""}</td></tr>
        ))}</tbody>
      </table></div>
    </section>
  );
}

/** The pods are drawn on the stored series' time axis, so both read against the same seconds. */
function seriesRange(stored: StoredSeries | null | undefined): [number, number] | null {
  const time = stored?.overall.time;
  return time && time.length > 1 ? [time[0]!, time[time.length - 1]!] : null;
}

function StoredCharts({ state, labels }: {
  state: ReturnType<typeof useAsync<Awaited<ReturnType<typeof api.series>>>>; labels: Map<string, string>;
}) {
  const { t } = useI18n();
  const [scenario, setScenario] = useState("");
  if (state.error) return <ErrorNote error={state.error} retry={state.reload} what={t("result.series")} />;
  if (state.data === undefined) return <Loading />;
  if (state.data === null) return <p class="muted">{t("result.noSeries")}</p>;
  const stored = state.data;
  const chosen = scenario ? stored.scenarios[scenario] ?? stored.overall : stored.overall;
  return (
    <>
      <ScenarioTabs names={Object.keys(stored.scenarios)} labels={labels} value={scenario} onChange={setScenario} />
      <SeriesCharts series={chosen} sync="result" origin={stored.overall.time[0]} />
      <ScenarioComparison scenarios={stored.scenarios} time={stored.overall.time} labels={labels} sync="result" origin={stored.overall.time[0]} />
    </>
  );
}

function Verdicts({ list }: { list: Verdict[] }) {
  const { t, locale } = useI18n();
  const show = (v: Verdict, value: number | null) => v.kind === "response_time" ? formatMs(value, locale)
    : v.kind === "error_rate" ? formatPercent(value, locale) : formatCompact(value, locale);
  return (
    <ul class="verdicts">
      {list.map((v) => (
        <li key={v.kind} class={v.met === null ? "" : v.met ? "good" : "bad"}>
          <span aria-hidden="true">{v.met === null ? "?" : v.met ? "✓" : "✕"}</span>
          {t(`target.${v.kind}`)} <strong>{show(v, v.actual)}</strong>{" "}
          <span class="muted">({t(v.kind === "tps" ? "target.atLeast" : "target.atMost", { value: show(v, v.target) })})</span>{" "}
          — <strong>{v.met === null ? t("target.unknown") : v.met ? t("target.met") : t("target.missed")}</strong>
        </li>
      ))}
    </ul>
  );
}

function FiguresTable({ test }: { test: TestDetails }) {
  const { t, locale } = useI18n();
  return (
    <section class="card">
      <h2>{t("result.figures")}</h2>
      <div class="table-wrap"><table class="figures">
        <thead><tr><th scope="col">{t("col.figure")}</th><th scope="col" class="num">{t("run.overall")}</th>
          {test.scenarios.map((s) => <th scope="col" class="num" key={s.id}>{s.name}</th>)}</tr></thead>
        <tbody>{FIGURE_ROWS.map((row) => [
          row.group && <tr class="group" key={row.group}><th colSpan={2 + test.scenarios.length} scope="rowgroup">{t(row.group)}</th></tr>,
          <tr key={row.key}><th scope="row">{t(row.label)}</th><td class="num">{formatFigure(test.figures[row.key], row.format, locale)}</td>
            {test.scenarios.map((s) => <td class="num" key={s.id}>{formatFigure(s.figures[row.key], row.format, locale)}</td>)}</tr>,
        ])}</tbody>
      </table></div>
      <h3>{t("result.targets")}</h3>
      <ul class="scenario-targets">
        {test.scenarios.map((s) => {
          const list = verdicts(s.figures, { responseTimeMs: s.response_time_target, errorRate: s.error_rate_target });
          return <li key={s.id}><strong>{s.name}</strong> <span class="muted small">{s.endpoint ? `${s.endpoint.method} ${s.endpoint.path}` : ""} · {s.executor}</span>
            {list.length ? <Verdicts list={list} /> : <span class="muted small"> — {t("result.noTargets")}</span>}</li>;
        })}
      </ul>
    </section>
  );
}

function CompareWith({ test }: { test: TestDetails }) {
  const { t, locale } = useI18n();
  const others = useAsync(() => api.projectTests(test.project_id, { limit: 50 }), [test.project_id]);
  const choices = (others.data?.items ?? []).filter((x) => x.id !== test.id && x.is_completed);
  if (!choices.length) return null;
  return (
    <label class="inline">{t("result.compareWith")}
      <select onChange={(e) => e.currentTarget.value && navigate(`/compare?base=${e.currentTarget.value}&other=${test.id}`)}>
        <option value="">…</option>
        {choices.map((x) => <option value={x.id} key={x.id}>{x.title} · {formatDateTime(x.tested_at, locale)}</option>)}
      </select>
    </label>
  );
}

function Script({ testId }: { testId: string }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  return (
    <section class="card">
      <details onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
        <summary><h2 class="inline">{t("result.script")}</h2></summary>
        {open && <ScriptBody testId={testId} />}
      </details>
    </section>
  );
}

function ScriptBody({ testId }: { testId: string }) {
  const { t } = useI18n();
  const script = useAsync(() => api.script(testId), [testId]);
  return <Async state={script} what={t("result.script")}>{(text) => <pre class="code" tabIndex={0}>{text}</pre>}</Async>;
}
