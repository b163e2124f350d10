// What k6 (and the API in front of it) would refuse in a scenario of the builder, found before
// Start so the user reads it next to the field instead of as a 422 after it.
import { type Key } from "../i18n";
import { en } from "../i18n/messages";
import { EXECUTOR_FIELDS, type Field, REQUIRED_FIELDS, type ScenarioForm } from "./scenario";
import { type ShapeInput, loadShape, parseDuration, shapeUnit } from "./stages";

/** One thing wrong: in which scenario, which field (a stage counts from 1), and what. */
export interface Problem {
  scenario: string;
  executor: ScenarioForm["executor"];
  field: Field | "start_time" | "stage_duration" | "stage_target";
  stage?: number;
  kind: "duration" | "required" | "min";
  limit?: number;
}

const COUNTS = ["vus", "rate", "pre_allocated_vus", "max_vus", "iterations"] as const;

/** A ramping start may be zero (k6 starts there); every other count is a whole number ≥ 1. */
export const countFloor = (field: Field, executor: ScenarioForm["executor"]): number =>
  (field === "vus" && executor === "ramping-vus") || (field === "rate" && executor === "ramping-arrival-rate") ? 0 : 1;

/** Every problem of one scenario, in the order its fields are shown. */
export function checkScenario(form: ScenarioForm): Problem[] {
  const scenario = form.name, executor = form.executor;
  const fields = new Set(EXECUTOR_FIELDS[form.executor]);
  const required = new Set(REQUIRED_FIELDS[form.executor]);
  const problems: Problem[] = [];
  for (const field of COUNTS) {
    if (!fields.has(field)) continue;
    const text = form[field].trim();
    const floor = countFloor(field, form.executor);
    if (text === "") {
      if (required.has(field)) problems.push({ scenario, executor, field, kind: "required" });
    } else if (!Number.isInteger(Number(text)) || Number(text) < floor) {
      problems.push({ scenario, executor, field, kind: "min", limit: floor });
    }
  }
  const duration = (field: "duration" | "time_unit" | "start_time", text: string, needed: boolean) => {
    const seconds = text.trim() === "" ? null : parseDuration(text);
    if (text.trim() === "") { if (needed) problems.push({ scenario, executor, field, kind: "required" }); }
    else if (seconds === null || (needed && seconds <= 0)) problems.push({ scenario, executor, field, kind: "duration" });
  };
  if (fields.has("duration")) duration("duration", form.duration, required.has("duration"));
  if (fields.has("time_unit")) duration("time_unit", form.time_unit, false);
  duration("start_time", form.start_time, false);
  if (fields.has("stages")) {
    if (form.stages.length === 0) problems.push({ scenario, executor, field: "stages", kind: "required" });
    form.stages.forEach((stage, i) => {
      if (parseDuration(stage.duration) === null) problems.push({ scenario, executor, field: "stage_duration", stage: i + 1, kind: "duration" });
      if (!Number.isInteger(stage.target) || stage.target < 0) problems.push({ scenario, executor, field: "stage_target", stage: i + 1, kind: "min", limit: 0 });
    });
  }
  return problems;
}

export const checkScenarios = (forms: ScenarioForm[]): Problem[] => forms.flatMap(checkScenario);

/** Whether a scenario's executor draws a planned shape it cannot draw now (a field is wrong):
 *  shown as not drawn, never silently left out. Iteration executors have no shape at all. */
export const shapeBroken = (input: ShapeInput): boolean => shapeUnit(input.executor) !== null && loadShape(input) === null;

type Translate = (key: Key, vars?: Record<string, string | number>) => string;

/** A field's label as the form shows it (some executors read a field differently). */
export function fieldLabel(field: Problem["field"], executor: Problem["executor"], t: Translate, stage = 0): string {
  switch (field) {
    case "stage_duration": return t("stages.durationOf", { n: stage });
    case "stage_target": return t("stages.targetOf", { n: stage });
    case "start_time": return t("field.startTime");
    case "stages": return t("stages.title");
    case "duration": return executor.endsWith("iterations") ? t("field.maxDuration") : t("field.duration");
    default: {
      const special = `field.${field}.${executor}`;
      return special in en ? t(special as Key) : t(`field.${field}` as Key);
    }
  }
}

/** The problem in words, scenario and field named; never the grammar's regular expression. */
export const problemText = (p: Problem, t: Translate): string =>
  t(`problem.${p.kind}`, { scenario: p.scenario, field: fieldLabel(p.field, p.executor, t, p.stage), limit: p.limit ?? 0 });
