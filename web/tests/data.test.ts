import { describe, expect, it } from "vitest";
import type { DataFileRead, EndpointRead, TestDetails } from "../src/api/client";
import { dataColumns, dataGone, uniqueTwice } from "../src/lib/data";
import { newStep } from "../src/lib/journey";
import { journeyProblems } from "../src/lib/journeycheck";
import { formsFromPlan, formsFromRun } from "../src/lib/rerun";
import { newScenario, toScenarioCreate } from "../src/lib/scenario";
import { variableReport } from "../src/lib/variables";

const create: EndpointRead = { id: 2, spec_id: 1, method: "POST", path: "/vault/items", operation_id: null, summary: null,
  description: null, deprecated: false, removed: false, tags: [], security: [], parameters: [], request_body: null };
const skus: DataFileRead = { id: 7, project_id: 1, name: "skus.csv", format: "csv", columns: ["sku", "name"], row_count: 3,
  size_bytes: 40, preview: [["a", "키보드"]], created_at: "2026-12-07T00:00:00Z" } as DataFileRead;

const withData = () => {
  const step = { ...newStep(create, []), body: '{"sku": "{{sku}}", "name": "{{nope}}"}' };
  return { ...newScenario(create, new Set()), name: "가입", steps: [step], data: { file_id: 7, mode: "unique" as const } };
};

describe("a scenario's test data", () => {
  it("gives its columns as variables, listed before any step uses them, never flagged unused", () => {
    const report = variableReport(withData().steps, null, dataColumns(withData().data, [skus]));
    const by = Object.fromEntries(report.map((v) => [v.name, v]));
    expect(by.sku).toMatchObject({ origin: { kind: "data", file: "skus.csv" }, uses: [{ step: 0, field: "body" }], undefinedUses: [], unused: false });
    expect(by.name).toMatchObject({ origin: { kind: "data", file: "skus.csv" }, uses: [], unused: false });
    expect(by.nope!.undefinedUses).toHaveLength(1); // an unknown variable is still flagged
  });
  it("is flagged when its file is gone, and its columns are then unknown", () => {
    expect(dataGone(withData().data, [skus])).toBe(false);
    expect(dataGone(withData().data, [])).toBe(true);
    expect(dataGone(null, [])).toBe(false);
    expect(journeyProblems(withData(), [skus]).map((p) => p.vars.names)).toEqual(["nope"]);
    expect(journeyProblems(withData(), []).map((p) => p.key)).toEqual(["journey.problem.dataGone", "journey.problem.undefined"]);
  });
  it("defines what a single request uses, checked as the gateway checks it: a journey of one step", () => {
    const single = { ...newScenario(create, new Set()), name: "단건", body: '{"sku": "{{sku}}"}', data: { file_id: 7, mode: "per_iteration" as const } };
    expect(journeyProblems(single, [skus])).toEqual([]);
    expect(journeyProblems({ ...single, data: null }, [skus])).toEqual([{ key: "journey.problem.undefinedRequest", vars: { names: "sku" } }]);
    expect(journeyProblems({ ...single, data: null, body: '{"id": "{{$uuid}}"}' }, [])).toEqual([]);
  });
  it("is sent as the scenario's data, and comes back in edit and run again and from a saved plan", () => {
    expect(toScenarioCreate(newScenario(create, new Set())).data).toBeNull();
    const request = { title: "t", scenarios: [toScenarioCreate(withData())] };
    expect(request.scenarios[0]!.data).toEqual({ file_id: 7, mode: "unique" });
    const stored = { id: 1, title: "t", scenarios: [{ id: 1, name: "가입", endpoint_id: null, endpoint: null, executor: "constant-vus",
      think_time: 1, response_time_target: null, error_rate_target: null, stages: [], figures: {} }] } as unknown as TestDetails;
    for (const forms of [formsFromRun(stored, [create], request as never), formsFromPlan(request as never, [create])]) {
      expect(forms[0]!.data).toEqual({ file_id: 7, mode: "unique" });
    }
  });
});

describe("a data file in unique mode", () => {
  it("is taken by one scenario only: a second is named", () => {
    const use = (name: string, file_id: number, mode: "unique" | "random") => ({ name, data: { file_id, mode } });
    expect(uniqueTwice([use("a", 7, "unique"), use("b", 7, "random"), use("c", 8, "unique"), use("d", 7, "unique"),
      { name: "e", data: null }])).toEqual(["d"]);
  });
});
