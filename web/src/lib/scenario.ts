// The test builder's model: which fields each k6 executor takes, defaults that run, the
// request body pre-filled from the spec's examples, and the form turned into the API's body.
import type { EndpointRead, ScenarioCreate, StepCreate } from "../api/client";
import type { DataChoice } from "./data";
import { type SignInForm, toSignIn } from "./signin";
import { type StepForm, toStepCreate } from "./journey";
import { looksSecret, parsePaths } from "./secrets";
import type { Executor, ShapeInput, Stage } from "./stages";

export const EXECUTORS: Executor[] = ["constant-vus", "ramping-vus", "constant-arrival-rate",
  "ramping-arrival-rate", "per-vu-iterations", "shared-iterations"];

export type Field = "vus" | "duration" | "stages" | "rate" | "time_unit" | "pre_allocated_vus"
  | "max_vus" | "iterations";

/** The fields each executor shows, as k6 reads them (what the runner's generator passes on).
 *  On ramping-vus `vus` is the start; on ramping-arrival-rate `rate` is the start rate; on the
 *  iteration executors `duration` is the longest they may run (maxDuration). */
export const EXECUTOR_FIELDS: Record<Executor, Field[]> = {
  "constant-vus": ["vus", "duration"],
  "ramping-vus": ["vus", "stages"],
  "constant-arrival-rate": ["rate", "time_unit", "duration", "pre_allocated_vus", "max_vus"],
  "ramping-arrival-rate": ["rate", "time_unit", "stages", "pre_allocated_vus", "max_vus"],
  "per-vu-iterations": ["vus", "iterations", "duration"],
  "shared-iterations": ["vus", "iterations", "duration"],
};

/** The fields k6 refuses to run without (mirrors the contracts' REQUIRED_OPTIONS). */
export const REQUIRED_FIELDS: Record<Executor, Field[]> = {
  "constant-vus": ["duration"],
  "ramping-vus": ["stages"],
  "constant-arrival-rate": ["rate", "duration", "pre_allocated_vus"],
  "ramping-arrival-rate": ["stages", "pre_allocated_vus"],
  "per-vu-iterations": ["iterations"],
  "shared-iterations": ["iterations"],
};

export interface KeyValue { key: string; value: string; secret?: boolean }

/** One request as the form holds it: a scenario's, a journey step's or a login's. */
export interface RequestForm {
  endpoint: EndpointRead;
  path_params: Record<string, string>;
  query: KeyValue[];
  headers: KeyValue[];
  body: string;
  /** Body fields marked secret, dotted and comma-separated: "password, user.pin". */
  secret_body: string;
}

export interface ScenarioForm extends RequestForm {
  name: string;
  executor: Executor;
  vus: string; duration: string; rate: string; time_unit: string;
  pre_allocated_vus: string; max_vus: string; iterations: string; start_time: string;
  stages: Stage[];
  think_time: string;
  rt_max_ms: string; rt_percentile: string; error_rate_percent: string;
  /** A journey's steps; none: the scenario sends its own request. */
  steps: StepForm[];
  sign_in: SignInForm | null;
  /** The lowest pass rate of the scenario's checks, in percent; empty: none. */
  check_target: string;
  /** The data file whose rows feed its requests, and how; none: no test data. */
  data: DataChoice | null;
}

/** A k6 scenario name: letters, digits and underscores, from the method and path. */
export function scenarioName(endpoint: { method: string; path: string }, taken: Set<string> = new Set()): string {
  const base = `${endpoint.method.toLowerCase()}_${endpoint.path}`
    .replace(/\{([^}]+)\}/g, "by_$1").replace(/[^A-Za-z0-9]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 60) || "scenario";
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
  return name;
}

type Json = unknown;

/** A body to start from: the spec's example if it has one, else one made from the schema. */
export function exampleBody(requestBody: Record<string, Json> | null | undefined): Json {
  if (!requestBody) return undefined;
  for (const key of ["example", "examples"]) {
    const found = requestBody[key];
    if (found !== undefined && found !== null) {
      if (key === "examples" && typeof found === "object") {
        const first = Array.isArray(found) ? found[0] : Object.values(found as object)[0];
        return first && typeof first === "object" && "value" in first ? (first as { value: Json }).value : first;
      }
      return found;
    }
  }
  const schema = (requestBody.schema ?? requestBody) as Record<string, Json>;
  return fromSchema(schema, 0);
}

function fromSchema(schema: Record<string, Json> | undefined, depth: number): Json {
  if (!schema || typeof schema !== "object" || depth > 6) return null;
  if (schema.example !== undefined) return schema.example;
  if (Array.isArray(schema.examples) && schema.examples.length) return schema.examples[0];
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  const variants = (schema.oneOf ?? schema.anyOf) as Record<string, Json>[] | undefined;
  if (Array.isArray(variants) && variants.length) {
    return fromSchema(variants.find((v) => v.type !== "null") ?? variants[0], depth + 1);
  }
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  switch (type) {
    case "object": {
      const properties = (schema.properties ?? {}) as Record<string, Record<string, Json>>;
      return Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, fromSchema(v, depth + 1)]));
    }
    case "array": return [fromSchema(schema.items as Record<string, Json>, depth + 1)];
    case "integer": return 0;
    case "number": return 0;
    case "boolean": return false;
    case "string": return schema.format === "date-time" ? new Date(0).toISOString() : "string";
    default: return schema.properties ? fromSchema({ ...schema, type: "object" }, depth) : null;
  }
}

/** Problems of a JSON body against its schema, each `kind:where[:detail]`: unreadable JSON,
 *  a missing required property, a wrong type, a value outside its enum or bounds. The common
 *  JSON Schema keywords only; an empty list means the body looks right. */
export function checkBody(text: string, requestBody: Record<string, Json> | null | undefined): string[] {
  if (!text.trim()) return requestBody?.required ? ["required"] : [];
  let value: Json;
  try { value = JSON.parse(text); } catch (error) { return [`json:${(error as Error).message}`]; }
  const schema = (requestBody?.schema ?? null) as Schema | null;
  return schema ? validate(value, schema, "body").slice(0, 5) : [];
}

type Schema = Record<string, Json>;

function typeOf(value: Json): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function validate(value: Json, schema: Schema, where: string, depth = 0): string[] {
  if (depth > 20 || typeof schema !== "object" || schema === null) return [];
  const variants = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (Array.isArray(variants) && variants.length) {
    const results = variants.map((v) => validate(value, v, where, depth + 1));
    if (results.some((r) => r.length === 0)) return [];
    // Every variant refused the type alone: say which types would do (string|null).
    const prefix = `type:${where}:`;
    if (results.every((r) => r.length === 1 && r[0]!.startsWith(prefix))) {
      return [prefix + results.map((r) => r[0]!.slice(prefix.length)).join("|")];
    }
    return results.sort((a, b) => a.length - b.length)[0]!;
  }
  const types = (Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : []) as string[];
  const actual = typeOf(value);
  if (types.length && !types.includes(actual) && !(actual === "integer" && types.includes("number"))
    && !(value === null && schema.nullable === true)) {
    return [`type:${where}:${types.join("|")}`];
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    return [`enum:${where}:${schema.enum.map((e) => JSON.stringify(e)).join(", ")}`];
  }
  const problems: string[] = [];
  if (typeof value === "number") {
    if (typeof schema.minimum === "number" && value < schema.minimum) problems.push(`min:${where}:${schema.minimum}`);
    if (typeof schema.maximum === "number" && value > schema.maximum) problems.push(`max:${where}:${schema.maximum}`);
  }
  if (typeof value === "string") {
    if (typeof schema.minLength === "number" && value.length < schema.minLength) problems.push(`minLength:${where}:${schema.minLength}`);
    if (typeof schema.maxLength === "number" && value.length > schema.maxLength) problems.push(`maxLength:${where}:${schema.maxLength}`);
  }
  if (actual === "object") {
    const object = value as Record<string, Json>;
    for (const name of (schema.required ?? []) as string[]) if (!(name in object)) problems.push(`missing:${where}.${name}`);
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const [name, child] of Object.entries(object)) {
      if (properties[name]) problems.push(...validate(child, properties[name]!, `${where}.${name}`, depth + 1));
    }
  }
  if (Array.isArray(value) && schema.items && typeof schema.items === "object") {
    value.forEach((item, i) => problems.push(...validate(item, schema.items as Schema, `${where}[${i}]`, depth + 1)));
  }
  return problems;
}

export interface Parameter {
  name: string; location?: string; in?: string; required?: boolean; example?: Json; schema?: Record<string, Json>;
}

/** Where a parameter goes: the analyser says `location`, raw OpenAPI says `in`. */
export const whereOf = (p: Parameter): string => p.location ?? p.in ?? "query";

/** A value to start from: the schema's own example first. The analyser's generic example of an
 *  integer is 0, and an id of 0 rarely exists, so numbers start at the schema's minimum or 1. */
export function parameterExample(param: Parameter): string {
  const schema = param.schema ?? {};
  const own = schema.example ?? (Array.isArray(schema.examples) ? schema.examples[0] : undefined) ?? schema.default;
  if (own !== undefined && own !== null) return String(own);
  if (schema.type === "integer" || schema.type === "number") {
    const floor = typeof schema.minimum === "number" ? schema.minimum : 1;
    return String(Math.max(Number(param.example ?? floor) || floor, floor));
  }
  return param.example === undefined || param.example === null ? "" : String(param.example);
}

/** The endpoint's request pre-filled from the spec: path parameters, required query, body. */
export function newRequest(endpoint: EndpointRead): RequestForm {
  const params = endpoint.parameters as unknown as Parameter[];
  const pathParams = Object.fromEntries(params.filter((p) => whereOf(p) === "path").map((p) => [p.name, parameterExample(p)]));
  const query = params.filter((p) => whereOf(p) === "query" && p.required).map((p) => ({ key: p.name, value: parameterExample(p) }));
  const body = exampleBody(endpoint.request_body as Record<string, Json> | null);
  return { endpoint, path_params: pathParams, query, headers: [],
    body: body === undefined ? "" : JSON.stringify(body, null, 2), secret_body: "" };
}

type Call = Pick<StepCreate, "path_params" | "query" | "headers" | "body" | "secrets">;

const marks = (values: Record<string, string> | undefined, secret: string[] = []): KeyValue[] => {
  const names = new Set(secret.map((n) => n.toLowerCase()));
  return Object.entries(values ?? {}).map(([key, value]) => ({ key, value, secret: names.has(key.toLowerCase()) }));
};

/** A request sent before back in the form (values the server masked stay masked). */
export function requestFromCall(endpoint: EndpointRead, call: Call): RequestForm {
  const fresh = newRequest(endpoint);
  return { endpoint, path_params: { ...fresh.path_params, ...(call.path_params ?? {}) },
    query: marks(call.query, call.secrets?.query), headers: marks(call.headers, call.secrets?.headers),
    body: call.body === undefined || call.body === null ? "" : JSON.stringify(call.body, null, 2),
    secret_body: (call.secrets?.body ?? []).join(", ") };
}

const pairsOf = (list: KeyValue[]) => Object.fromEntries(list.filter((p) => p.key.trim()).map((p) => [p.key.trim(), p.value]));

/** The request's fields as the API takes them. */
export function toCall(form: RequestForm): Required<Call> {
  return { path_params: form.path_params, query: pairsOf(form.query), headers: pairsOf(form.headers),
    body: form.body.trim() ? JSON.parse(form.body) : null,
    secrets: { headers: secretKeys(form.headers), query: secretKeys(form.query), body: parsePaths(form.secret_body) } };
}

export function newScenario(endpoint: EndpointRead, taken: Set<string>): ScenarioForm {
  const request = newRequest(endpoint);
  return {
    ...request, name: scenarioName(endpoint, taken), executor: "constant-vus",
    vus: "5", duration: "30s", rate: "10", time_unit: "1s", pre_allocated_vus: "10", max_vus: "",
    iterations: "100", start_time: "",
    stages: [{ duration: "10s", target: 5 }, { duration: "20s", target: 5 }, { duration: "5s", target: 0 }],
    think_time: "1", rt_max_ms: "", rt_percentile: "95", error_rate_percent: "",
    steps: [], sign_in: null, check_target: "", data: null,
  };
}

const int = (text: string): number | null => (text.trim() === "" ? null : Math.round(Number(text)));
const num = (text: string): number | null => (text.trim() === "" ? null : Number(text));

/** The names of the pairs marked secret or named like a secret (the server makes those secret anyway). */
export const secretKeys = (list: KeyValue[]): string[] =>
  list.filter((p) => p.key.trim() && (p.secret || looksSecret(p.key))).map((p) => p.key.trim());

/** The form as POST /load-testing's scenario: only the fields the executor takes. */
export function toScenarioCreate(form: ScenarioForm): ScenarioCreate {
  const fields = new Set(EXECUTOR_FIELDS[form.executor]);
  const pick = <T,>(field: Field, value: T | null): T | null => (fields.has(field) ? value : null);
  const rtMax = num(form.rt_max_ms);
  const errorPercent = num(form.error_rate_percent);
  const checkPercent = num(form.check_target);
  const journey = form.steps.length > 0;
  return {
    name: form.name,
    endpoint_id: journey ? null : form.endpoint.id,
    ...(journey ? { steps: form.steps.map(toStepCreate) } : toCall(form)),
    sign_in: form.sign_in ? toSignIn(form.sign_in) : null,
    data: form.data,
    check_target: checkPercent === null ? null : checkPercent / 100,
    executor: form.executor,
    think_time: num(form.think_time) ?? 0,
    stages: fields.has("stages") ? form.stages : [],
    // A ramping start of 0 is sent as "none": the API counts from 1 and k6 starts from 0.
    vus: pick("vus", int(form.vus)) || null,
    duration: pick("duration", form.duration.trim() || null),
    rate: pick("rate", int(form.rate)) || null,
    time_unit: fields.has("time_unit") ? form.time_unit || "1s" : "1s",
    pre_allocated_vus: pick("pre_allocated_vus", int(form.pre_allocated_vus)),
    max_vus: pick("max_vus", int(form.max_vus)),
    iterations: pick("iterations", int(form.iterations)),
    start_time: form.start_time.trim() || null,
    response_time_target: rtMax ? { max_ms: rtMax, percentile: num(form.rt_percentile) ?? 95 } : null,
    error_rate_target: errorPercent === null ? null : errorPercent / 100,
  };
}

/** A change of executor: the start values of the ramping ones begin at zero, as k6's do. */
export function switchExecutor(executor: Executor): Partial<ScenarioForm> {
  switch (executor) {
    case "ramping-vus": return { executor, vus: "0" };
    case "ramping-arrival-rate": return { executor, rate: "0", pre_allocated_vus: "10" };
    case "constant-vus": return { executor, vus: "5" };
    case "constant-arrival-rate": return { executor, rate: "10", pre_allocated_vus: "10" };
    default: return { executor, vus: "5", duration: "" };
  }
}

/** The load shape of a form, for the charts and the planned duration. */
export function shapeOf(form: ScenarioForm): ShapeInput {
  const stages = EXECUTOR_FIELDS[form.executor].includes("stages") ? form.stages : [];
  return { executor: form.executor, stages, vus: Number(form.vus) || 0, duration: form.duration,
    rate: Number(form.rate) || 0, startRate: Number(form.rate) || 0, startTime: form.start_time };
}
