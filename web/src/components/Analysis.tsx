// The Analysis section of a result: findings most severe first, the verdict against the
// baseline with its comparisons, make-baseline and analyse-again, report downloads, and an
// optional written summary (hidden once the gateway says no model is configured).
import { useState } from "preact/hooks";
import { ApiError, api, type Comparison, type Finding, type TestAnalysis, reportLinks } from "../api/client";
import { type Key, useI18n } from "../i18n";
import { useAccess } from "../lib/auth";
import { figureName, formatNamedFigure } from "../lib/figures";
import { formatDateTime, formatPercent } from "../lib/format";
import { useAsync } from "../lib/useAsync";
import { href } from "../router";
import { ErrorNote, Loading } from "./ui";

const SEVERITY_ICON: Record<Finding["severity"], string> = { critical: "✕", warning: "!", info: "i" };
const VERDICT_ICON: Record<Comparison["verdict"], string> = { better: "▲", worse: "▼", same: "=" };

export function AnalysisSection({ historyId, projectId }: { historyId: number; projectId?: number }) {
  const { t } = useI18n();
  const { can } = useAccess();
  const state = useAsync(() => api.testAnalysis(historyId), [historyId]);
  const [fresh, setFresh] = useState<TestAnalysis>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ what: string; error: Error }>();
  const [baselineSet, setBaselineSet] = useState(false);
  const analysis = fresh ?? state.data;
  const act = async (what: Key, call: () => Promise<void>) => {
    setBusy(true); setError(undefined);
    try { await call(); } catch (failure) { setError({ what: t(what), error: failure as Error }); }
    setBusy(false);
  };
  const again = () => act("analysis.againFailed", async () => setFresh(await api.reanalyse(historyId)));
  const baseline = () => act("analysis.baselineFailed", async () => {
    await api.markBaseline(historyId); setBaselineSet(true); setFresh(await api.reanalyse(historyId));
  });
  return (
    <section class="card analysis" aria-labelledby="analysis-title">
      <div class="section-head"><h2 id="analysis-title">{t("result.analysis")}</h2>
        <div class="actions">
          {can("test") && <button type="button" class="secondary" disabled={busy} onClick={baseline}>{t("analysis.makeBaseline")}</button>}
          {can("test") && <button type="button" class="secondary" disabled={busy} onClick={again}>{t("analysis.again")}</button>}
        </div></div>
      {baselineSet && <p class="note success small" role="status">✓ {t("analysis.isBaseline")}</p>}
      {error && <ErrorNote error={error.error} what={error.what} />}
      {state.error && !analysis ? <ErrorNote error={state.error} retry={state.reload} what={t("result.analysis")} />
        : analysis === undefined ? <Loading />
        : analysis === null ? <p class="muted">{t("analysis.none")}</p>
        : <>
            <Findings findings={analysis.findings} />
            <BaselineVerdict analysis={analysis} projectId={projectId} historyId={historyId} />
            <Narrative historyId={historyId} analysis={analysis} onWritten={setFresh} canWrite={can("test")} />
          </>}
      <Reports historyId={historyId} />
    </section>
  );
}

function Findings({ findings }: { findings: Finding[] }) {
  const { t, lang } = useI18n();
  return (
    <>
      <h3>{t("analysis.findings")}</h3>
      {findings.length === 0 ? <p class="muted">✓ {t("analysis.noFindings")}</p> : (
        <ul class="findings">
          {findings.map((f, i) => (
            <li key={`${f.rule}-${f.scenario ?? ""}-${i}`} class={`finding sev-${f.severity}`}>
              <div class="finding-head">
                <span class={`badge sev-${f.severity}`}><span aria-hidden="true">{SEVERITY_ICON[f.severity]}</span> {t(`severity.${f.severity}`)}</span>
                <strong>{f.title[lang]}</strong>
                <span class="muted small">{f.scenario ?? t("analysis.whole")}</span>
              </div>
              <p>{f.detail[lang]}</p>
              {f.recommendation && <p><strong>{t("analysis.recommendation")}:</strong> {f.recommendation[lang]}</p>}
              {Object.keys(f.evidence).length > 0 && (
                <details><summary class="small">{t("analysis.evidence")}</summary>
                  <dl class="evidence small">{Object.entries(f.evidence).map(([name, value]) =>
                    <div key={name}><dt>{name}</dt><dd>{value === null ? "—" : String(value)}</dd></div>)}</dl>
                </details>
              )}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function BaselineVerdict({ analysis, projectId, historyId }: { analysis: TestAnalysis; projectId?: number; historyId: number }) {
  const { t, locale } = useI18n();
  const comparisons = analysis.comparisons ?? [];
  const verdict = analysis.verdict;
  const baselineId = analysis.baseline_test_id;
  // The baseline is named by its k6 test id: the project's recent runs give its title and page.
  const recent = useAsync(() => (projectId && baselineId ? api.projectTests(projectId, { limit: 100 }) : Promise.resolve(null)),
    [projectId, baselineId]);
  const baseline = recent.data?.items.find((x) => x.test_id === baselineId);
  const groups = new Map<string | null, Comparison[]>();
  for (const c of comparisons) groups.set(c.scenario ?? null, [...(groups.get(c.scenario ?? null) ?? []), c]);
  return (
    <>
      <h3>{t("analysis.baseline")}</h3>
      {!baselineId ? <p class="muted">{t("analysis.noBaseline")}</p> : (
        <>
          <p>{baseline ? <>{t("analysis.baselineRun")}: <a href={href(`/tests/${baseline.id}`)}>{baseline.title}</a>{" "}
              <span class="muted small">{formatDateTime(baseline.tested_at, locale)}</span></>
            : t("analysis.baselineOf", { id: baselineId })}
            {verdict && <> · {t("analysis.overall")}: <VerdictBadge verdict={verdict} /></>}
            {baseline && <> · <a href={href(`/compare?base=${baseline.id}&other=${historyId}`)}>{t("analysis.compareBaseline")}</a></>}</p>
          {comparisons.length > 0 && (
            <div class="table-wrap"><table class="figures comparisons">
              <thead><tr><th scope="col">{t("col.figure")}</th>
                <th scope="col" class="num">{t("col.baseline")}</th><th scope="col" class="num">{t("col.current")}</th>
                <th scope="col" class="num">{t("col.change")}</th><th scope="col" class="num">{t("col.pValue")}</th>
                <th scope="col">{t("col.verdict")}</th></tr></thead>
              <tbody>{[...groups].map(([scenario, list]) => [
                <tr class="group" key={`group-${scenario ?? ""}`}><th colSpan={6} scope="rowgroup">{scenario ?? t("analysis.whole")}</th></tr>,
                ...list.map((c) => (
                  <tr key={`${c.figure}-${scenario ?? ""}`}>
                    <th scope="row">{figureName(c.figure, t)}</th>
                    <td class="num">{formatNamedFigure(c.figure, c.baseline, locale)}</td><td class="num">{formatNamedFigure(c.figure, c.current, locale)}</td>
                    <td class={`num ${c.verdict === "same" ? "" : c.verdict}`}>{c.change === null ? "—" : `${c.change > 0 ? "+" : ""}${formatPercent(c.change, locale)}`}</td>
                    <td class="num">{c.p_value === null ? "—" : c.p_value.toPrecision(2)}</td>
                    <td><VerdictBadge verdict={c.verdict} /></td>
                  </tr>)),
              ])}</tbody>
            </table></div>
          )}
        </>
      )}
    </>
  );
}

function VerdictBadge({ verdict }: { verdict: Comparison["verdict"] }) {
  const { t } = useI18n();
  return <span class={`badge verdict-${verdict}`}><span aria-hidden="true">{VERDICT_ICON[verdict]}</span> {t(`verdict.${verdict}`)}</span>;
}

/** The summary is asked for only when the user wants it; a 503 (no model) hides the button. */
function Narrative({ historyId, analysis, onWritten, canWrite }: {
  historyId: number; analysis: TestAnalysis; onWritten: (a: TestAnalysis) => void; canWrite: boolean;
}) {
  const { t, lang } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const [unavailable, setUnavailable] = useState<string>();
  const written = analysis.narratives?.[lang];
  if (written) return <div class="narrative"><p>{written.text}</p><p class="muted small">{t("analysis.generated", { model: written.model })}</p></div>;
  if (unavailable) return <p class="muted small">{unavailable}</p>;
  if (!canWrite) return null;
  const ask = async () => {
    setBusy(true); setError(undefined);
    try { onWritten(await api.narrative(historyId, lang)); } catch (failure) {
      if (failure instanceof ApiError && failure.status === 503) setUnavailable(String(failure.detail ?? failure.message));
      else setError(failure as Error);
    }
    setBusy(false);
  };
  return <p>{error && <ErrorNote error={error} what={t("analysis.summaryFailed")} />}
    <button type="button" class="secondary small" disabled={busy} onClick={ask}>{busy ? t("analysis.summaryBusy") : t("analysis.summary")}</button></p>;
}

function Reports({ historyId }: { historyId: number }) {
  const { t } = useI18n();
  return (
    <div class="reports"><h3>{t("analysis.reports")}</h3>
      <p class="actions row">
        <a class="button secondary" href={reportLinks.html(historyId, "en")} download>{t("analysis.reportEn")}</a>
        <a class="button secondary" href={reportLinks.html(historyId, "ko")} download>{t("analysis.reportKo")}</a>
        <a class="button secondary" href={reportLinks.junit(historyId)} download>{t("analysis.junit")}</a>
      </p>
    </div>
  );
}
