// The Analysis section of a result: the verdict and why, findings most severe first (evidence in
// words), the judgement against the baseline with its comparisons, make-baseline and
// analyse-again, the thresholds applied, reports, and an optional written summary (offered only
// when the gateway says a model is configured).
import { useState } from "preact/hooks";
import { ApiError, api, type Finding, type TestAnalysis, reportLinks } from "../api/client";
import { type Key, useI18n } from "../i18n";
import { useAccess } from "../lib/auth";
import { figureName, formatNamedFigure } from "../lib/figures";
import { formatDateTime, formatPercent } from "../lib/format";
import { useAsync } from "../lib/useAsync";
import { href } from "../router";
import { type Judgement, evidenceLabel, evidenceValue, junitFileName } from "../lib/verdict";
import { ErrorNote, Loading, OutcomeBadge } from "./ui";

const SEVERITY_ICON: Record<Finding["severity"], string> = { critical: "✕", warning: "!", info: "i" };
const JUDGEMENT_ICON: Record<Judgement, string> = { better: "▲", worse: "▼", same: "=" };

export function AnalysisSection({ historyId, projectId, title, isBaseline, ownThresholds, onChanged }: {
  historyId: number; projectId?: number; title: string; isBaseline: boolean;
  ownThresholds: Record<string, number>; onChanged?: () => void;
}) {
  const { t, lang } = useI18n();
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
  const again = () => act("analysis.againFailed", async () => { setFresh(await api.reanalyse(historyId)); onChanged?.(); });
  const baseline = () => act("analysis.baselineFailed", async () => {
    await api.markBaseline(historyId); setBaselineSet(true); setFresh(await api.reanalyse(historyId)); onChanged?.();
  });
  const marked = isBaseline || baselineSet;
  return (
    <section class="card analysis" aria-labelledby="analysis-title">
      <div class="section-head"><h2 id="analysis-title">{t("result.analysis")}</h2>
        <div class="actions">
          {marked ? <span class="badge baseline-mark" role="status">◆ {t("analysis.thisIsBaseline")}</span>
            : can("test") && <button type="button" class="secondary" disabled={busy} onClick={baseline}>{t("analysis.makeBaseline")}</button>}
          {can("test") && <button type="button" class="secondary" disabled={busy} onClick={again}>{t("analysis.again")}</button>}
        </div></div>
      {baselineSet && <p class="note success small" role="status">✓ {t("analysis.isBaseline")}</p>}
      {error && <ErrorNote error={error.error} what={error.what} />}
      {state.error && !analysis ? <ErrorNote error={state.error} retry={state.reload} what={t("result.analysis")} />
        : analysis === undefined ? <Loading />
        : analysis === null ? <p class="muted">{t("analysis.none")}</p>
        : <>
            <p class="run-verdict"><strong>{t("result.verdict")}</strong> <OutcomeBadge outcome={analysis.verdict.outcome} />
              <span class="verdict-reason">{analysis.verdict.reason[lang]}</span></p>
            <Findings findings={analysis.findings} />
            <BaselineVerdict analysis={analysis} projectId={projectId} historyId={historyId} />
            <Thresholds used={(analysis.thresholds ?? null) as Record<string, number> | null} own={ownThresholds} />
            <Narrative historyId={historyId} analysis={analysis} onWritten={setFresh} canWrite={can("test")} />
          </>}
      <Reports historyId={historyId} title={title} />
    </section>
  );
}

function Findings({ findings }: { findings: Finding[] }) {
  const { t, lang, locale } = useI18n();
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
                    <div key={name}><dt>{evidenceLabel(name, lang)}</dt><dd>{name === "figure" && typeof value === "string" ? figureName(value, t) : evidenceValue(name, value, locale)}</dd></div>)}</dl>
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
  const judgement = analysis.baseline_judgement;
  const baselineId = analysis.baseline_test_id;
  // The baseline is named by its k6 test id: the project's recent runs give its title and page.
  const recent = useAsync(() => (projectId && baselineId ? api.projectTests(projectId, { limit: 100 }) : Promise.resolve(null)),
    [projectId, baselineId]);
  const baseline = recent.data?.items.find((x) => x.test_id === baselineId);
  const groups = new Map<string | null, typeof comparisons>();
  for (const c of comparisons) groups.set(c.scenario ?? null, [...(groups.get(c.scenario ?? null) ?? []), c]);
  return (
    <>
      <h3>{t("analysis.baseline")}</h3>
      {!baselineId ? <p class="muted">{t("analysis.noBaseline")}</p> : (
        <>
          <p>{baseline ? <>{t("analysis.baselineRun")}: <a href={href(`/tests/${baseline.id}`)}>{baseline.title}</a>{" "}
              <span class="muted small">{formatDateTime(baseline.tested_at, locale)}</span></>
            : t("analysis.baselineOf", { id: baselineId })}
            {judgement && <> · {t("analysis.overall")}: <JudgementBadge judgement={judgement} /></>}
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
                    <td class={`num ${c.judgement === "same" ? "" : c.judgement}`}>{c.change === null ? "—" : `${c.change > 0 ? "+" : ""}${formatPercent(c.change, locale)}`}</td>
                    <td class="num">{c.p_value === null ? "—" : c.p_value.toPrecision(2)}</td>
                    <td><JudgementBadge judgement={c.judgement} /></td>
                  </tr>)),
              ])}</tbody>
            </table></div>
          )}
        </>
      )}
    </>
  );
}

function JudgementBadge({ judgement }: { judgement: Judgement }) {
  const { t } = useI18n();
  return <span class={`badge verdict-${judgement}`}><span aria-hidden="true">{JUDGEMENT_ICON[judgement]}</span> {t(`verdict.${judgement}`)}</span>;
}

/** The thresholds the rules applied, those set for this test marked. */
function Thresholds({ used, own }: { used: Record<string, number> | null; own: Record<string, number> }) {
  const { t, lang, locale } = useI18n();
  if (!used) return null;
  return (
    <details class="thresholds-used"><summary>{t("thresholds.used")}</summary>
      <dl class="evidence small">{Object.entries(used).map(([name, value]) =>
        <div key={name}><dt>{evidenceLabel(name, lang)}</dt><dd>{evidenceValue(name, value, locale)}
          {name in own && <span class="muted"> ({t("thresholds.own")})</span>}</dd></div>)}</dl>
    </details>
  );
}

/** The summary is asked for only when the user wants it, and offered only when the gateway says
 *  a model is configured (a 503 all the same hides the button). */
function Narrative({ historyId, analysis, onWritten, canWrite }: {
  historyId: number; analysis: TestAnalysis; onWritten: (a: TestAnalysis) => void; canWrite: boolean;
}) {
  const { t, lang } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const [unavailable, setUnavailable] = useState<string>();
  const settings = useAsync(() => api.analysisSettings(), []);
  const written = analysis.narratives?.[lang];
  if (written) return <div class="narrative"><p>{written.text}</p><p class="muted small">{t("analysis.generated", { model: written.model })}</p></div>;
  if (unavailable) return <p class="muted small">{unavailable}</p>;
  if (!canWrite || !settings.data) return null;
  if (!settings.data.summary_available) return <p class="muted small">{t("analysis.noModel")}</p>;
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

/** The HTML reports open in a tab (each is one self-contained page); the JUnit file is saved. */
function Reports({ historyId, title }: { historyId: number; title: string }) {
  const { t } = useI18n();
  return (
    <div class="reports"><h3>{t("analysis.reports")}</h3>
      <p class="actions row">
        <a class="button secondary" href={reportLinks.html(historyId, "en")} target="_blank" rel="noopener">{t("analysis.reportEn")}</a>
        <a class="button secondary" href={reportLinks.html(historyId, "ko")} target="_blank" rel="noopener">{t("analysis.reportKo")}</a>
        <a class="button secondary" href={reportLinks.junit(historyId)} download={junitFileName(title)}>{t("analysis.junit")}</a>
      </p>
    </div>
  );
}
