// One typed client for the gateway's HTTP API (same origin). Types come from schema.d.ts,
// generated from the gateway's OpenAPI document (scripts/web.sh types). Every request goes
// through `request`, the one place a session cookie or a CSRF header will be added.
import { csrfToken } from "../lib/auth";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];

/** A failed request: the HTTP status and what the server said (`detail`), in plain words. */
export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly detail?: unknown, readonly retryAfter?: number) {
    super(message);
  }
}

/** A 401 anywhere (but a failed sign-in) asks for the login page; the shell sets the handler. */
let unauthorized: () => void = () => {};
export function onUnauthorized(handler: () => void): void { unauthorized = handler; }

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/** pydantic's "String should match pattern '<regex>'" shows the grammar, not the rule: a user
 *  reads words instead (a k6 duration, or a form the field does not take). */
export function plainMessage(loc: string, msg: string): string {
  if (!/should match pattern/i.test(msg)) return msg;
  return /(duration|time_unit|start_time)$/.test(loc) || msg.includes("ms|s|m|h")
    ? "must be a duration like 30s, 5m or 1h30m" : "is not in a form this field takes";
}

/** FastAPI answers `{"detail": "..."}`, or for a 422 a list of `{loc, msg}`: make it a sentence. */
export function describeDetail(detail: unknown): string | null {
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    return detail
      .map((item) => {
        if (item && typeof item === "object" && "msg" in item) {
          const loc = Array.isArray(item.loc) ? item.loc.filter((p: unknown) => p !== "body").join(".") : "";
          const msg = plainMessage(loc, String(item.msg));
          return loc ? `${loc}: ${msg}` : msg;
        }
        return JSON.stringify(item);
      })
      .join("; ");
  }
  if (detail && typeof detail === "object") return JSON.stringify(detail);
  return null;
}

type Query = Record<string, string | number | boolean | null | undefined>;

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== null && value !== undefined && value !== "") params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** ``file``: a body sent as its bytes with its own type (an upload), not as JSON. */
type Options = { query?: Query; body?: unknown; signal?: AbortSignal; text?: boolean; file?: { body: Blob; type: string } };

export async function request<T>(method: string, path: string, options: Options = {}): Promise<T> {
  const response = await send(method, path, options);
  if (response.status === 204) return undefined as T;
  return (options.text ? await response.text() : await response.json()) as T;
}

/** A page of a list whose total (all pages) comes in the X-Total-Count header. */
export async function requestPage<T>(path: string, query: Query): Promise<{ items: T[]; total: number }> {
  const response = await send("GET", path, { query });
  const items = (await response.json()) as T[];
  const total = Number(response.headers.get("X-Total-Count"));
  return { items, total: Number.isFinite(total) ? total : items.length };
}

async function send(method: string, path: string, options: Options): Promise<Response> {
  const headers: Record<string, string> = { Accept: options.text ? "text/plain" : "application/json" };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (options.file) headers["Content-Type"] = options.file.type;
  const csrf = SAFE.has(method) ? null : csrfToken();
  if (csrf) headers["X-CSRF-Token"] = csrf; // a write signed in by cookie repeats the CSRF cookie
  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), {
      method, headers, signal: options.signal, credentials: "same-origin",
      body: options.file ? options.file.body : options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch (error) {
    if ((error as Error).name === "AbortError") throw error;
    throw new ApiError(0, `${method} ${path}: the gateway could not be reached`);
  }
  if (!response.ok) {
    let detail: unknown;
    try { detail = (await response.json()).detail; } catch { detail = undefined; }
    const said = describeDetail(detail) ?? response.statusText;
    if (response.status === 401 && path !== "/auth/login") unauthorized();
    const retry = Number(response.headers.get("Retry-After"));
    throw new ApiError(response.status, `${method} ${path} → ${response.status}: ${said}`, detail,
      Number.isFinite(retry) && retry > 0 ? retry : undefined);
  }
  return response;
}

/** GET / (public): every part's health; its 503 carries the same body. null: no gateway. */
async function health(): Promise<Schemas["Health"] | null> {
  try {
    const response = await fetch("/", { headers: { Accept: "application/json" }, credentials: "same-origin" });
    return response.status === 200 || response.status === 503 ? await response.json() : null;
  } catch {
    return null;
  }
}

type Get<P extends keyof paths> = paths[P] extends { get: { responses: { 200: { content: { "application/json": infer R } } } } } ? R : never;

export type ScriptVersionRead = Schemas["ScriptVersionRead"];
export type OwnScriptRunCreate = Schemas["OwnScriptRunCreate"];
export type PostmanPreview = Schemas["PostmanPreview"];
export type ProjectRead = Schemas["ProjectRead"];
export type SpecRead = Schemas["SpecRead"];
export type SpecDetail = Schemas["SpecDetail"];
export type EndpointRead = Schemas["EndpointRead"];
export type AnalysisRead = Schemas["AnalysisRead"];
export type TestListItem = Schemas["TestListItem"];
export type TestDetails = Schemas["TestDetailsRead"];
export type ScenarioRead = Schemas["ScenarioRead"];
export type Figures = Schemas["Figures"];
export type LoadTestCreate = Schemas["LoadTestCreate"];
export type ScenarioCreate = Schemas["ScenarioCreate"];
export type LoadTestCreated = Schemas["LoadTestCreated"];
export type JobRead = Schemas["JobRead"];
export type ProjectTrend = Schemas["ProjectTrend"];
export type RunComparison = Schemas["RunComparison"];
export type LiveMessage = Schemas["LiveMessage"];
export type LiveSummary = Schemas["LiveSummary"];
export type RunnerRead = Schemas["RunnerRead"];
export type LiveSnapshot = Schemas["LiveSnapshot"];
export type PodLive = Schemas["PodLive"];
export type ResourcePoint = Schemas["ResourcePoint"];
export type ProjectTestPage = Get<"/test-history/projects/{project_id}">;
export type TestAnalysis = Schemas["Analysis"];
export type Finding = Schemas["Finding"];
export type Comparison = Schemas["Comparison"];
export type PlanRead = Schemas["PlanRead"];
export type DataFileRead = Schemas["DataFileRead"];
export type PlanWrite = Schemas["PlanWrite"];
export type ScheduleRead = Schemas["ScheduleRead"];
export type ScheduleWrite = Schemas["ScheduleWrite"];
export type SchedulePreview = Schemas["SchedulePreview"];
export type TriggerRead = Schemas["TriggerRead"];
export type TriggerCreated = Schemas["TriggerCreated"];
export type PlanTrend = Schemas["PlanTrend"];
export type MetricsMode = Schemas["MetricsMode"];
export type PercentileSource = Schemas["PercentileSource"];
export type Me = Schemas["Me"];
export type Permission = Schemas["Permission"];
/** What GET /test-history/{id}/series answers. Response times in ms, error_rate a fraction. */
export type StoredSeries = Schemas["TestSeriesRead"];

// Backend facts the UI needs before any answer, generated from the contracts.
export { BUILT_IN_VARIABLES, GENERATED_VALUES, HISTOGRAM_ERROR_BOUND, SECRET_MASK, SECRET_NAME, TOKEN_VARIABLE, VARIABLE_NAME, VARIABLE_REFERENCE } from "./facts";
export type DiscoveredServer = Schemas["DiscoveredServerRead"];
export type ChannelRead = Schemas["ChannelRead"];
export type ChannelWrite = Schemas["ChannelWrite"];
export type DeliveryRead = Schemas["DeliveryRead"];
export type Storage = Schemas["Storage"];
export type StepCreate = Schemas["StepCreate"];
export type StepSuggestion = Schemas["StepSuggestion"];
export type Extraction = Schemas["Extraction"];
export type StepCheck = NonNullable<StepCreate["checks"]>[number];
export type SignInCreate = NonNullable<Schemas["ScenarioCreate"]["sign_in"]>;
export type SecurityScheme = Schemas["SecurityScheme"];

/** null when the server answers 404 (nothing stored yet), the error otherwise. */
async function orNull<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

const ENDPOINT_PAGE = 1000; // the route's largest limit

/** Every endpoint of a project, page after page (a large API has more than one page). */
async function allEndpoints(projectId: number): Promise<EndpointRead[]> {
  const all: EndpointRead[] = [];
  for (let offset = 0; ; offset += ENDPOINT_PAGE) {
    const page = await request<EndpointRead[]>("GET", "/endpoint",
      { query: { project_id: projectId, limit: ENDPOINT_PAGE, offset } });
    all.push(...page);
    if (page.length < ENDPOINT_PAGE) return all;
  }
}

export const api = {
  /** Who is signed in; null when the gateway has no auth (404). */
  me: () => orNull(request<Me>("GET", "/auth/me")),
  login: (username: string, password: string) => request<Me>("POST", "/auth/login", { body: { username, password } }),
  logout: () => request<void>("POST", "/auth/logout"),
  /** A page of projects, newest first, whose title contains `q` (any case), with the total. */
  projectPage: (query: { q?: string; offset: number; limit: number }) =>
    requestPage<ProjectRead>("/project", { ...query, order: "newest" }),
  health,
  project: (id: number) => request<ProjectRead>("GET", `/project/${id}`),
  createProject: (body: Schemas["ProjectCreate"]) => request<ProjectRead>("POST", "/project", { body }),
  deleteProject: (id: number) => request<void>("DELETE", `/project/${id}`),
  specs: (projectId: number) => request<SpecRead[]>("GET", "/openapi", { query: { project_id: projectId } }),
  spec: (id: number) => request<SpecDetail>("GET", `/openapi/${id}`),
  deleteSpec: (id: number) => request<void>("DELETE", `/openapi/${id}`),
  analyse: (body: Schemas["AnalyseRequest"]) =>
    request<AnalysisRead>("POST", "/openapi/analyze", { body, query: { wait: false } }),
  analysis: (id: string) => request<AnalysisRead>("GET", `/openapi/analyses/${id}`),
  /** Servers found in the Kubernetes namespace this project is named after. */
  servers: (projectId: number) => request<DiscoveredServer[]>("GET", `/project/${projectId}/servers`),
  endpoints: allEndpoints,
  /** Next steps a journey builder offers: the document's links and POST → /{id} pairs. */
  suggestions: (projectId: number) =>
    request<StepSuggestion[]>("GET", "/endpoint/suggestions", { query: { project_id: projectId } }),
  board: (limit = 30) => request<TestListItem[]>("GET", "/test-history/simple", { query: { limit } }),
  jobs: () => request<JobRead[]>("GET", "/scheduler/jobs"),
  projectTests: (projectId: number, query: Query = {}) =>
    request<ProjectTestPage>("GET", `/test-history/projects/${projectId}`, { query }),
  details: (historyId: number) => request<TestDetails>("GET", `/test-history/${historyId}/details`),
  trend: (projectId: number) => request<ProjectTrend>("GET", `/test-history/projects/${projectId}/trend`),
  compare: (base: number, other: number) =>
    request<RunComparison>("GET", "/test-history/compare", { query: { base, other } }),
  startTest: (body: LoadTestCreate) => request<LoadTestCreated>("POST", "/load-testing", { body }),
  cancelTest: (testId: string) => request<Schemas["CancelAccepted"]>("POST", `/load-testing/${testId}/cancel`),
  /** The stored per-second series; null when the test has none stored (404). */
  series: (historyId: number) => orNull(request<StoredSeries>("GET", `/test-history/${historyId}/series`)),
  /** Each journey's figures per step and its checks; null before the summary is in. */
  steps: (historyId: number) =>
    orNull(request<Record<string, Schemas["JourneyRead"]>>("GET", `/test-history/${historyId}/steps`)),
  /** The findings and the verdict against the baseline; null before the test is analysed. */
  testAnalysis: (historyId: number) => orNull(request<TestAnalysis>("GET", `/test-history/${historyId}/analysis`)),
  reanalyse: (historyId: number) => request<TestAnalysis>("POST", `/test-history/${historyId}/analysis`),
  /** The analysis thresholds' defaults and whether a written summary can be asked for. */
  analysisSettings: () => request<Schemas["AnalysisSettingsRead"]>("GET", "/analysis/settings"),
  markBaseline: (historyId: number) => request<void>("PUT", `/test-history/${historyId}/baseline`),
  narrative: (historyId: number, lang: "en" | "ko") =>
    request<TestAnalysis>("POST", `/test-history/${historyId}/narrative`, { query: { lang } }),
  /** The exact k6 script the request would run (a 422 names what is wrong with it). */
  preview: (body: LoadTestCreate) => request<string>("POST", "/load-testing/preview", { body, text: true }),
  plans: (projectId: number) => request<PlanRead[]>("GET", "/plans", { query: { project_id: projectId } }),
  dataFiles: (projectId: number) => request<DataFileRead[]>("GET", "/data-files", { query: { project_id: projectId } }),
  uploadDataFile: (projectId: number, file: File) => request<DataFileRead>("POST", "/data-files", {
    query: { project_id: projectId, name: file.name, format: /\.json$/i.test(file.name) ? "json" : "csv" },
    file: { body: file, type: "application/octet-stream" },
  }),
  deleteDataFile: (id: number) => request<void>("DELETE", `/data-files/${id}`),
  plan: (id: number) => request<PlanRead>("GET", `/plans/${id}`),
  createPlan: (body: PlanWrite) => request<PlanRead>("POST", "/plans", { body }),
  replacePlan: (id: number, body: PlanWrite) => request<PlanRead>("PUT", `/plans/${id}`, { body }),
  deletePlan: (id: number) => request<void>("DELETE", `/plans/${id}`),
  runPlan: (id: number) => request<LoadTestCreated>("POST", `/plans/${id}/run`),
  channels: (projectId: number) => request<ChannelRead[]>("GET", `/project/${projectId}/channels`),
  createChannel: (projectId: number, body: ChannelWrite) =>
    request<ChannelRead>("POST", `/project/${projectId}/channels`, { body }),
  deleteChannel: (projectId: number, id: number) => request<void>("DELETE", `/project/${projectId}/channels/${id}`),
  /** Sends one message now and answers how it went (it is in the log too). */
  testChannel: (projectId: number, id: number) =>
    request<DeliveryRead>("POST", `/project/${projectId}/channels/${id}/test`),
  deliveries: (projectId: number, id: number) =>
    request<DeliveryRead[]>("GET", `/project/${projectId}/channels/${id}/deliveries`),
  ownScripts: (projectId: number) => request<ScriptVersionRead[]>("GET", `/project/${projectId}/scripts`),
  /** The next version of ``name``, once k6 has read it (its refusal: an ApiError with the line). */
  uploadOwnScript: (projectId: number, name: string, body: Blob, type: string, entry?: string) =>
    request<ScriptVersionRead>("POST", `/project/${projectId}/scripts/${encodeURIComponent(name)}`,
      { file: { body, type }, query: { entry } }),
  /** One file of a stored version, as text. */
  ownScriptFile: (scriptId: number, path: string) =>
    request<string>("GET", `/scripts/${scriptId}/files/${path.split("/").map(encodeURIComponent).join("/")}`, { text: true }),
  runOwnScript: (body: OwnScriptRunCreate) => request<LoadTestCreated>("POST", "/load-testing/own-script", { body }),
  /** What a Postman collection (and environment), as the files' text, becomes: nothing is saved. */
  importPostman: (projectId: number, body: Schemas["PostmanImport"]) =>
    request<PostmanPreview>("POST", `/project/${projectId}/import/postman`, { body }),
  /** Points in InfluxDB per project, counted now (admins). */
  storage: (projectId?: number) => request<Storage>("GET", "/storage", { query: { project_id: projectId } }),
  schedules: (projectId: number) => request<ScheduleRead[]>("GET", "/schedules", { query: { project_id: projectId } }),
  schedule: (planId: number) => orNull(request<ScheduleRead>("GET", `/plans/${planId}/schedule`)),
  setSchedule: (planId: number, body: ScheduleWrite) => request<ScheduleRead>("PUT", `/plans/${planId}/schedule`, { body }),
  pauseSchedule: (planId: number, paused: boolean) =>
    request<ScheduleRead>("POST", `/plans/${planId}/schedule/${paused ? "pause" : "resume"}`),
  deleteSchedule: (planId: number) => request<void>("DELETE", `/plans/${planId}/schedule`),
  previewSchedule: (query: { cron?: string; timezone: string; every_hours?: number }) =>
    request<SchedulePreview>("GET", "/schedules/preview", { query }),
  triggers: (planId: number) => request<TriggerRead[]>("GET", `/plans/${planId}/triggers`),
  createTrigger: (planId: number, name: string) => request<TriggerCreated>("POST", `/plans/${planId}/triggers`, { body: { name } }),
  revokeTrigger: (planId: number, id: number) => request<void>("DELETE", `/plans/${planId}/triggers/${id}`),
  planTrend: (planId: number, limit = 20) => request<PlanTrend>("GET", `/plans/${planId}/trend`, { query: { limit } }),
  script: (testId: string) => request<string>("GET", `/load-testing/${testId}/script`, { text: true }),
};

/** Reports are plain links: HTML opens in a tab, JUnit is saved by the browser. */
export const reportLinks = {
  html: (historyId: number, lang: "en" | "ko") => `/test-history/${historyId}/report.html?lang=${lang}`,
  junit: (historyId: number) => `/test-history/${historyId}/report.junit.xml`,
};
