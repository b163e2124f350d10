// A project's runs over time: p95 and average response time, average TPS and error rate, each
// point a run; the list under the charts links every point to its result.
import type { ProjectTrend } from "../api/client";
import { useI18n } from "../i18n";
import { formatCompact, formatDateTime, formatMs, formatPercent, parseTimestamp } from "../lib/format";
import { href } from "../router";
import { Chart } from "./Chart";

export function TrendChart({ trend }: { trend: ProjectTrend }) {
  const { t, locale } = useI18n();
  const runs = [...trend.runs].sort((a, b) => parseTimestamp(a.tested_at).getTime() - parseTimestamp(b.tested_at).getTime());
  const time = runs.map((r) => parseTimestamp(r.tested_at).getTime() / 1000);
  return (
    <div class="trend">
      <div class="chart-grid">
        <Chart title={t("chart.responseTime")} sync="trend" format={(v) => formatMs(v, locale)}
          lines={[{ label: "p95" }, { label: "p99", dash: [4, 4] }, { label: t("fig.avg") }]}
          data={[time, runs.map((r) => r.p95_response_time ?? null), runs.map((r) => r.p99_response_time ?? null), runs.map((r) => r.avg_response_time ?? null)]} />
        <Chart title={t("chart.tps")} sync="trend" format={(v) => formatCompact(v, locale)}
          lines={[{ label: t("fig.avgTps"), color: "#17c964" }]} data={[time, runs.map((r) => r.avg_tps ?? null)]} />
        <Chart title={t("chart.errorRate")} sync="trend" format={(v) => formatPercent(v === null ? null : v / 100, locale)}
          lines={[{ label: t("fig.errorRate"), color: "#f31260" }]} data={[time, runs.map((r) => (r.avg_error_rate ?? 0) * 100)]} />
      </div>
      <ol class="trend-points small">
        {runs.map((r) => <li key={r.test_history_id}><a href={href(`/tests/${r.test_history_id}`)}>{r.title}</a> <span class="muted">{formatDateTime(r.tested_at, locale)} · p95 {formatMs(r.p95_response_time, locale)}</span></li>)}
      </ol>
    </div>
  );
}
