// Each plan's key figures (average TPS, p95, error rate) over its last runs, the baseline drawn
// as a dashed line and the runs judged worse than it marked, on the project page.
import { type PlanRead, type PlanTrend, api } from "../api/client";
import { useI18n } from "../i18n";
import { formatCompact, formatDateTime, formatMs, formatPercent, parseTimestamp } from "../lib/format";
import { useAsync } from "../lib/useAsync";
import { href } from "../router";
import { Chart } from "./Chart";
import { Async } from "./ui";

type Figure = "avg_tps" | "p95_response_time" | "avg_error_rate";

export function PlanTrends({ projectId }: { projectId: number }) {
  const { t } = useI18n();
  const trends = useAsync(async () => {
    const plans = await api.plans(projectId);
    const all = await Promise.all(plans.map(async (plan) => ({ plan, trend: await api.planTrend(plan.id) })));
    return all.filter((x) => x.trend.runs.length > 1);
  }, [projectId]);
  return (
    <section class="card" aria-labelledby="plan-trends-title">
      <h2 id="plan-trends-title">{t("planTrend.title")}</h2>
      <Async state={trends} what={t("planTrend.title")}>
        {(list) => list.length ? <>{list.map(({ plan, trend }) => <OnePlan key={plan.id} plan={plan} trend={trend} />)}</>
          : <p class="muted">{t("planTrend.none")}</p>}
      </Async>
    </section>
  );
}

function OnePlan({ plan, trend }: { plan: PlanRead; trend: PlanTrend }) {
  const { t, locale } = useI18n();
  const time = trend.runs.map((r) => parseTimestamp(r.tested_at).getTime() / 1000);
  const series = (figure: Figure, scale = 1) => {
    const values = trend.runs.map((r) => (r[figure] ?? null) === null ? null : (r[figure] as number) * scale);
    const base = trend.baseline?.[figure];
    const baseline = trend.runs.map(() => (base === null || base === undefined ? null : base * scale));
    const marked = trend.runs.map((r, i) => (r.regression ? values[i] ?? null : null));
    return [time, values, baseline, marked];
  };
  const lines = (label: string, color: string) => [{ label, color }, { label: t("planTrend.baseline"), color: "#a3a3a3", dash: [6, 4] },
    { label: t("planTrend.regression"), color: "#f31260", marks: true }];
  const regressed = trend.runs.filter((r) => r.regression);
  return (
    <div class="plan-trend">
      <h3>{plan.name}</h3>
      <div class="chart-grid">
        <Chart title={t("chart.tps")} sync={`plan-${plan.id}`} format={(v) => formatCompact(v, locale)}
          lines={lines(t("fig.avgTps"), "#17c964")} data={series("avg_tps")} />
        <Chart title={`p95 ${t("chart.responseTime")}`} sync={`plan-${plan.id}`} format={(v) => formatMs(v, locale)}
          lines={lines("p95", "#4f8cff")} data={series("p95_response_time")} />
        <Chart title={t("chart.errorRate")} sync={`plan-${plan.id}`} format={(v) => formatPercent(v === null ? null : v / 100, locale)}
          lines={lines(t("fig.errorRate"), "#f5a524")} data={series("avg_error_rate", 100)} />
      </div>
      {regressed.length > 0 && <p class="small"><strong>{t("planTrend.regressions", { list: regressed.length })}</strong></p>}
      {regressed.length > 0 && <ul class="small">{regressed.map((r) => <li key={r.test_history_id}>
        <a href={href(`/tests/${r.test_history_id}`)}>{formatDateTime(r.tested_at, locale)}</a> <span class="muted">{r.worse.join(", ")}</span></li>)}</ul>}
    </div>
  );
}
