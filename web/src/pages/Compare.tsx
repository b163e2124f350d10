// Two runs side by side: each figure with its change, better or worse (said in words and arrows
// as well as colour) only as the gateway judged it: significant and above the minimum effect;
// the stored series of both overlaid (base dashed, other solid).
import { api, type RunComparison } from "../api/client";
import { Chart } from "../components/Chart";
import { Async, RunBadges } from "../components/ui";
import { useI18n } from "../i18n";
import { formatChange, formatDateTime, formatMs, formatCompact, formatPercent } from "../lib/format";
import { changeMark, type Judgement } from "../lib/verdict";
import { useAsync } from "../lib/useAsync";
import { href } from "../router";
import { FIGURE_ROWS, formatFigure } from "../lib/figures";

type Delta = {
  base: number | null; other: number | null; delta: number | null; change_percent: number | null;
  judgement?: Judgement | null; p_value?: number | null;
};

export function Compare({ base, other }: { base: number; other: number }) {
  const { t, locale } = useI18n();
  const comparison = useAsync(() => api.compare(base, other), [base, other]);
  const series = useAsync(() => Promise.all([api.series(base), api.series(other)]), [base, other]);
  const projectId = comparison.data?.base.project_id;
  const project = useAsync(() => (projectId ? api.project(projectId) : Promise.resolve(null)), [projectId]);
  return (
    <main class="page">
      <header class="page-head"><div><nav class="crumbs" aria-label={t("nav.crumbs")}><a href={href("/")}>{t("board.title")}</a> /
        {project.data && <> <a href={href(`/projects/${project.data.id}`)}>{project.data.title}</a> /</>}</nav>
        <h1>{t("compare.title")}</h1></div></header>
      <Async state={comparison} what={t("compare.title")}>
        {(c) => (
          <>
            <section class="card compare-head">
              {[c.base, c.other].map((run, i) => (
                <div key={run.id}>
                  <div class="muted small">{i === 0 ? t("compare.base") : t("compare.other")}</div>
                  <a href={href(`/tests/${run.id}`)}><strong>{run.title}</strong></a> <RunBadges state={run.state} verdict={run.verdict} />
                  <Stamp when={run.tested_at} />
                </div>
              ))}
            </section>
            <p class="muted small compare-method">{t("compare.method", {
              p: String(c.significance), effect: formatPercent(c.minimum_effect, locale) })}</p>
            <DeltaTable title={t("run.overall")} figures={c.overall as Record<string, Delta>} />
            {c.scenarios.map((s) => <DeltaTable key={s.name} title={s.name} figures={s.figures as Record<string, Delta>} />)}
            <OnlyIn comparison={c} />
            <Overlay state={series} />
          </>
        )}
      </Async>
    </main>
  );
}

function Stamp({ when }: { when: string }) {
  const { locale } = useI18n();
  return <div class="muted small">{formatDateTime(when, locale)}</div>;
}

function DeltaTable({ title, figures }: { title: string; figures: Record<string, Delta> }) {
  const { t, locale } = useI18n();
  const rows = FIGURE_ROWS.filter((row) => figures[row.key]);
  return (
    <section class="card">
      <h2>{title}</h2>
      <div class="table-wrap"><table class="figures">
        <thead><tr><th scope="col">{t("col.figure")}</th><th scope="col" class="num">{t("compare.base")}</th>
          <th scope="col" class="num">{t("compare.other")}</th><th scope="col" class="num">{t("compare.change")}</th></tr></thead>
        <tbody>{rows.map((row) => {
          const d = figures[row.key]!;
          const { arrow, tone } = changeMark(d.judgement, d.delta);
          return [
            row.group && <tr class="group" key={row.group}><th colSpan={4} scope="rowgroup">{t(row.group)}</th></tr>,
            <tr key={row.key}>
              <th scope="row">{t(row.label)}</th>
              <td class="num">{formatFigure(d.base, row.format, locale)}</td>
              <td class="num">{formatFigure(d.other, row.format, locale)}</td>
              <td class={`num ${tone}`} data-judgement={d.judgement ?? "none"}
                title={d.p_value === null || d.p_value === undefined ? undefined : `p = ${d.p_value.toPrecision(2)}`}>
                {arrow && <span aria-hidden="true">{arrow}</span>}
                {formatChange(d.change_percent, locale)}
                {tone && <span class="small"> ({t(`compare.${tone}`)})</span>}
              </td>
            </tr>,
          ];
        })}</tbody>
      </table></div>
    </section>
  );
}

function OnlyIn({ comparison }: { comparison: RunComparison }) {
  const { t } = useI18n();
  if (!comparison.only_in_base.length && !comparison.only_in_other.length) return null;
  return (
    <section class="card small">
      {comparison.only_in_base.length > 0 && <p>{t("compare.onlyInBase")}: {comparison.only_in_base.map((s) => s.name).join(", ")}</p>}
      {comparison.only_in_other.length > 0 && <p>{t("compare.onlyInOther")}: {comparison.only_in_other.map((s) => s.name).join(", ")}</p>}
    </section>
  );
}

function Overlay({ state }: { state: ReturnType<typeof useAsync<Awaited<ReturnType<typeof api.series>>[]>> }) {
  const { t, locale } = useI18n();
  if (!state.data) return null;
  const [a, b] = state.data;
  if (!a || !b) return <section class="card"><p class="muted">{t("compare.noSeries")}</p></section>;
  // Both runs from their own start: seconds since the first point, so the curves overlay.
  const rel = (time: number[]) => time.map((x) => x - (time[0] ?? 0));
  const ta = rel(a.overall.time), tb = rel(b.overall.time);
  const time = [...new Set([...ta, ...tb])].sort((x, y) => x - y);
  const pick = (ts: number[], column: (number | null)[]) => { const m = new Map(ts.map((x, i) => [x, column[i] ?? null])); return time.map((x) => m.get(x) ?? null); };
  return (
    <section class="card">
      <h2>{t("compare.overlay")}</h2>
      <div class="chart-grid">
        <Chart title={t("chart.tps")} timeAxis={false} sync="compare" format={(v) => formatCompact(v, locale)}
          lines={[{ label: t("compare.base"), dash: [6, 4], color: "#a3a3a3" }, { label: t("compare.other"), color: "#4f8cff" }]}
          data={[time, pick(ta, a.overall.tps), pick(tb, b.overall.tps)]} />
        <Chart title={`${t("chart.responseTime")} p95`} timeAxis={false} sync="compare" format={(v) => formatMs(v, locale)}
          lines={[{ label: t("compare.base"), dash: [6, 4], color: "#a3a3a3" }, { label: t("compare.other"), color: "#f5a524" }]}
          data={[time, pick(ta, a.overall.response_time_p95), pick(tb, b.overall.response_time_p95)]} />
      </div>
    </section>
  );
}
