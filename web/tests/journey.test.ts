import { describe, expect, it } from "vitest";
import { type EndpointRead, SECRET_MASK, type StepSuggestion, type TestDetails } from "../src/api/client";
import { applySuggestion, checkForm, duplicateStep, moveStep, newStep, stepName, stepsFromCreate, suggestionsAfter, toCheck, toStepCreate } from "../src/lib/journey";
import { journeyProblems } from "../src/lib/journeycheck";
import { withoutSecrets } from "../src/lib/plans";
import { formsFromPlan, formsFromRun } from "../src/lib/rerun";
import { newScenario, toScenarioCreate } from "../src/lib/scenario";
import { emptySignIn, signInForm, signInFromDocument, signInProblems, toSignIn } from "../src/lib/signin";
import { references, signInGivesToken, variableReport } from "../src/lib/variables";

const endpoint = (id: number, method: string, path: string, extra: Partial<EndpointRead> = {}): EndpointRead => ({
  id, spec_id: 1, method, path, operation_id: null, summary: null, description: null, deprecated: false,
  removed: false, tags: [], security: [], parameters: [], request_body: null, ...extra,
});
const bearer = { bearer: { type: "http" as const, scheme: "bearer" } };
const login = endpoint(1, "POST", "/auth/login", { response_fields: ["access_token", "expires_in"],
  request_body: { example: { username: "demo", password: "vault-demo" } } });
const create = endpoint(2, "POST", "/vault/items", { security: [{ bearer: [] }], security_schemes: bearer, response_fields: ["id", "sku"],
  request_body: { example: { name: "키보드", sku: "a" } } });
const read = endpoint(3, "GET", "/vault/items/{item_id}", { security: [{ bearer: [] }], security_schemes: bearer,
  parameters: [{ name: "item_id", location: "path", required: true, schema: { type: "string" }, example: "x" }] });
const remove = endpoint(4, "DELETE", "/vault/items/{item_id}", { parameters: read.parameters });
const endpoints = [login, create, read, remove];
const link: StepSuggestion = { from_endpoint_id: 2, to_endpoint_id: 3, kind: "link", name: "read",
  extract: [{ variable: "item_id", source: "json", expression: "id" }], path_params: { item_id: "{{item_id}}" }, query: {}, headers: {} };

describe("steps", () => {
  it("are named by what they do, uniquely", () => {
    expect(stepName(create, [])).toBe("create");
    expect(stepName(read, [])).toBe("read");
    expect(stepName(endpoint(9, "GET", "/vault/items"), [])).toBe("list");
    expect(stepName(create, ["create", "create_2"])).toBe("create_3");
  });
  it("move by keyboard or drag to any place, clamped at the ends", () => {
    expect(moveStep(["a", "b", "c"], 0, 2)).toEqual(["b", "c", "a"]);
    expect(moveStep(["a", "b", "c"], 2, 1)).toEqual(["a", "c", "b"]);
    const same = ["a", "b"];
    expect(moveStep(same, 0, -1)).toBe(same);
  });
  it("duplicate right after themselves under a new name, with their own copy of every field", () => {
    const steps = [newStep(create, []), newStep(read, ["create"])];
    const copied = duplicateStep(steps, 0);
    expect(copied.map((s) => s.name)).toEqual(["create", "create_copy", "read"]);
    copied[1]!.checks[0]!.value = "418";
    expect(steps[0]!.checks[0]!.value).toBe("200, 201");
    expect(copied[1]!.key).not.toBe(steps[0]!.key);
  });
  it("turn each check kind into the API's check and back", () => {
    const forms = [
      { kind: "status_in" as const, path: "", value: "200, 201" },
      { kind: "json_equals" as const, path: "name", value: "키보드" },
      { kind: "json_equals" as const, path: "version", value: "1" },
      { kind: "json_exists" as const, path: "id", value: "" },
      { kind: "body_contains" as const, path: "", value: "sku" },
      { kind: "header_present" as const, path: "", value: "Location" },
      { kind: "duration_under" as const, path: "", value: "250" },
    ];
    const checks = forms.map(toCheck);
    expect(checks).toEqual([{ kind: "status_in", statuses: [200, 201] }, { kind: "json_equals", path: "name", value: "키보드" },
      { kind: "json_equals", path: "version", value: 1 }, { kind: "json_exists", path: "id" }, { kind: "body_contains", text: "sku" },
      { kind: "header_present", header: "Location" }, { kind: "duration_under", max_ms: 250 }]);
    expect(checks.map((c) => checkForm(c!))).toEqual(forms);
    expect(toCheck({ kind: "status_in", path: "", value: "20x" })).toBeNull();
    expect(toCheck({ kind: "json_exists", path: " ", value: "" })).toBeNull();
  });
});

describe("a suggested next step", () => {
  it("adds the extraction to its step once and the target as the next step, using it", () => {
    const steps = [newStep(create, [])];
    const once = applySuggestion(steps, 0, link, endpoints);
    expect(once.map((s) => s.name)).toEqual(["create", "read"]);
    expect(once[0]!.extract).toEqual([{ variable: "item_id", source: "json", expression: "id" }]);
    expect(once[1]!.path_params).toEqual({ item_id: "{{item_id}}" });
    const pair = { ...link, kind: "pair" as const, to_endpoint_id: 4, name: "id" };
    const twice = applySuggestion(once, 0, pair, endpoints);
    expect(twice.map((s) => s.name)).toEqual(["create", "delete", "read"]);
    expect(twice[0]!.extract).toHaveLength(1);
    expect(suggestionsAfter([link, pair], twice, 0)).toEqual([link]); // the very next step is taken
  });
});

describe("variables", () => {
  it("read the backend's reference syntax", () => {
    expect(references("{{a}}/{{ b_2 }}/{{$vu}}/{{1x}}/{a}")).toEqual(["a", "b_2", "$vu"]);
  });
  it("say where each comes from and is used; unused and undefined ones flagged", () => {
    const first = { ...newStep(create, []), body: '{"sku": "{{$test}}-{{$vu}}-{{$iteration}}", "name": "{{later}}"}',
      extract: [{ variable: "item_id", source: "json" as const, expression: "id" }, { variable: "sku", source: "json" as const, expression: "sku" }] };
    const second = { ...newStep(read, ["create"]), path_params: { item_id: "{{item_id}}" },
      headers: [{ key: "X-Trace", value: "{{token}}" }], extract: [{ variable: "later", source: "header" as const, expression: "ETag" }] };
    const report = variableReport([first, second], emptySignIn("login", login));
    const by = Object.fromEntries(report.map((v) => [v.name, v]));
    expect(by.token).toMatchObject({ origin: { kind: "sign-in" }, uses: [{ step: 1, field: "header:X-Trace" }], unused: false });
    expect(by.$vu).toMatchObject({ origin: { kind: "built-in" }, undefinedUses: [] });
    expect(by.item_id).toMatchObject({ origin: { kind: "step", step: 0 }, uses: [{ step: 1, field: "path:item_id" }], unused: false });
    expect(by.sku!.unused).toBe(true);
    expect(by.later).toMatchObject({ origin: { kind: "step", step: 1 }, undefinedUses: [{ step: 0, field: "body" }], unused: true });
    // Without a sign-in that gives one, {{token}} is undefined.
    expect(variableReport([first, second], emptySignIn("bearer")).find((v) => v.name === "token")?.undefinedUses).toHaveLength(1);
  });
  it("take generated values as built in, arguments and all", () => {
    const step = { ...newStep(create, []), body: '{"id": "{{$uuid}}", "n": "{{$int(1, 5)}}", "x": "{{$nope}}"}' };
    const by = Object.fromEntries(variableReport([step], null).map((v) => [v.name, v]));
    expect(by.$uuid).toMatchObject({ origin: { kind: "built-in" }, undefinedUses: [] });
    expect(by["$int(1, 5)"]).toMatchObject({ origin: { kind: "built-in" }, undefinedUses: [] });
    expect(by.$nope!.undefinedUses).toHaveLength(1);
  });
});

describe("sign-in from the document", () => {
  it("is a login when the scheme is bearer and the project has a sign-in endpoint", () => {
    const form = signInFromDocument([create], endpoints)!;
    expect(form).toMatchObject({ kind: "login", scheme: "bearer", token_expression: "access_token" });
    expect(toSignIn(form)).toMatchObject({ kind: "login", endpoint_id: 1, body: { username: "demo", password: "vault-demo" },
      token: { variable: "token", source: "json", expression: "access_token" }, header: "Authorization", prefix: "Bearer " });
    expect(signInFromDocument([create], [create, read])!.kind).toBe("bearer");
    expect(signInFromDocument([login], endpoints)).toBeNull();
  });
  it("takes an API key's place and name, and an OAuth2 token URL", () => {
    const key = endpoint(5, "GET", "/k", { security_schemes: { k: { type: "apiKey", location: "query", name: "api_key" } } });
    expect(signInFromDocument([key], [])).toMatchObject({ kind: "api_key", location: "query", name: "api_key" });
    const oauth = endpoint(6, "GET", "/o", { security_schemes: { o: { type: "oauth2", flow: "clientCredentials", token_url: "https://id/token" } } });
    expect(signInFromDocument([oauth], [])).toMatchObject({ kind: "oauth2_client_credentials", token_url: "https://id/token" });
    const password = endpoint(7, "GET", "/p", { security_schemes: { p: { type: "oauth2", flow: "password", token_url: "https://id/pw" } } });
    expect(signInFromDocument([password], [])).toMatchObject({ kind: "oauth2_password", token_url: "https://id/pw", scheme: "p" });
  });
  it("takes the OAuth2 password grant's two secrets, the client's optional", () => {
    const form = { ...emptySignIn("oauth2_password"), token_url: " https://id/pw ", username: "kim", secret: "pw", client_id: "shop" };
    expect(signInProblems({ ...form, username: " ", secret: "" })).toEqual(["username", "secret"]);
    expect(toSignIn(form)).toEqual({ kind: "oauth2_password", token_url: "https://id/pw", username: "kim", password: "pw",
      client_id: "shop", client_secret: null, scope: null });
    const sent = { kind: "oauth2_password" as const, token_url: "https://id/pw", username: "kim", password: SECRET_MASK,
      client_id: "shop", client_secret: SECRET_MASK, scope: "read" };
    expect(toSignIn(signInForm(sent, endpoints))).toEqual(sent);
    expect(signInGivesToken(form)).toBe(true);
  });
  it("goes back into the form as it was sent, its masked secret kept masked", () => {
    const sent = { kind: "api_key" as const, location: "header" as const, name: "X-Key", value: "••••••" };
    expect(toSignIn(signInForm(sent, endpoints))).toEqual(sent);
  });
});

describe("a journey scenario", () => {
  const journey = () => {
    const scenario = newScenario(create, new Set());
    const steps = applySuggestion([newStep(create, [])], 0, link, endpoints);
    return { ...scenario, steps, sign_in: signInFromDocument([create], endpoints), check_target: "99" };
  };
  it("is sent as steps without a request of its own", () => {
    const sent = toScenarioCreate(journey());
    expect(sent.endpoint_id).toBeNull();
    expect(sent.body).toBeUndefined();
    expect(sent.steps!.map((s) => [s.name, s.endpoint_id])).toEqual([["create", 2], ["read", 3]]);
    expect(sent.steps![1]!.path_params).toEqual({ item_id: "{{item_id}}" });
    expect(sent.check_target).toBeCloseTo(0.99);
    expect(sent.sign_in?.kind).toBe("login");
    expect(toStepCreate(journey().steps[0]!).extract).toEqual([{ variable: "item_id", source: "json", expression: "id" }]);
  });
  it("says what keeps it from being sent", () => {
    const broken = journey();
    broken.steps[1] = { ...broken.steps[1]!, body: "{", path_params: { item_id: "{{nope}}" }, checks: [{ kind: "status_in", path: "", value: "" }] };
    broken.sign_in = emptySignIn("bearer");
    expect(journeyProblems(broken).map((p) => p.key)).toEqual(["journey.problem.step", "journey.problem.body",
      "journey.problem.undefined", "journey.problem.signIn"]);
    expect(journeyProblems(journey())).toEqual([]);
  });
  it("comes back whole in edit and run again, and from a saved plan", () => {
    const request = { title: "t", scenarios: [toScenarioCreate({ ...journey(), name: "여정" })] };
    const stored = { id: 1, title: "t", scenarios: [{ id: 1, name: "여정", endpoint_id: null, endpoint: null, executor: "constant-vus",
      think_time: 1, response_time_target: null, error_rate_target: null, stages: [], figures: {} }] } as unknown as TestDetails;
    for (const forms of [formsFromRun(stored, endpoints, request as never), formsFromPlan(request as never, endpoints)]) {
      expect(forms).toHaveLength(1);
      const back = toScenarioCreate(forms[0]!);
      expect(back.steps).toEqual(request.scenarios[0]!.steps);
      expect(back.sign_in).toEqual(request.scenarios[0]!.sign_in);
      expect(back.check_target).toBeCloseTo(0.99);
    }
  });
  it("keeps no secret of its steps or sign-in in this browser", () => {
    const scenario = toScenarioCreate(journey());
    scenario.steps![1]!.headers = { "X-Api-Key": "K3Y", "X-Plain": "p" };
    const kept = withoutSecrets({ title: "t", scenarios: [scenario, { ...scenario, sign_in: { kind: "bearer", token: "T0K" } }] } as never, new Set());
    const text = JSON.stringify(kept);
    for (const secret of ["K3Y", "T0K", "vault-demo"]) expect(text).not.toContain(secret);
    expect(text).toContain("X-Plain");
  });
});

describe("stored steps", () => {
  it("whose endpoint is gone are left out", () => {
    expect(stepsFromCreate([{ name: "x", endpoint_id: 99, think_time: 0 }, { name: "y", endpoint_id: 3, think_time: 2 }], endpoints)
      .map((s) => [s.name, s.think_time])).toEqual([["y", "2"]]);
  });
});
