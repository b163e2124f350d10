import { describe, expect, it } from "vitest";
import type { EndpointRead, TestDetails } from "../src/api/client";
import { formsFromPlan, formsFromRun, repeatedTitles } from "../src/lib/rerun";
import { toScenarioCreate } from "../src/lib/scenario";

const endpoint = (id: number, path: string): EndpointRead => ({
  id, spec_id: 1, method: "GET", path, operation_id: null, summary: null, description: null, deprecated: false,
  removed: false, tags: [], security: [], parameters: [], request_body: null,
});

const stored = (id: number, endpointId: number, extra: object = {}) => ({
  id, name: `scenario ${id}`, scenario_tag: `s0${id}`, endpoint_id: endpointId, endpoint: null, executor: "ramping-vus",
  think_time: 0.5, response_time_target: 300, error_rate_target: 0.02, figures: {},
  stages: [{ id: 1, duration: "5s", target: 4 }], ...extra,
});

const test = { id: 9, title: "t", scenarios: [stored(1, 10), stored(2, 99), stored(3, 11, { executor: "constant-vus", stages: [] })] } as unknown as TestDetails;

describe("edit and run again", () => {
  it("brings back what the stored test kept, skipping endpoints that are gone", () => {
    const forms = formsFromRun(test, [endpoint(10, "/a"), endpoint(11, "/b")]);
    expect(forms.map((f) => f.name)).toEqual(["scenario 1", "scenario 3"]);
    const first = toScenarioCreate(forms[0]!);
    expect(first).toMatchObject({ executor: "ramping-vus", think_time: 0.5, stages: [{ duration: "5s", target: 4 }],
      response_time_target: { max_ms: 300, percentile: 95 } });
    expect(first.error_rate_target).toBeCloseTo(0.02);
    expect(first.vus).toBeNull(); // a ramping start of 0: k6's own default
  });
  it("takes the exact request when this browser sent it", () => {
    const request = { title: "t", scenarios: [{ name: "scenario 3", endpoint_id: 11, executor: "constant-vus", vus: 7, duration: "42s",
      query: { q: "키보드" }, body: { a: 1 }, response_time_target: { max_ms: 300, percentile: 99 } }] };
    const forms = formsFromRun(test, [endpoint(10, "/a"), endpoint(11, "/b")], request as never);
    const third = toScenarioCreate(forms[1]!);
    expect(third).toMatchObject({ vus: 7, duration: "42s", query: { q: "키보드" }, body: { a: 1 },
      response_time_target: { max_ms: 300, percentile: 99 } });
  });
});

describe("a saved plan back in the builder", () => {
  it("gives every scenario of the plan's request as it was saved", () => {
    const request = { title: "plan", project_id: 1, headers: {}, scenarios: [
      { name: "ramp", endpoint_id: 10, executor: "ramping-vus", think_time: 0.2, time_unit: "1s",
        stages: [{ duration: "3s", target: 5 }], response_time_target: { max_ms: 250, percentile: 90 }, error_rate_target: 0.05 },
      { name: "gone", endpoint_id: 99, executor: "constant-vus", think_time: 0, time_unit: "1s", vus: 2, duration: "9s" },
    ] };
    const forms = formsFromPlan(request as never, [endpoint(10, "/a")]);
    expect(forms.map((f) => f.name)).toEqual(["ramp"]); // an endpoint no longer there is left out
    const back = toScenarioCreate(forms[0]!);
    expect(back).toMatchObject({ executor: "ramping-vus", think_time: 0.2, stages: [{ duration: "3s", target: 5 }],
      response_time_target: { max_ms: 250, percentile: 90 } });
    expect(back.error_rate_target).toBeCloseTo(0.05);
  });
});

describe("repeatedTitles", () => {
  it("names the titles a list shows more than once (a run again, a plan's runs)", () => {
    const titles = ["Checkout", "Search", "Checkout", "Login", "Checkout"].map((title) => ({ title }));
    expect(repeatedTitles(titles)).toEqual(new Set(["Checkout"]));
    expect(repeatedTitles([])).toEqual(new Set());
  });
});
