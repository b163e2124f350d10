// The test builder: endpoints picked by tag or search become one scenario each; each scenario
// shows only the fields its executor takes, a stages editor with the load shape, targets,
// parameters, headers and a JSON body pre-filled from the spec. Start sends POST /load-testing.
import { useMemo, useState } from "preact/hooks";
import { ApiError, HISTOGRAM_ERROR_BOUND, api, type DataFileRead, type EndpointRead, type LoadTestCreate, type MetricsMode, type PlanRead, type SpecRead, type StepSuggestion, type TestDetails } from "../api/client";
import { SavePlan, ScriptPreview } from "../components/BuilderExtras";
import { ThresholdsEditor } from "../components/ThresholdsEditor";
import { thresholdInputs, thresholdOverrides } from "../lib/verdict";
import { useAccess } from "../lib/auth";
import { EndpointBrowser } from "../components/EndpointBrowser";
import { LoadShape } from "../components/LoadShape";
import { Async, ErrorNote, Method } from "../components/ui";
import { useI18n } from "../i18n";
import { formatPercent, formatSeconds } from "../lib/format";
import { type ScenarioForm, checkBody, newScenario, secretKeys, shapeOf, toScenarioCreate } from "../lib/scenario";
import { testPlannedSeconds } from "../lib/stages";
import { checkScenarios, problemText, shapeBroken } from "../lib/formcheck";
import { useAsync } from "../lib/useAsync";
import { journeyProblems } from "../lib/journeycheck";
import { uniqueTwice } from "../lib/data";
import { href, navigate } from "../router";
import { rememberRequest, startedRun } from "../lib/plans";
import { formsFromPlan, formsFromRun, marked } from "../lib/rerun";
import { ScenarioEditor, KeyValues } from "../components/ScenarioEditor";
import { HarImport } from "../components/HarImport";
import { PostmanImport } from "../components/PostmanImport";
import type { KeyValue } from "../lib/scenario";

export function Builder({ projectId, from, planId, baseUrl }: { projectId: number; from?: number; planId?: number; baseUrl?: string }) {
  const { t } = useI18n();
  const data = useAsync(async () => {
    const [project, endpoints, specs, previous, plan, suggestions, dataFiles] = await Promise.all([api.project(projectId), api.endpoints(projectId),
      api.specs(projectId), from ? api.details(from) : Promise.resolve(null), planId ? api.plan(planId) : Promise.resolve(null),
      // Suggestions are a help: the builder works without them.
      api.suggestions(projectId).catch(() => [] as StepSuggestion[]), api.dataFiles(projectId)]);
    return { project, endpoints, specs, previous, plan, suggestions, dataFiles };
  }, [projectId, from, planId]);
  return (
    <main class="page">
      <Async state={data} what={t("builder.title")}>
        {({ project, endpoints, specs, previous, plan, suggestions, dataFiles }) => (
          <>
            <header class="page-head"><div>
              <nav class="crumbs" aria-label={t("nav.crumbs")}><a href={href("/")}>{t("board.title")}</a> / <a href={href(`/projects/${projectId}`)}>{project.title}</a> /</nav>
              <h1>{t("builder.title")}</h1><p class="muted">{plan ? t("plans.editing", { name: plan.name }) : t("builder.subtitle")}</p>
            </div></header>
            <Form projectId={projectId} endpoints={endpoints} suggestions={suggestions} dataFiles={dataFiles} specs={specs} previous={previous} plan={plan} baseUrl={baseUrl} />
          </>
        )}
      </Async>
    </main>
  );
}

function Form({ projectId, endpoints, suggestions, dataFiles: listedFiles, specs, previous, plan: loadedPlan, baseUrl: givenBase }: {
  projectId: number; endpoints: EndpointRead[]; suggestions: StepSuggestion[]; dataFiles: DataFileRead[]; specs: SpecRead[]; previous: TestDetails | null; plan: PlanRead | null; baseUrl?: string;
}) {
  const { t, locale } = useI18n();
  const { can } = useAccess();
  const [plan, setPlan] = useState(loadedPlan);
  const request = loadedPlan?.test ?? (previous ? startedRun(previous.id)?.request : null);
  const [title, setTitle] = useState(loadedPlan?.test.title ?? previous?.title ?? "");
  const [description, setDescription] = useState(request?.description ?? previous?.description ?? "");
  const [baseUrl, setBaseUrl] = useState(request?.base_url ?? givenBase ?? "");
  const [targetTps, setTargetTps] = useState(request?.target_tps ? String(request.target_tps) : previous?.target_tps ? String(previous.target_tps) : "");
  const [headers, setHeaders] = useState<KeyValue[]>(marked(request?.headers ?? {}, request?.secret_headers));
  const [scenarios, setScenarios] = useState<ScenarioForm[]>(() => (loadedPlan ? formsFromPlan(loadedPlan.test, endpoints)
    : previous ? formsFromRun(previous, endpoints, request) : []));
  const [parallelism, setParallelism] = useState(String(request?.parallelism ?? 1));
  const [metricsMode, setMetricsMode] = useState<MetricsMode>(request?.metrics_mode ?? "fast");
  const [thresholds, setThresholds] = useState(() => thresholdInputs(request?.analysis_thresholds ?? previous?.analysis_thresholds));
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const [dataFiles, setDataFiles] = useState(listedFiles);
  const picked = useMemo(() => new Set(scenarios.map((s) => s.endpoint.id)), [scenarios]);

  const toggle = (endpoint: EndpointRead) => setScenarios((now) => now.some((s) => s.endpoint.id === endpoint.id)
    ? now.filter((s) => s.endpoint.id !== endpoint.id)
    : [...now, newScenario(endpoint, new Set(now.map((s) => s.name)))]);
  // An imported collection's test replaces the scenarios, as a plan's does.
  const useImported = (test: LoadTestCreate) => { setScenarios(formsFromPlan(test, endpoints)); setTitle((now) => now || test.title); setBaseUrl(test.base_url ?? baseUrl); };
  const update = (index: number, form: ScenarioForm) => setScenarios((now) => now.map((s, i) => (i === index ? form : s)));

  const problems = scenarios.flatMap((s) => checkBody(s.body, s.endpoint.request_body as Record<string, unknown> | null)
    .filter((p) => p.startsWith("json:")).map(() => s.name));
  const formProblems = checkScenarios(scenarios);
  const journeyIssues = [...scenarios.flatMap((s) => journeyProblems(s, dataFiles)),
    ...uniqueTwice(scenarios).map((name) => ({ key: "journey.problem.uniqueTwice" as const, vars: { name } }))];
  // A file uploaded from one scenario is offered to the others too.
  const project = useMemo(() => ({ id: projectId, endpoints, suggestions, dataFiles,
    onDataFile: (file: DataFileRead) => setDataFiles((now) => [file, ...now]) }), [projectId, endpoints, suggestions, dataFiles]);
  // While a scenario's shape cannot be drawn the test's end is unknown, not the others' end.
  const unplanned = scenarios.filter((s) => shapeBroken(shapeOf(s))).map((s) => `'${s.name}'`);
  const planned = unplanned.length ? null : testPlannedSeconds(scenarios.map(shapeOf));
  const defaultBase = specs.find((s) => s.base_url)?.base_url ?? "";

  /** The request as the form stands, or null (with the reason shown) when its JSON is broken. */
  const build = (): LoadTestCreate | null => {
    setError(undefined);
    if (formProblems.length) { setError(new Error(formProblems.map((p) => problemText(p, t)).join("; "))); return null; }
    if (problems.length) { setError(new Error(t("builder.badJson", { names: problems.join(", ") }))); return null; }
    if (journeyIssues.length) { setError(new Error(journeyIssues.map((p) => t(p.key, p.vars)).join("; "))); return null; }
    const pairs = Object.fromEntries(headers.filter((h) => h.key.trim()).map((h) => [h.key.trim(), h.value]));
    return {
      title: title.trim(), description: description.trim() || null, project_id: projectId,
      base_url: baseUrl.trim() || null, target_tps: targetTps ? Number(targetTps) : null,
      headers: pairs, secret_headers: secretKeys(headers), scenarios: scenarios.map(toScenarioCreate),
      parallelism: Number(parallelism) || 1, one_runner_per_node: false, metrics_mode: metricsMode,
      analysis_thresholds: thresholdOverrides(thresholds),
    };
  };

  const start = async (event: Event) => {
    event.preventDefault();
    const request = build();
    if (!request) return;
    setBusy(true);
    try {
      const created = await api.startTest(request);
      const secret = new Set([...secretKeys(headers), ...scenarios.flatMap((s) => [...secretKeys(s.headers), ...secretKeys(s.query)])]);
      rememberRequest(created.test_history_id, request, planned, secret);
      navigate(`/tests/${created.test_history_id}`);
    } catch (failure) {
      setError(failure instanceof ApiError ? failure : new Error(String(failure)));
      setBusy(false);
    }
  };

  return (
    <form onSubmit={start} class="builder">
      <section class="card">
        <h2>1. {t("builder.endpoints")}</h2>
        <EndpointBrowser endpoints={endpoints} picked={picked} onToggle={toggle} height={300} />
        {scenarios.length > 0 && <p class="picked small">{scenarios.map((s) => <span class="chip" key={s.endpoint.id}><Method method={s.endpoint.method} /> {s.endpoint.path}
          <button type="button" class="icon" aria-label={t("builder.unpick", { endpoint: s.endpoint.path })} onClick={() => toggle(s.endpoint)}>×</button></span>)}</p>}
      </section>
      {can("test") && <section class="card imports">
        <h2>{t("builder.imports")}</h2>
        <HarImport projectId={projectId} endpoints={endpoints} taken={new Set(scenarios.map((s) => s.name))}
          onUse={(form) => setScenarios((now) => [...now, form])} />
        <PostmanImport projectId={projectId} endpoints={endpoints} onUse={useImported} />
      </section>}
      <section class="card">
        <h2>2. {t("builder.scenarios")}</h2>
        {scenarios.length === 0 ? <p class="muted">{t("builder.pickFirst")}</p> : (
          <>
            <LoadShape inputs={scenarios.map(shapeOf)} names={scenarios.map((s) => s.name)} height={160} />
            {scenarios.map((s, i) => <ScenarioEditor key={s.endpoint.id} form={s} project={project} onChange={(f) => update(i, f)} />)}
          </>
        )}
      </section>
      <section class="card">
        <h2>3. {t("builder.test")}</h2>
        <div class="form-grid">
          <label>{t("builder.testTitle")}<input name="title" required maxLength={255} value={title} onInput={(e) => setTitle(e.currentTarget.value)} /></label>
          <div class="field"><label>{t("builder.baseUrl")}<input name="base_url" type="url" value={baseUrl} placeholder={defaultBase}
            aria-describedby="base-url-hint" onInput={(e) => setBaseUrl(e.currentTarget.value)} /></label>
            <span class="hint" id="base-url-hint">{t("builder.baseUrlHint")}</span></div>
          <label>{t("builder.targetTps")}<input name="target_tps" type="number" min="0" step="any" value={targetTps} onInput={(e) => setTargetTps(e.currentTarget.value)} /></label>
          <div class="field"><label>{t("runners.count")}<input name="parallelism" type="number" min="1" max="10" step="1" value={parallelism}
            aria-describedby="parallelism-hint" onInput={(e) => setParallelism(e.currentTarget.value)} /></label>
            <span class="hint" id="parallelism-hint">{t("runners.countHint")}</span></div>
          <div class="field"><label>{t("mode.label")}<select name="metrics_mode" value={metricsMode} aria-describedby="metrics-mode-hint"
            onChange={(e) => setMetricsMode(e.currentTarget.value as MetricsMode)}>
            <option value="fast">{t("mode.fast")}</option><option value="precise">{t("mode.precise")}</option></select></label>
            <span class="hint" id="metrics-mode-hint">{metricsMode === "fast" ? t("mode.fastHint", { bound: formatPercent(HISTOGRAM_ERROR_BOUND, locale) }) : t("mode.preciseHint")}</span></div>
          <label class="span2">{t("builder.description")}<textarea name="description" rows={2} value={description} onInput={(e) => setDescription(e.currentTarget.value)} /></label>
        </div>
        <KeyValues legend={t("builder.commonHeaders")} pairs={headers} onChange={setHeaders} secrets />
        <ThresholdsEditor values={thresholds} onChange={setThresholds} />
        <div class="actions start">
          <span class="muted" id="planned">{unplanned.length ? t("builder.plannedUnknown", { names: unplanned.join(", ") })
            : planned !== null ? t("builder.planned", { duration: formatSeconds(planned) }) : ""}</span>
          <button type="submit" class="primary big" aria-describedby={formProblems.length + journeyIssues.length ? "form-problems" : undefined}
            disabled={!can("test") || busy || scenarios.length === 0 || !title.trim() || formProblems.length + journeyIssues.length > 0}>
            {busy ? t("builder.starting") : scenarios.length === 1 ? t("builder.startOne") : t("builder.start", { n: scenarios.length })}</button>
        </div>
        {formProblems.length + journeyIssues.length > 0 && <div class="problems" id="form-problems" role="status"><p>{t("builder.fixFirst")}</p>
          <ul>{formProblems.map((p, i) => <li key={i}>{problemText(p, t)}</li>)}
            {journeyIssues.map((p, i) => <li key={`j${i}`}>{t(p.key, p.vars)}</li>)}</ul></div>}
        {error && <ErrorNote error={error} what={t("builder.startFailed")} />}
        {scenarios.length > 0 && <ScriptPreview build={build} />}
        {can("test") && scenarios.length > 0 && title.trim() && <SavePlan projectId={projectId} plan={plan} build={build} onSaved={setPlan} />}
      </section>
    </form>
  );
}
