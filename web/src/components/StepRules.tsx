// What a step keeps of its answer (a variable from a JSON path, a header or a pattern) and what
// it checks (status in a set, a JSON field equals or exists, the body contains a text, a header
// is present, the answer came within N ms): each a row with its own fields.
import { VARIABLE_NAME } from "../api/client";
import { useI18n } from "../i18n";
import { CHECK_KINDS, type CheckForm, type CheckKind, EMPTY_CHECK, type ExtractionForm, SOURCES, type Source, type StepForm } from "../lib/journey";

const EXPRESSION_EXAMPLE: Record<Source, string> = { json: "data.items.0.id", header: "Location", regex: "id=(\\w+)" };

export function StepRules({ step, id, onChange }: { step: StepForm; id: string; onChange: (patch: Partial<StepForm>) => void }) {
  const { t } = useI18n();
  const setExtract = (i: number, patch: Partial<ExtractionForm>) => onChange({ extract: step.extract.map((e, j) => (j === i ? { ...e, ...patch } : e)) });
  const setCheck = (i: number, patch: Partial<CheckForm>) => onChange({ checks: step.checks.map((c, j) => (j === i ? { ...c, ...patch } : c)) });
  return (
    <div class="jstep-rules">
      <fieldset class="rules">
        <legend>{t("extract.title")}</legend>
        {step.extract.length === 0 && <p class="hint">{t("extract.none")}</p>}
        {step.extract.map((e, i) => {
          const badName = e.variable.trim() !== "" && !VARIABLE_NAME.test(e.variable.trim());
          return (
            <div class="rule" key={i}>
              <input aria-label={t("extract.variable", { n: i + 1 })} placeholder={t("extract.variablePlaceholder")} value={e.variable}
                aria-invalid={badName} class="mono" onInput={(x) => setExtract(i, { variable: x.currentTarget.value })} />
              <select aria-label={t("extract.source", { n: i + 1 })} value={e.source} onChange={(x) => setExtract(i, { source: x.currentTarget.value as Source })}>
                {SOURCES.map((s) => <option key={s} value={s}>{t(`extract.from.${s}`)}</option>)}
              </select>
              <input aria-label={t("extract.expression", { n: i + 1 })} class="mono" value={e.expression}
                placeholder={t("placeholder.example", { example: EXPRESSION_EXAMPLE[e.source] })} onInput={(x) => setExtract(i, { expression: x.currentTarget.value })} />
              <button type="button" class="icon" aria-label={t("extract.remove", { n: i + 1 })} onClick={() => onChange({ extract: step.extract.filter((_, j) => j !== i) })}>×</button>
              {badName && <span class="hint bad rule-note" id={`${id}-x${i}`}>{t("extract.badName")}</span>}
            </div>
          );
        })}
        <button type="button" class="secondary small" onClick={() => onChange({ extract: [...step.extract, { variable: "", source: "json", expression: "" }] })}>{t("extract.add")}</button>
      </fieldset>
      <fieldset class="rules">
        <legend>{t("checks.title")}</legend>
        {step.checks.length === 0 && <p class="hint">{t("checks.none")}</p>}
        {step.checks.map((c, i) => (
          <div class="rule" key={i}>
            <select aria-label={t("checks.kind", { n: i + 1 })} value={c.kind} onChange={(x) => setCheck(i, { ...EMPTY_CHECK[x.currentTarget.value as CheckKind] })}>
              {CHECK_KINDS.map((k) => <option key={k} value={k}>{t(`checks.kind.${k}`)}</option>)}
            </select>
            {(c.kind === "json_equals" || c.kind === "json_exists") && <input aria-label={t("checks.path", { n: i + 1 })} class="mono" value={c.path}
              placeholder={t("placeholder.example", { example: "data.id" })} onInput={(x) => setCheck(i, { path: x.currentTarget.value })} />}
            {c.kind !== "json_exists" && <input aria-label={t(`checks.value.${c.kind}`, { n: i + 1 })} class={c.kind === "body_contains" ? undefined : "mono"}
              value={c.value} inputMode={c.kind === "status_in" || c.kind === "duration_under" ? "numeric" : undefined}
              placeholder={t(`checks.placeholder.${c.kind}`)} onInput={(x) => setCheck(i, { value: x.currentTarget.value })} />}
            <button type="button" class="icon" aria-label={t("checks.remove", { n: i + 1 })} onClick={() => onChange({ checks: step.checks.filter((_, j) => j !== i) })}>×</button>
          </div>
        ))}
        <button type="button" class="secondary small" onClick={() => onChange({ checks: [...step.checks, { ...EMPTY_CHECK.status_in }] })}>{t("checks.add")}</button>
      </fieldset>
    </div>
  );
}
