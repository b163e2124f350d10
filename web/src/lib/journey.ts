// A journey in the builder: ordered steps, each a request of the project with its extractions
// (values of its answer kept in variables) and checks; moved, duplicated and removed as a list;
// the form turned into the API's steps and back, and a suggested next step applied.
import type { EndpointRead, Extraction, StepCheck, StepCreate, StepSuggestion } from "../api/client";
import { type KeyValue, type RequestForm, newRequest, requestFromCall, toCall } from "./scenario";

export type Source = Extraction["source"];
export const SOURCES: Source[] = ["json", "header", "regex"];
export type CheckKind = StepCheck["kind"];
export const CHECK_KINDS: CheckKind[] = ["status_in", "json_equals", "json_exists", "body_contains", "header_present", "duration_under"];

export interface ExtractionForm { variable: string; source: Source; expression: string }
/** One check as typed: `value` is the statuses ("200, 201"), the expected JSON value, the text,
 *  the header's name or the milliseconds, by kind; `path` the JSON path of the json_* kinds. */
export interface CheckForm { kind: CheckKind; path: string; value: string }

export interface StepForm extends RequestForm {
  /** Stable across moves, for list keys and focus; never sent. */
  key: number;
  name: string;
  think_time: string;
  extract: ExtractionForm[];
  checks: CheckForm[];
}

let nextKey = 1;
const VERBS: Record<string, string> = { POST: "create", PUT: "update", PATCH: "update", DELETE: "delete" };

/** A step name from the endpoint: create, read, list, update, delete, made unique. */
export function stepName(endpoint: { method: string; path: string }, taken: string[]): string {
  const verb = VERBS[endpoint.method] ?? (endpoint.method === "GET" ? (/\}\/?$/.test(endpoint.path) ? "read" : "list") : endpoint.method.toLowerCase());
  return unique(verb, taken);
}

function unique(base: string, taken: string[]): string {
  let name = base;
  for (let n = 2; taken.includes(name); n++) name = `${base}_${n}`;
  return name;
}

export function newStep(endpoint: EndpointRead, taken: string[]): StepForm {
  return { ...newRequest(endpoint), key: nextKey++, name: stepName(endpoint, taken), think_time: "0",
    extract: [], checks: [{ kind: "status_in", path: "", value: endpoint.method === "POST" ? "200, 201" : endpoint.method === "DELETE" ? "200, 204" : "200" }] };
}

/** The list with the step at `from` moved to `to` (both clamped). */
export function moveStep<T>(steps: T[], from: number, to: number): T[] {
  const target = Math.max(0, Math.min(steps.length - 1, to));
  if (from === target || from < 0 || from >= steps.length) return steps;
  const copy = [...steps];
  const [moved] = copy.splice(from, 1);
  copy.splice(target, 0, moved!);
  return copy;
}

/** A copy of the step right after it, under a new name. */
export function duplicateStep(steps: StepForm[], index: number): StepForm[] {
  const step = steps[index];
  if (!step) return steps;
  const copy: StepForm = { ...JSON.parse(JSON.stringify(step)) as StepForm, endpoint: step.endpoint, key: nextKey++,
    name: unique(`${step.name}_copy`, steps.map((s) => s.name)) };
  return [...steps.slice(0, index + 1), copy, ...steps.slice(index + 1)];
}

export const EMPTY_CHECK: Record<CheckKind, CheckForm> = {
  status_in: { kind: "status_in", path: "", value: "200" },
  json_equals: { kind: "json_equals", path: "", value: "" },
  json_exists: { kind: "json_exists", path: "", value: "" },
  body_contains: { kind: "body_contains", path: "", value: "" },
  header_present: { kind: "header_present", path: "", value: "" },
  duration_under: { kind: "duration_under", path: "", value: "500" },
};

/** The JSON value typed for json_equals: JSON when it reads as JSON ("42", "true", "\"a\""),
 *  else the text itself. */
const jsonValue = (text: string): unknown => { try { return JSON.parse(text); } catch { return text; } };

/** A check as the API takes it, or null while it is incomplete. */
export function toCheck(form: CheckForm): StepCheck | null {
  const value = form.value.trim(), path = form.path.trim();
  switch (form.kind) {
    case "status_in": {
      const statuses = value.split(/[\s,]+/).filter(Boolean).map(Number);
      return statuses.length && statuses.every((s) => Number.isInteger(s) && s >= 100 && s <= 599) ? { kind: "status_in", statuses } : null;
    }
    case "json_equals": return path ? { kind: "json_equals", path, value: jsonValue(form.value) } : null;
    case "json_exists": return path ? { kind: "json_exists", path } : null;
    case "body_contains": return form.value ? { kind: "body_contains", text: form.value } : null;
    case "header_present": return value ? { kind: "header_present", header: value } : null;
    case "duration_under": return Number(value) > 0 ? { kind: "duration_under", max_ms: Number(value) } : null;
  }
}

export function checkForm(check: StepCheck): CheckForm {
  switch (check.kind) {
    case "status_in": return { kind: check.kind, path: "", value: check.statuses.join(", ") };
    case "json_equals": return { kind: check.kind, path: check.path, value: typeof check.value === "string" ? check.value : JSON.stringify(check.value) };
    case "json_exists": return { kind: check.kind, path: check.path, value: "" };
    case "body_contains": return { kind: check.kind, path: "", value: check.text };
    case "header_present": return { kind: check.kind, path: "", value: check.header };
    case "duration_under": return { kind: check.kind, path: "", value: String(check.max_ms) };
  }
}

/** What keeps a step from being sent: `extract:<n>` or `check:<n>` (1-based) incomplete. */
export function stepProblems(step: StepForm): string[] {
  return [
    ...step.extract.flatMap((e, i) => (e.variable.trim() && e.expression.trim() ? [] : [`extract:${i + 1}`])),
    ...step.checks.flatMap((c, i) => (toCheck(c) ? [] : [`check:${i + 1}`])),
  ];
}

export function toStepCreate(step: StepForm): StepCreate {
  return {
    name: step.name.trim(), endpoint_id: step.endpoint.id, think_time: Number(step.think_time) || 0,
    ...toCall(step),
    extract: step.extract.map((e) => ({ variable: e.variable.trim(), source: e.source, expression: e.expression.trim() })),
    checks: step.checks.map(toCheck).filter((c): c is StepCheck => c !== null),
  };
}

/** Steps sent before (a plan, or this browser's last run) back in the form; a step whose
 *  endpoint is gone is left out. */
export function stepsFromCreate(steps: StepCreate[], endpoints: EndpointRead[]): StepForm[] {
  const byId = new Map(endpoints.map((e) => [e.id, e]));
  return steps.flatMap((s) => {
    const endpoint = byId.get(s.endpoint_id);
    if (!endpoint) return [];
    return [{ ...requestFromCall(endpoint, s), key: nextKey++, name: s.name, think_time: String(s.think_time ?? 0),
      extract: (s.extract ?? []).map((e) => ({ ...e })), checks: (s.checks ?? []).map(checkForm) }];
  });
}

/** The suggestion applied after step `from`: its extractions added to that step (once), the
 *  suggested endpoint inserted as the next step with the values that use them. */
export function applySuggestion(steps: StepForm[], from: number, suggestion: StepSuggestion, endpoints: EndpointRead[]): StepForm[] {
  const source = steps[from];
  const target = endpoints.find((e) => e.id === suggestion.to_endpoint_id);
  if (!source || !target) return steps;
  const have = new Set(source.extract.map((e) => e.variable));
  const extended: StepForm = { ...source, extract: [...source.extract, ...suggestion.extract.filter((e) => !have.has(e.variable)).map((e) => ({ ...e }))] };
  const step = newStep(target, steps.map((s) => s.name));
  const pairs = (values: Record<string, string> | undefined, into: KeyValue[]): KeyValue[] =>
    [...into.filter((p) => !(p.key in (values ?? {}))), ...Object.entries(values ?? {}).map(([key, value]) => ({ key, value }))];
  const next: StepForm = { ...step, path_params: { ...step.path_params, ...suggestion.path_params },
    query: pairs(suggestion.query, step.query), headers: pairs(suggestion.headers, step.headers) };
  return [...steps.slice(0, from), extended, next, ...steps.slice(from + 1)];
}

/** The suggestions that follow a step of `endpointId`, the ones already taken (the very next
 *  step is the suggested endpoint) left out. */
export function suggestionsAfter(all: StepSuggestion[], steps: StepForm[], index: number): StepSuggestion[] {
  const step = steps[index];
  if (!step) return [];
  const next = steps[index + 1]?.endpoint.id;
  return all.filter((s) => s.from_endpoint_id === step.endpoint.id && s.to_endpoint_id !== next);
}
