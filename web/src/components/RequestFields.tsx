// One request's fields, as a scenario, a journey's step and a login send them: path
// parameters, query, headers, a JSON body checked against the spec's schema, and secret marks.
import { useI18n } from "../i18n";
import { type KeyValue, type RequestForm, checkBody } from "../lib/scenario";
import { isMask, looksSecret, namedSecrets } from "../lib/secrets";

export function RequestFields({ form, id, onChange }: { form: RequestForm; id: string; onChange: (patch: Partial<RequestForm>) => void }) {
  const { t } = useI18n();
  const set = onChange;
  const bodyProblems = checkBody(form.body, form.endpoint.request_body as Record<string, unknown> | null);
  return (
    <>
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
    </>
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
