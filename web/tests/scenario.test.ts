import { describe, expect, it } from "vitest";
import type { EndpointRead } from "../src/api/client";
import { describeDetail } from "../src/api/client";
import { filterEndpoints, tagCounts } from "../src/lib/endpoints";
import { EXECUTORS, EXECUTOR_FIELDS, REQUIRED_FIELDS, checkBody, exampleBody, newScenario, parameterExample, whereOf, scenarioName, toScenarioCreate } from "../src/lib/scenario";
import { verdicts } from "../src/lib/targets";
import { withoutSecrets } from "../src/lib/plans";

const endpoint = (over: Partial<EndpointRead> = {}): EndpointRead => ({
  id: 7, spec_id: 1, method: "POST", path: "/items/{item_id}", operation_id: null, summary: "Create", description: null,
  deprecated: false, removed: false, tags: ["items"], security: [],
  parameters: [{ name: "item_id", location: "path", required: true, schema: { type: "integer" }, example: 0 },
    { name: "page", location: "query", required: true, schema: { type: "integer", minimum: 1, default: 3 } },
    { name: "q", location: "query", required: false, schema: { type: "string" } }],
  request_body: { required: true, schema: { type: "object", required: ["name"], properties: { name: { type: "string", example: "키보드" }, price: { type: "number" } } } },
  ...over,
});

describe("executors", () => {
  it("show every field k6 requires of them", () => {
    for (const executor of EXECUTORS) for (const field of REQUIRED_FIELDS[executor]) expect(EXECUTOR_FIELDS[executor]).toContain(field);
  });
  it("send only the fields of the chosen executor", () => {
    const form = { ...newScenario(endpoint(), new Set()), executor: "constant-arrival-rate" as const };
    const body = toScenarioCreate(form);
    expect(body).toMatchObject({ executor: "constant-arrival-rate", rate: 10, duration: "30s", pre_allocated_vus: 10, stages: [], vus: null, iterations: null });
    const ramping = toScenarioCreate({ ...form, executor: "ramping-vus" });
    expect(ramping.stages).toHaveLength(3);
    expect(ramping.duration).toBeNull();
    expect(ramping.vus).toBe(5);
    // k6 starts ramping executors from 0; the API's counts start at 1, so 0 goes as none.
    expect(toScenarioCreate({ ...form, executor: "ramping-vus", vus: "0" }).vus).toBeNull();
    expect(toScenarioCreate({ ...form, executor: "ramping-arrival-rate", rate: "0" }).rate).toBeNull();
  });
  it("turn targets into the API's units (percent → fraction)", () => {
    const body = toScenarioCreate({ ...newScenario(endpoint(), new Set()), rt_max_ms: "300", rt_percentile: "99", error_rate_percent: "1.5" });
    expect(body.response_time_target).toEqual({ max_ms: 300, percentile: 99 });
    expect(body.error_rate_target).toBeCloseTo(0.015);
  });
});

describe("scenario defaults", () => {
  it("names scenarios after method and path, uniquely", () => {
    expect(scenarioName({ method: "GET", path: "/items/{item_id}" })).toBe("get_items_by_item_id");
    expect(scenarioName({ method: "GET", path: "/items" }, new Set(["get_items"]))).toBe("get_items_2");
  });
  it("pre-fills path parameters and the body from the spec", () => {
    const form = newScenario(endpoint(), new Set());
    expect(form.path_params).toEqual({ item_id: "1" }); // not the analyser's generic 0
    expect(form.query).toEqual([{ key: "page", value: "3" }]); // required ones only
    expect(JSON.parse(form.body)).toEqual({ name: "키보드", price: 0 });
  });
  it("starts parameters from the schema's example, else a valid number", () => {
    expect(parameterExample({ name: "a", schema: { type: "integer", examples: [42] }, example: 0 })).toBe("42");
    expect(parameterExample({ name: "a", schema: { type: "integer", minimum: 10 }, example: 0 })).toBe("10");
    expect(parameterExample({ name: "a", schema: { type: "integer" }, example: 7 })).toBe("7");
    expect(parameterExample({ name: "a", schema: { type: "string" }, example: "abc" })).toBe("abc");
    expect(whereOf({ name: "a", in: "header" })).toBe("header");
  });
  it("prefers the spec's own example", () => {
    expect(exampleBody({ example: { a: 1 } })).toEqual({ a: 1 });
    expect(exampleBody({ examples: { first: { value: { b: 2 } } } })).toEqual({ b: 2 });
    expect(exampleBody(null)).toBeUndefined();
  });
  it("checks a body against the top of its schema", () => {
    const rb = endpoint().request_body as Record<string, unknown>;
    expect(checkBody('{"name": "x"}', rb)).toEqual([]);
    expect(checkBody('{"price": 1}', rb)).toEqual(["missing:body.name"]);
    expect(checkBody("[1]", rb)).toEqual(["type:body:object"]);
    expect(checkBody('{"name": 3, "price": "free"}', rb)).toEqual(["type:body.name:string", "type:body.price:number"]);
    expect(checkBody("{oops", rb)[0]).toMatch(/^json:/);
    expect(checkBody("", rb)).toEqual(["required"]);
  });
});

describe("body against a nested schema", () => {
  const rb = { schema: { type: "object", required: ["customer", "lines"], properties: {
    customer: { type: "string", minLength: 1, maxLength: 5 },
    status: { enum: ["new", "paid"] },
    note: { anyOf: [{ type: "string" }, { type: "null" }] },
    lines: { type: "array", items: { type: "object", required: ["quantity"], properties: {
      quantity: { type: "integer", minimum: 1, maximum: 100 } } } } } } };
  it("accepts what the schema allows, nulls of anyOf included", () => {
    expect(checkBody('{"customer": "홍길동", "note": null, "status": "paid", "lines": [{"quantity": 2}]}', rb)).toEqual([]);
  });
  it("names where each problem is", () => {
    expect(checkBody('{"customer": "", "status": "lost", "note": 5, "lines": [{"quantity": 0}, {}]}', rb)).toEqual([
      "minLength:body.customer:1", "enum:body.status:\"new\", \"paid\"", "type:body.note:string|null",
      "min:body.lines[0].quantity:1", "missing:body.lines[1].quantity"]);
  });
});

describe("endpoint search", () => {
  const many = Array.from({ length: 1200 }, (_, i) => endpoint({ id: i, method: i % 2 ? "GET" : "POST", path: `/r${i}/items`, tags: [i % 3 ? "a" : "b"], summary: i === 42 ? "Find the answer" : null }));
  it("matches every word in path, summary and tags, with tag and method filters", () => {
    expect(filterEndpoints(many, { text: "answer", tag: "", method: "" }).map((e) => e.id)).toEqual([42]);
    expect(filterEndpoints(many, { text: "r1 items", tag: "", method: "GET" }).every((e) => e.method === "GET")).toBe(true);
    expect(filterEndpoints(many, { text: "", tag: "b", method: "" }).length).toBe(400);
  });
  it("counts tags, most used first", () => {
    expect(tagCounts(many)).toEqual([["a", 800], ["b", 400]]);
  });
});

describe("targets", () => {
  it("are met, missed, or not measured", () => {
    const figures = { p95_response_time: 120, avg_error_rate: 0.02, avg_tps: 50 };
    expect(verdicts(figures, { responseTimeMs: 100, errorRate: 0.05, tps: 40 }).map((v) => v.met)).toEqual([false, true, true]);
    expect(verdicts({}, { responseTimeMs: 100 })[0]!.met).toBeNull();
  });
});

describe("the API client", () => {
  it("turns FastAPI's 422 detail into one sentence naming the fields", () => {
    expect(describeDetail([{ loc: ["body", "scenarios", 0, "duration"], msg: "String should match pattern" }]))
      .toBe("scenarios.0.duration: must be a duration like 30s, 5m or 1h30m");
    expect(describeDetail("Project 9 not found")).toBe("Project 9 not found");
    expect(describeDetail(undefined)).toBeNull();
  });
  it("never keeps secret header values", () => {
    const request = { title: "t", headers: { Authorization: "Bearer x", "X-Trace": "1" },
      scenarios: [{ name: "a", endpoint_id: 1, headers: { Authorization: "Bearer y" } }] };
    const kept = withoutSecrets(request as never, new Set(["Authorization"]));
    expect(kept.headers).toEqual({ "X-Trace": "1" });
    expect(kept.scenarios[0]!.headers).toEqual({});
  });
});
