// A journey's steps: each step a card (moved by its buttons, Alt+↑/↓ on it, or dragged by its
// handle; duplicated; removed), the suggested next steps under each one, a step added from any
// endpoint of the project, and the variables panel beside them.
import { useRef, useState } from "preact/hooks";
import { useI18n } from "../i18n";
import { dataColumns } from "../lib/data";
import { applySuggestion, duplicateStep, moveStep, newStep, suggestionsAfter, type StepForm } from "../lib/journey";
import type { ScenarioForm } from "../lib/scenario";
import type { ProjectParts } from "./ScenarioEditor";
import { StepCard } from "./StepCard";
import { Suggestions } from "./Suggestions";
import { VariablesPanel } from "./VariablesPanel";

export function JourneyEditor({ form, project, onChange }: {
  form: ScenarioForm; project: ProjectParts; onChange: (patch: Partial<ScenarioForm>) => void;
}) {
  const { t } = useI18n();
  const [adding, setAdding] = useState("");
  const [said, setSaid] = useState("");
  const [dragged, setDragged] = useState<number | null>(null);
  const list = useRef<HTMLOListElement>(null);
  const steps = form.steps;
  const data = dataColumns(form.data, project.dataFiles);
  const setSteps = (next: StepForm[]) => onChange({ steps: next });
  const focusStep = (key: number) => requestAnimationFrame(() =>
    list.current?.querySelector<HTMLElement>(`[data-step-key="${key}"] .jstep-handle`)?.focus());

  const move = (from: number, to: number) => {
    const step = steps[from];
    const next = moveStep(steps, from, to);
    if (!step || next === steps) return;
    setSteps(next);
    setSaid(t("journey.moved", { name: step.name, n: next.indexOf(step) + 1, total: next.length }));
    focusStep(step.key);
  };
  const remove = (index: number) => {
    const step = steps[index];
    if (!step) return;
    const next = steps.filter((_, i) => i !== index);
    // The last step goes: the scenario sends its own request again.
    onChange(next.length ? { steps: next } : { steps: [] });
    setSaid(t("journey.removed", { name: step.name }));
  };
  const add = () => {
    const endpoint = project.endpoints.find((e) => String(e.id) === adding);
    if (!endpoint) return;
    const step = newStep(endpoint, steps.map((s) => s.name));
    setSteps([...steps, step]);
    setAdding("");
    focusStep(step.key);
  };

  return (
    <div class="journey">
      <div class="journey-main">
        <h3 class="journey-title">{t("journey.steps")}</h3>
        <p class="hint">{t("journey.keys")}</p>
        <ol class="jsteps" ref={list}>
          {steps.map((step, i) => (
            <li key={step.key} data-step-key={step.key} class={dragged === i ? "dragging" : undefined}
              onDragOver={(e) => { if (dragged !== null) e.preventDefault(); }}
              onDrop={(e) => { e.preventDefault(); if (dragged !== null) move(dragged, i); setDragged(null); }}>
              <StepCard step={step} index={i} count={steps.length} steps={steps} signIn={form.sign_in} data={data}
                onChange={(s) => setSteps(steps.map((x, j) => (j === i ? s : x)))}
                onMove={(to) => move(i, to)} onDuplicate={() => setSteps(duplicateStep(steps, i))} onRemove={() => remove(i)}
                onDragStart={() => setDragged(i)} onDragEnd={() => setDragged(null)} />
              <Suggestions step={step} suggestions={suggestionsAfter(project.suggestions, steps, i)} endpoints={project.endpoints}
                onApply={(s) => { const next = applySuggestion(steps, i, s, project.endpoints); setSteps(next); focusStep(next[i + 1]!.key); }} />
            </li>
          ))}
        </ol>
        <div class="add-step">
          <label>{t("journey.addStep")}
            <select name="add_step" value={adding} onChange={(e) => setAdding(e.currentTarget.value)}>
              <option value="">{t("journey.pickEndpoint")}</option>
              {project.endpoints.filter((e) => !e.removed).map((e) => (
                <option key={e.id} value={e.id}>{e.method} {e.path}{e.summary ? ` — ${e.summary}` : ""}</option>
              ))}
            </select></label>
          <button type="button" class="secondary" disabled={!adding} onClick={add}>{t("journey.add")}</button>
        </div>
        <p class="sr-only" role="status" aria-live="polite">{said}</p>
      </div>
      <VariablesPanel steps={steps} signIn={form.sign_in} data={data} />
    </div>
  );
}
