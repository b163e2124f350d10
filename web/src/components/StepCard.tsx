// One step of a journey: its name, endpoint and order (buttons, Alt+↑/↓, a drag handle),
// duplicate and remove; its think time and request; what it keeps of its answer and its checks.
import { useI18n } from "../i18n";
import type { DataColumns } from "../lib/data";
import { type StepForm, stepProblems } from "../lib/journey";
import type { SignInForm } from "../lib/signin";
import { variableReport } from "../lib/variables";
import { RequestFields } from "./RequestFields";
import { StepRules } from "./StepRules";
import { Method } from "./ui";

export function StepCard({ step, index, count, steps, signIn, data, onChange, onMove, onDuplicate, onRemove, onDragStart, onDragEnd }: {
  step: StepForm; index: number; count: number; steps: StepForm[]; signIn: SignInForm | null; data: DataColumns | null;
  onChange: (step: StepForm) => void; onMove: (to: number) => void; onDuplicate: () => void; onRemove: () => void;
  onDragStart: () => void; onDragEnd: () => void;
}) {
  const { t } = useI18n();
  const set = (patch: Partial<StepForm>) => onChange({ ...step, ...patch });
  const id = `step-${step.key}`;
  const n = index + 1;
  const problems = stepProblems(step);
  const undefinedHere = variableReport(steps, signIn, data).flatMap((v) => v.undefinedUses.filter((u) => u.step === index).map(() => v.name));
  const keys = (e: KeyboardEvent) => {
    if (!e.altKey || (e.key !== "ArrowUp" && e.key !== "ArrowDown")) return;
    e.preventDefault();
    onMove(e.key === "ArrowUp" ? index - 1 : index + 1);
  };
  return (
    <fieldset class="jstep" aria-labelledby={`${id}-title`} onKeyDown={keys}>
      <div class="jstep-head">
        <button type="button" class="icon jstep-handle" draggable aria-label={t("journey.handle", { name: step.name, n, total: count })}
          aria-keyshortcuts="Alt+ArrowUp Alt+ArrowDown"
          onDragStart={(e) => { e.dataTransfer?.setData("text/plain", step.name); onDragStart(); }} onDragEnd={onDragEnd}>⠿</button>
        <span class="jstep-number" aria-hidden="true">{n}</span>
        <h4 id={`${id}-title`}><span class="sr-only">{t("journey.stepN", { n })} </span>{step.name}
          <span class="jstep-endpoint"><Method method={step.endpoint.method} /> <code>{step.endpoint.path}</code></span></h4>
        <div class="jstep-actions">
          <button type="button" class="icon" aria-label={t("journey.up", { name: step.name })} disabled={index === 0} onClick={() => onMove(index - 1)}>↑</button>
          <button type="button" class="icon" aria-label={t("journey.down", { name: step.name })} disabled={index === count - 1} onClick={() => onMove(index + 1)}>↓</button>
          <button type="button" class="icon" aria-label={t("journey.duplicate", { name: step.name })} title={t("journey.duplicateShort")} onClick={onDuplicate}><CopyIcon /></button>
          <button type="button" class="icon danger-text" aria-label={t("journey.remove", { name: step.name })} title={t("delete")} onClick={onRemove}>×</button>
        </div>
      </div>
      <div class="form-grid">
        <label>{t("journey.stepName")}<input name="step_name" value={step.name} required maxLength={100} onInput={(e) => set({ name: e.currentTarget.value })} /></label>
        <label>{t("journey.thinkTime")}<input name="step_think_time" type="number" min="0" step="any" value={step.think_time}
          onInput={(e) => set({ think_time: e.currentTarget.value })} /></label>
      </div>
      {undefinedHere.length > 0 && <p class="hint bad" role="alert">⚠ {t("variables.undefinedHere", { names: [...new Set(undefinedHere)].join(", ") })}</p>}
      <details class="jstep-request" open={index === count - 1 || undefined}>
        <summary>{t("journey.request")}</summary>
        <RequestFields form={step} id={id} onChange={set} />
      </details>
      <StepRules step={step} id={id} onChange={set} />
      {problems.length > 0 && <p class="hint bad" role="alert">⚠ {problems.map((p) => t(p.startsWith("extract") ? "journey.extractIncomplete" : "journey.checkIncomplete", { n: p.split(":")[1]! })).join(" ")}</p>}
    </fieldset>
  );
}

/** Two overlapping sheets: the fonts a browser has do not all draw "⧉". */
function CopyIcon() {
  return <svg width="15" height="15" viewBox="0 0 16 16" fill="none" stroke="currentColor" stroke-width="1.6" aria-hidden="true">
    <rect x="5" y="5" width="9" height="9" rx="1.5" /><path d="M11 5V3.5A1.5 1.5 0 0 0 9.5 2h-6A1.5 1.5 0 0 0 2 3.5v6A1.5 1.5 0 0 0 3.5 11H5" /></svg>;
}
