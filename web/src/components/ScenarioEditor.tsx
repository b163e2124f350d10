// One scenario of the builder: executor and only its fields, stages with the load shape,
// think time, targets; then its request (path and query parameters, headers, JSON body, secret
// marks) or, once made a journey, its steps; how it signs in; and its test data.
import type { DataFileRead, EndpointRead, StepSuggestion } from "../api/client";
import { useI18n } from "../i18n";
import { type Problem, checkScenario, countFloor, fieldLabel, problemText } from "../lib/formcheck";
import { EXECUTORS, EXECUTOR_FIELDS, type Field, REQUIRED_FIELDS, type ScenarioForm, shapeOf, switchExecutor } from "../lib/scenario";
import { type Executor, parseDuration } from "../lib/stages";
import { newStep } from "../lib/journey";
import { signInFromDocument } from "../lib/signin";
import { DataPicker } from "./DataPicker";
import { JourneyEditor } from "./JourneyEditor";
import { LoadShape } from "./LoadShape";
import { RequestFields } from "./RequestFields";
import { SignInEditor } from "./SignInEditor";
import { Method } from "./ui";

export { KeyValues } from "./RequestFields";

/** What a scenario may use of its project: the endpoints, the suggested next steps, the data
 *  files (and how to tell the builder of one uploaded from a scenario). */
export interface ProjectParts {
  id: number; endpoints: EndpointRead[]; suggestions: StepSuggestion[];
  dataFiles: DataFileRead[]; onDataFile: (file: DataFileRead) => void;
}

type NumberField = "vus" | "rate" | "pre_allocated_vus" | "max_vus" | "iterations";
const NUMBER_FIELDS: NumberField[] = ["vus", "rate", "pre_allocated_vus", "max_vus", "iterations"];
const isNumberField = (f: Field): f is NumberField => (NUMBER_FIELDS as Field[]).includes(f);

export function ScenarioEditor({ form, project, onChange }: {
  form: ScenarioForm; project: ProjectParts; onChange: (form: ScenarioForm) => void;
}) {
  const { t } = useI18n();
  const set = (patch: Partial<ScenarioForm>) => onChange({ ...form, ...patch });
  const fields = EXECUTOR_FIELDS[form.executor];
  const required = new Set(REQUIRED_FIELDS[form.executor]);
  const id = `s-${form.endpoint.id}`;
  const problems = checkScenario(form);
  // The scenario's own request becomes the journey's first step; the document's security
  // schemes pre-fill how it signs in (kept when the scenario already has one).
  const makeJourney = () => {
    const first = { ...newStep(form.endpoint, []), path_params: form.path_params, query: form.query, headers: form.headers,
      body: form.body, secret_body: form.secret_body };
    set({ steps: [first], sign_in: form.sign_in ?? signInFromDocument([form.endpoint], project.endpoints) });
  };
  // Each field's problem, said beside it and tied to it (aria-describedby / aria-invalid).
  const said = (field: Problem["field"], stage?: number) => {
    const found = problems.find((p) => p.field === field && p.stage === stage);
    const hintId = `${id}-${field}${stage ?? ""}-problem`;
    return {
      attrs: { "aria-invalid": found !== undefined, "aria-describedby": found ? hintId : undefined },
      note: found ? <span class="hint bad" id={hintId} role="alert">{problemText(found, t)}</span> : null,
    };
  };
  return (
    <fieldset class="scenario">
      <legend>{form.steps.length > 0 ? <span class="badge journey-badge">{t("journey.badge", { n: form.steps.length })}</span>
        : <><Method method={form.endpoint.method} /> <code>{form.endpoint.path}</code></>}</legend>
      <div class="form-grid">
        <label>{t("scenario.name")}<input value={form.name} required maxLength={100} onInput={(e) => set({ name: e.currentTarget.value })} /></label>
        <div class="field"><label>{t("scenario.executor")}
          <select value={form.executor} aria-describedby={`${id}-executor`} onChange={(e) => set(switchExecutor(e.currentTarget.value as Executor))}>
            {EXECUTORS.map((x) => <option value={x} key={x}>{x}</option>)}
          </select></label>
          <span class="hint" id={`${id}-executor`}>{t(`executor.${form.executor}`)}</span>
        </div>
        {fields.filter(isNumberField).map((f) => { const { attrs, note } = said(f); return (
          <div class="field" key={f}><label>{fieldLabel(f, form.executor, t)}
            <input name={f} type="number" min={countFloor(f, form.executor)} step="1" required={required.has(f)} value={form[f]}
              placeholder={required.has(f) ? undefined : t("placeholder.none", { example: "10" })} {...attrs}
              onInput={(e) => set({ [f]: e.currentTarget.value })} /></label>{note}</div>
        ); })}
        {fields.includes("duration") && (() => { const { attrs, note } = said("duration"); return (
          <div class="field"><label>{fieldLabel("duration", form.executor, t)}
            <input name="duration" value={form.duration} required={required.has("duration")} {...attrs}
              placeholder={t(required.has("duration") ? "placeholder.example" : "placeholder.none", { example: "30s" })}
              onInput={(e) => set({ duration: e.currentTarget.value })} /></label>{note}</div>
        ); })()}
        {fields.includes("time_unit") && (() => { const { attrs, note } = said("time_unit"); return (
          <div class="field"><label>{t("field.time_unit")}<input name="time_unit" value={form.time_unit} placeholder={t("placeholder.example", { example: "1s" })}
            {...attrs} onInput={(e) => set({ time_unit: e.currentTarget.value })} /></label>{note}</div>
        ); })()}
        {(() => { const { attrs, note } = said("start_time"); return (
          <div class="field"><label>{t("field.startTime")}<input name="start_time" value={form.start_time} placeholder={t("placeholder.none", { example: "10s" })}
            {...attrs} onInput={(e) => set({ start_time: e.currentTarget.value })} /></label>{note}</div>
        ); })()}
        <label>{t("field.thinkTime")}<input type="number" min="0" step="any" value={form.think_time} onInput={(e) => set({ think_time: e.currentTarget.value })} /></label>
      </div>
      {fields.includes("stages") && <Stages form={form} onChange={onChange} problems={problems} />}
      {!fields.includes("stages") && <LoadShape inputs={[shapeOf(form)]} names={[form.name]} height={140} />}
      <div class="form-grid">
        <label>{t("target.responseTime")}<input type="number" min="1" step="any" value={form.rt_max_ms} placeholder={t("placeholder.none", { example: "500" })} onInput={(e) => set({ rt_max_ms: e.currentTarget.value })} /></label>
        <label>{t("target.percentile")}<input type="number" min="1" max="100" step="any" value={form.rt_percentile} onInput={(e) => set({ rt_percentile: e.currentTarget.value })} /></label>
        <label>{t("target.errorRate")}<input type="number" min="0" max="100" step="any" value={form.error_rate_percent} placeholder={t("placeholder.none", { example: "1" })} onInput={(e) => set({ error_rate_percent: e.currentTarget.value })} /></label>
        {form.steps.length > 0 && <label>{t("journey.checkTarget")}<input name="check_target" type="number" min="0" max="100" step="any" value={form.check_target}
          placeholder={t("placeholder.none", { example: "99" })} onInput={(e) => set({ check_target: e.currentTarget.value })} /></label>}
      </div>
      {form.steps.length === 0 && <RequestFields form={form} id={id} onChange={set} />}
      {form.steps.length === 0 && <div class="actions"><button type="button" class="secondary small" onClick={makeJourney}>{t("journey.make")}</button>
        <span class="hint">{t("journey.makeHint")}</span></div>}
      {form.steps.length > 0 && <JourneyEditor form={form} project={project} onChange={set} />}
      <SignInEditor value={form.sign_in} endpoints={project.endpoints} id={id} onChange={(sign_in) => set({ sign_in })} />
      <DataPicker projectId={project.id} files={project.dataFiles} value={form.data} id={id}
        onChange={(data) => set({ data })} onUploaded={project.onDataFile} />
    </fieldset>
  );
}

function Stages({ form, onChange, problems }: { form: ScenarioForm; onChange: (form: ScenarioForm) => void; problems: Problem[] }) {
  const { t } = useI18n();
  const setStages = (stages: ScenarioForm["stages"]) => onChange({ ...form, stages });
  return (
    <div class="stages">
      <div>
      <table class="small">
        <caption>{t("stages.title")}</caption>
        <thead><tr><th>#</th><th>{t("stages.duration")}</th><th>{t("stages.target")}</th><th><span class="sr-only">{t("col.actions")}</span></th></tr></thead>
        <tbody>{form.stages.map((stage, i) => (
          <tr key={i}>
            <td>{i + 1}</td>
            <td><input aria-label={t("stages.durationOf", { n: i + 1 })} value={stage.duration} aria-invalid={parseDuration(stage.duration) === null}
              placeholder={t("placeholder.example", { example: "30s" })} onInput={(e) => setStages(form.stages.map((s, j) => (j === i ? { ...s, duration: e.currentTarget.value } : s)))} /></td>
            <td><input aria-label={t("stages.targetOf", { n: i + 1 })} type="number" min="0" value={stage.target}
              onInput={(e) => setStages(form.stages.map((s, j) => (j === i ? { ...s, target: Number(e.currentTarget.value) } : s)))} /></td>
            <td><button type="button" class="icon" aria-label={t("stages.remove", { n: i + 1 })} onClick={() => setStages(form.stages.filter((_, j) => j !== i))}>×</button></td>
          </tr>
        ))}</tbody>
      </table>
      {problems.filter((p) => p.field.startsWith("stage")).map((p) => <p class="hint bad" role="alert" key={`${p.field}${p.stage}`}>{problemText(p, t)}</p>)}
      <button type="button" class="secondary small" onClick={() => setStages([...form.stages, { duration: "10s", target: form.stages.at(-1)?.target ?? 1 }])}>{t("stages.add")}</button>
      </div>
      <LoadShape inputs={[shapeOf(form)]} names={[form.name]} height={150} />
    </div>
  );
}

