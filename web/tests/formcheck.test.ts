import { describe, expect, it } from "vitest";
import type { EndpointRead } from "../src/api/client";
import { describeDetail } from "../src/api/client";
import { translate } from "../src/i18n";
import { checkScenario, problemText, shapeBroken } from "../src/lib/formcheck";
import { type ScenarioForm, newScenario, shapeOf, switchExecutor } from "../src/lib/scenario";
import { testPlannedSeconds } from "../src/lib/stages";

const endpoint = { id: 1, spec_id: 1, method: "GET", path: "/checkout", operation_id: null, summary: null, description: null,
  deprecated: false, removed: false, tags: [], security: [], parameters: [], request_body: null } as unknown as EndpointRead;
const form = (over: Partial<ScenarioForm> = {}): ScenarioForm => ({ ...newScenario(endpoint, new Set()), name: "checkout", ...over });
const en = (key: Parameters<typeof translate>[1], vars?: Record<string, string | number>) => translate("en", key, vars);
const ko = (key: Parameters<typeof translate>[1], vars?: Record<string, string | number>) => translate("ko", key, vars);

describe("the builder's checks", () => {
  it("pass the defaults of every executor", () => {
    for (const executor of ["constant-vus", "ramping-vus", "constant-arrival-rate", "ramping-arrival-rate", "per-vu-iterations", "shared-iterations"] as const) {
      expect(checkScenario(form(switchExecutor(executor))), executor).toEqual([]);
    }
  });
  it("refuse a duration k6 would refuse, in words naming scenario and field", () => {
    const problems = checkScenario(form({ duration: "ten seconds" }));
    expect(problems).toHaveLength(1);
    const text = problemText(problems[0]!, en);
    expect(text).toBe("Scenario 'checkout': Duration must be like 30s, 5m or 1h30m");
    expect(text).not.toMatch(/[\\^$]/);
    expect(problemText(problems[0]!, ko)).toContain("시나리오 'checkout'");
  });
  it("refuse an empty required field, a bad stage, a bad start time and a count below its floor", () => {
    expect(checkScenario(form({ duration: "" })).map((p) => p.kind)).toEqual(["required"]);
    expect(checkScenario(form({ duration: "0s" })).map((p) => p.kind)).toEqual(["duration"]);
    expect(checkScenario(form({ start_time: "soon" }))[0]).toMatchObject({ field: "start_time", kind: "duration" });
    expect(checkScenario(form({ vus: "0" }))[0]).toMatchObject({ field: "vus", kind: "min", limit: 1 });
    expect(checkScenario(form({ vus: "2.5" }))[0]).toMatchObject({ field: "vus", kind: "min" });
    const ramp = form({ ...switchExecutor("ramping-vus"), stages: [{ duration: "10s", target: 5 }, { duration: "abc", target: 5 }] });
    const [problem] = checkScenario(ramp);
    expect(problem).toMatchObject({ field: "stage_duration", stage: 2 });
    expect(problemText(problem!, en)).toBe("Scenario 'checkout': Duration of stage 2 must be like 30s, 5m or 1h30m");
    expect(checkScenario({ ...ramp, stages: [] })[0]).toMatchObject({ field: "stages", kind: "required" });
    // The optional targets and the iteration executors' max duration may stay empty.
    expect(checkScenario(form({ ...switchExecutor("shared-iterations"), duration: "" }))).toEqual([]);
  });
  it("keep an invalid scenario visible in the shape and the planned duration unknown", () => {
    const good = form({ name: "browse" }), bad = form({ duration: "ten seconds" });
    expect(shapeBroken(shapeOf(bad))).toBe(true);
    expect(shapeBroken(shapeOf(good))).toBe(false);
    // Iteration executors have no shape by nature: not "broken".
    expect(shapeBroken(shapeOf(form(switchExecutor("per-vu-iterations"))))).toBe(false);
    // An empty constant duration no longer borrows the hidden stages' 35 s.
    expect(shapeBroken(shapeOf(form({ duration: "" })))).toBe(true);
    expect(testPlannedSeconds([shapeOf(good)])).toBe(30);
    expect(shapeBroken(shapeOf(form({ start_time: "later" })))).toBe(true);
  });
});

describe("the client's error words", () => {
  it("never show pydantic's regular expression", () => {
    const said = describeDetail([{ loc: ["body", "scenarios", 0, "duration"],
      msg: "String should match pattern '^(\\d+(\\.\\d+)?(ms|s|m|h))+$'" }]);
    expect(said).toBe("scenarios.0.duration: must be a duration like 30s, 5m or 1h30m");
    expect(describeDetail([{ loc: ["body", "name"], msg: "String should match pattern '^[a-z]+$'" }]))
      .toBe("name: is not in a form this field takes");
  });
});
