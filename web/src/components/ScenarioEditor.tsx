// One scenario of the builder: executor and only its fields, stages with the load shape,
// think time, targets, path and query parameters, headers, JSON body; headers, query parameters
// and body fields can be marked secret (password inputs; a saved secret shows as set).
import { useI18n } from "../i18n";
import { type Problem, checkScenario, countFloor, fieldLabel, problemText } from "../lib/formcheck";
import { EXECUTORS, EXECUTOR_FIELDS, type Field, type KeyValue, REQUIRED_FIELDS, type ScenarioForm, checkBody, shapeOf, switchExecutor } from "../lib/scenario";
import { type Executor, parseDuration } from "../lib/stages";
import { isMask, looksSecret, namedSecrets } from "../lib/secrets";
import { LoadShape } from "./LoadShape";
import { Method } from "./ui";

type NumberField = "vus" | "rate" | "pre_allocated_vus" | "max_vus" | "iterations";
const NUMBER_FIELDS: NumberField[] = ["vus", "rate", "pre_allocated_vus", "max_vus", "iterations"];
const isNumberField = (f: Field): f is NumberField => (NUMBER_FIELDS as Field[]).includes(f);

export function ScenarioEditor({ form, onChange }: { form: ScenarioForm; onChange: (form: ScenarioForm) => void }) {
  const { t } = useI18n();
  const set = (patch: Partial<ScenarioForm>) => onChange({ ...form, ...patch });
  const fields = EXECUTOR_FIELDS[form.executor];
  const required = new Set(REQUIRED_FIELDS[form.executor]);
  const id = `s-${form.endpoint.id}`;
  const bodyProblems = checkBody(form.body, form.endpoint.request_body as Record<string, unknown> | null);
  const problems = checkScenario(form);
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
      <legend><Method method={form.endpoint.method} /> <code>{form.endpoint.path}</code></legend>
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
      </div>
      {Object.keys(form.path_params).length > 0 && (
        <fieldset class="pairs"><legend>{t("scenario.pathParams")}</legend>
          <div class="form-grid">{Object.entries(form.path_params).map(([name, value]) => (
            <label key={name}><code>{`{${name}}`}</code><input value={value} required onInput={(e) => set({ path_params: { ...form.path_params, [name]: e.currentTarget.value } })} /></label>
          ))}</div>
        </fieldset>
      )}
      <KeyValues legend={t("scenario.query")} pairs={form.query} onChange={(query) => set({ query })} secrets />
      <KeyValues legend={t("scenario.headers")} pairs={form.headers} onChange={(headers) => set({ headers })} secrets />
      {(form.endpoint.request_body || form.body) && (
        <div class="field"><label>{t("scenario.body")}
          <textarea class="mono" rows={Math.min(14, Math.max(4, form.body.split("\n").length))} spellcheck={false}
            value={form.body} aria-invalid={bodyProblems.length > 0} aria-describedby={`${id}-body`} onInput={(e) => set({ body: e.currentTarget.value })} /></label>
          <span id={`${id}-body`} role="status">{bodyProblems.map((p) => <span class="hint bad" key={p}>⚠ {describeProblem(p, t)} </span>)}</span>
        </div>
      )}
      {(form.endpoint.request_body || form.body) && (
        <div class="field"><label>{t("scenario.secretBody")}
          <input name="secret_body" value={form.secret_body} placeholder="password, user.pin" aria-describedby={`${id}-secret-body`}
            onInput={(e) => set({ secret_body: e.currentTarget.value })} /></label>
          <span class="hint" id={`${id}-secret-body`}>{t("scenario.secretBodyHint", { named: namedIn(form.body).join(", ") || t("scenario.secretBodyNone") })}</span>
        </div>
      )}
    </fieldset>
  );
}

function describeProblem(problem: string, t: ReturnType<typeof useI18n>["t"]): string {
  const [kind = "", where = "", ...rest] = problem.split(":");
  const detail = rest.join(":");
  switch (kind) {
    case "json": return t("body.json", { reason: problem.slice(5) });
    case "missing": return t("body.missing", { name: where });
    case "type": return t("body.type", { where, type: detail });
    case "enum": return t("body.enum", { where, values: detail });
    case "min": case "max": case "minLength": case "maxLength": return t(`body.${kind}`, { where, limit: detail });
    default: return t("body.required");
  }
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

/** The body's keys named like a secret, or none while its JSON does not parse. */
function namedIn(body: string): string[] {
  try { return body.trim() ? namedSecrets(JSON.parse(body)) : []; } catch { return []; }
}

/** Name/value pairs; with ``secrets``, a "secret" toggle per pair (pre-marked, and locked on, for
 *  names that look secret), secret values in password inputs and a saved one shown as set. */
export function KeyValues({ legend, pairs, onChange, secrets }: { legend: string; pairs: KeyValue[]; onChange: (pairs: KeyValue[]) => void; secrets?: boolean }) {
  const { t } = useI18n();
  const set = (i: number, patch: Partial<KeyValue>) => onChange(pairs.map((p, j) => (j === i ? { ...p, ...patch } : p)));
  return (
    <fieldset class="pairs">
      <legend>{legend}</legend>
      {pairs.map((pair, i) => {
        const named = secrets === true && looksSecret(pair.key);
        const secret = named || pair.secret === true;
        const saved = isMask(pair.value);
        return (
        <div class="pair" key={i}>
          <input aria-label={t("pairs.name", { n: i + 1 })} placeholder={t("pairs.namePlaceholder")} value={pair.key} onInput={(e) => set(i, { key: e.currentTarget.value })} />
          <input aria-label={t("pairs.value", { n: i + 1 })} type={secret ? "password" : "text"} autocomplete="off" value={saved ? "" : pair.value}
            placeholder={saved ? t("pairs.secretSet") : undefined} onInput={(e) => set(i, { value: e.currentTarget.value })} />
          {secrets && <label class="check" title={named ? t("pairs.alwaysSecret") : undefined}><input type="checkbox" aria-label={t("pairs.secretOf", { n: i + 1 })}
            checked={secret} disabled={named} onChange={(e) => set(i, { secret: e.currentTarget.checked })} />{t("pairs.secret")}</label>}
          <button type="button" class="icon" aria-label={t("pairs.remove", { n: i + 1 })} onClick={() => onChange(pairs.filter((_, j) => j !== i))}>×</button>
        </div>
        );
      })}
      <button type="button" class="secondary small" onClick={() => onChange([...pairs, { key: "", value: "", secret: false }])}>{t("pairs.add")}</button>
    </fieldset>
  );
}
