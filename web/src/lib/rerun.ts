// "Edit and run again": a finished test back in the builder. The stored test has the
// endpoints, executors, stages, think times and targets; the exact request (VUs, durations,
// parameters, body) is added when this browser started the test.
import type { EndpointRead, LoadTestCreate, ScenarioCreate, TestDetails } from "../api/client";
import { type KeyValue, type ScenarioForm, newScenario, switchExecutor } from "./scenario";
import { stepsFromCreate } from "./journey";
import { signInForm } from "./signin";

const text = (value: number | string | null | undefined): string | undefined =>
  value === null || value === undefined ? undefined : String(value);

/** What formsFromRun reads of a stored test (a saved plan's request gives the same). */
type StoredScenario = TestDetails["scenarios"][number];
type StoredScenarios = { scenarios: (Pick<StoredScenario, "endpoint_id" | "name" | "executor" | "think_time"
  | "response_time_target" | "error_rate_target"> & { stages: { duration: string; target: number }[] })[] };

/** A saved plan back in the builder: its request is the whole test, nothing to guess. */
export function formsFromPlan(request: LoadTestCreate, endpoints: EndpointRead[]): ScenarioForm[] {
  const scenarios = request.scenarios.map((s) => ({ endpoint_id: s.endpoint_id ?? null, name: s.name, executor: s.executor,
    stages: s.stages ?? [], think_time: s.think_time, response_time_target: s.response_time_target?.max_ms ?? null,
    error_rate_target: s.error_rate_target ?? null }));
  return formsFromRun({ scenarios }, endpoints, request);
}

/** Pairs with their secret marks (names compared as the server does: headers case-blind). */
export function marked(values: Record<string, string>, secret: string[] = []): KeyValue[] {
  const names = new Set(secret.map((n) => n.toLowerCase()));
  return Object.entries(values).map(([key, value]) => ({ key, value, secret: names.has(key.toLowerCase()) }));
}

export function formsFromRun(test: StoredScenarios, endpoints: EndpointRead[], request?: LoadTestCreate | null): ScenarioForm[] {
  const byId = new Map(endpoints.map((e) => [e.id, e]));
  const sent = new Map((request?.scenarios ?? []).map((s) => [s.name, s]));
  const taken = new Set<string>();
  const forms: ScenarioForm[] = [];
  for (const stored of test.scenarios) {
    const exact: Partial<ScenarioCreate> = sent.get(stored.name) ?? {};
    // A journey is stored without an endpoint of its own: its steps come from what was sent.
    const steps = stepsFromCreate(exact.steps ?? [], endpoints);
    const endpoint = stored.endpoint_id ? byId.get(stored.endpoint_id) : steps[0]?.endpoint;
    if (!endpoint) continue; // its spec was deleted or re-analysed without it
    const executor = stored.executor as ScenarioForm["executor"];
    // The executor's own defaults first (a ramping start of 0), then what was sent.
    const form = { ...newScenario(endpoint, taken), ...switchExecutor(executor) };
    const merged: ScenarioForm = {
      ...form,
      name: stored.name,
      executor,
      stages: stored.stages.length ? stored.stages.map((s) => ({ duration: s.duration, target: s.target })) : form.stages,
      think_time: text(stored.think_time) ?? form.think_time,
      rt_max_ms: text(stored.response_time_target) ?? "",
      error_rate_percent: stored.error_rate_target === null || stored.error_rate_target === undefined ? "" : String(stored.error_rate_target * 100),
      vus: text(exact.vus) ?? form.vus,
      duration: text(exact.duration) ?? form.duration,
      rate: text(exact.rate) ?? form.rate,
      time_unit: text(exact.time_unit) ?? form.time_unit,
      pre_allocated_vus: text(exact.pre_allocated_vus) ?? form.pre_allocated_vus,
      max_vus: text(exact.max_vus) ?? form.max_vus,
      iterations: text(exact.iterations) ?? form.iterations,
      start_time: text(exact.start_time) ?? form.start_time,
      rt_percentile: text(exact.response_time_target?.percentile) ?? form.rt_percentile,
      path_params: { ...form.path_params, ...(exact.path_params ?? {}) },
      query: exact.query ? marked(exact.query, exact.secrets?.query) : form.query,
      headers: exact.headers ? marked(exact.headers, exact.secrets?.headers) : form.headers,
      body: exact.body === undefined || exact.body === null ? form.body : JSON.stringify(exact.body, null, 2),
      secret_body: (exact.secrets?.body ?? []).join(", "),
      steps,
      sign_in: exact.sign_in ? signInForm(exact.sign_in, endpoints) : null,
      check_target: exact.check_target === null || exact.check_target === undefined ? "" : String(exact.check_target * 100),
      data: exact.data ? { file_id: exact.data.file_id, mode: exact.data.mode ?? "per_iteration" } : null,
    };
    taken.add(merged.name);
    forms.push(merged);
  }
  return forms;
}

/** Titles that more than one listed run carries. A run again and a plan's runs keep their title
 *  (the previous run of the same title is the default baseline), so a list tells them apart by
 *  their start time instead: "2 minutes ago" twice would read as one row shown twice. */
export function repeatedTitles(tests: readonly { title: string }[]): Set<string> {
  const seen = new Set<string>(), repeated = new Set<string>();
  for (const { title } of tests) (seen.has(title) ? repeated : seen).add(title);
  return repeated;
}
