// The four charts of a test's series (TPS, response times, error rate, VUs), overall or of one
// scenario, and the pods' CPU and memory on the same time axis. Live and stored series alike.
import { useI18n } from "../i18n";
import { formatCompact, formatMs, formatPercent } from "../lib/format";
import { type PodSeries, type Series, chartData, perScenario } from "../lib/series";
import { Chart } from "./Chart";

export function SeriesCharts({ series, xRange, sync = "run", origin }: { series: Series; xRange?: [number, number] | null; sync?: string; origin?: number }) {
  const { t, locale } = useI18n();
  return (
    <div class="chart-grid">
      <Chart title={t("chart.tps")} sync={sync} xRange={xRange} origin={origin} format={(v) => formatCompact(v, locale)}
        lines={[{ label: t("fig.tps"), color: "#4f8cff", fill: true }]} data={chartData(series, ["tps"])} />
      <Chart title={t("chart.responseTime")} sync={sync} xRange={xRange} origin={origin} format={(v) => formatMs(v, locale)}
        lines={[{ label: t("fig.avg"), color: "#17c964" }, { label: "p95", color: "#f5a524" }, { label: "p99", color: "#f31260", dash: [5, 4] }]}
        data={chartData(series, ["response_time_avg", "response_time_p95", "response_time_p99"])} />
      <Chart title={t("chart.errorRate")} sync={sync} xRange={xRange} origin={origin} format={(v) => formatPercent(v === null ? null : v / 100, locale)}
        lines={[{ label: t("fig.errorRate"), color: "#f31260", fill: true }]} data={chartData(series, ["error_rate"])} />
      {series.vus.some((v) => v !== null) && (  // k6 counts VUs for the whole test, not per scenario
        <Chart title={t("chart.vus")} sync={sync} xRange={xRange} origin={origin} format={(v) => formatCompact(v, locale)}
          lines={[{ label: t("fig.vus"), color: "#9353d3" }]} data={chartData(series, ["vus"])} />)}
    </div>
  );
}

export function PodCharts({ pods, xRange, sync = "run", origin }: { pods: PodSeries; xRange?: [number, number] | null; sync?: string; origin?: number }) {
  const { t, locale } = useI18n();
  if (pods.pods.size === 0) return <p class="muted small">{t("pods.none")}</p>;
  const cpu = pods.aligned("cpu"), memory = pods.aligned("memory");
  const cpuCeiling = pods.ceiling("cpu"), memoryCeiling = pods.ceiling("memory");
  const withCeiling = (set: { names: string[]; data: (number | null)[][] }, ceiling: number | null, label: string) => ceiling === null ? set
    : { names: [...set.names, label], data: [...set.data, set.data[0]!.map(() => ceiling)] };
  const c = withCeiling(cpu, cpuCeiling, t("pods.limit"));
  const m = withCeiling(memory, memoryCeiling, t("pods.limit"));
  const lines = (names: string[], hasCeiling: boolean) => names.map((label, i) =>
    hasCeiling && i === names.length - 1 ? { label, color: "#a3a3a3", dash: [6, 4], width: 1 } : { label });
  return (
    <div class="chart-grid">
      <Chart title={t("pods.cpu")} sync={sync} xRange={xRange} origin={origin} format={(v) => v === null ? "—" : `${formatCompact(v, locale)}m`}
        lines={lines(c.names, cpuCeiling !== null)} data={c.data} />
      <Chart title={t("pods.memory")} sync={sync} xRange={xRange} origin={origin} format={(v) => v === null ? "—" : `${formatCompact(v, locale)} MB`}
        lines={lines(m.names, memoryCeiling !== null)} data={m.data} />
    </div>
  );
}

/** Overall, or one scenario: a tab list (arrow keys move between tabs). */
export function ScenarioTabs({ names, value, onChange, labels }: {
  names: string[]; value: string; onChange: (name: string) => void; labels?: Map<string, string>;
}) {
  const { t } = useI18n();
  const all = ["", ...names];
  return (
    <div class="tabs" role="tablist" aria-label={t("run.scenarioTabs")}
      onKeyDown={(e) => {
        const step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
        if (!step) return;
        const next = (all.indexOf(value) + step + all.length) % all.length;
        onChange(all[next]!);
        // Roving focus: the chosen tab takes the focus, as in every tab list.
        (e.currentTarget.querySelectorAll("button")[next] as HTMLButtonElement | undefined)?.focus();
      }}>
      {all.map((name) => (
        <button type="button" role="tab" key={name || "overall"} aria-selected={value === name} tabIndex={value === name ? 0 : -1}
          onClick={() => onChange(name)}>{name ? labels?.get(name) ?? name : t("run.overall")}</button>
      ))}
    </div>
  );
}

/** Every scenario on one chart: which endpoint is slow, which one carries the load. */
export function ScenarioComparison({ scenarios, time, labels, xRange, sync = "run", origin }: {
  scenarios: Map<string, Series> | Record<string, Series>; time: number[]; labels?: Map<string, string>;
  xRange?: [number, number] | null; sync?: string; origin?: number;
}) {
  const { t, locale } = useI18n();
  const p95 = perScenario(scenarios, "response_time_p95", time);
  if (p95.names.length < 2) return null;
  const tps = perScenario(scenarios, "tps", time);
  const lines = p95.names.map((name) => ({ label: labels?.get(name) ?? name }));
  return (
    <div class="chart-grid">
      <Chart title={t("chart.p95ByScenario")} sync={sync} xRange={xRange} origin={origin} format={(v) => formatMs(v, locale)} lines={lines} data={p95.data} />
      <Chart title={t("chart.tpsByScenario")} sync={sync} xRange={xRange} origin={origin} format={(v) => formatCompact(v, locale)} lines={lines} data={tps.data} />
    </div>
  );
}
