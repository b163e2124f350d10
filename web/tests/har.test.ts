import { describe, expect, it } from "vitest";
import type { EndpointRead, Schemas } from "../src/api/client";
import { harScenario } from "../src/components/HarImport";
import { toScenarioCreate } from "../src/lib/scenario";

const endpoint = (id: number, method: string, path: string): EndpointRead => ({
  id, spec_id: 1, method, path, operation_id: null, summary: null, description: null, deprecated: false,
  removed: false, tags: [], security: [], parameters: [], request_body: null,
});
const endpoints = [endpoint(1, "POST", "/auth/login"), endpoint(3, "GET", "/vault/items/{item_id}")];

const step = (entry: number, name: string, endpointId: number, extra: object = {}) => ({
  entry, method: name.split(" ")[0]!, url: "http://demo" + name.split(" ")[1], status: 200,
  step: { name, endpoint_id: endpointId, path_params: {}, query: {}, headers: {}, body: null,
    secrets: { headers: [], query: [], body: [] }, think_time: 0.5, extract: [], checks: [], ...extra },
});

const preview = {
  main_host: "demo", base_url: "http://demo", entries: 3, hosts: { demo: 3 }, skipped: [], correlations: [],
  secrets_to_fill: [], notes: [],
  steps: [
    step(0, "POST /auth/login", 1, { body: { username: "demo" }, extract: [{ variable: "access_token", source: "json", expression: "access_token" }] }),
    step(1, "GET /vault/items/{item_id}", 3, { path_params: { item_id: "{{id}}" }, headers: { Authorization: "Bearer {{access_token}}" } }),
    step(2, "GET /gone", 99),
  ],
} as unknown as Schemas["HarPreview"];

describe("HAR import", () => {
  it("makes the preview's journey a scenario of the builder, keeping its steps as sent", () => {
    const form = harScenario(preview, endpoints, new Set(["har_import"]))!;
    expect(form.name).toBe("har_import_2");
    const sent = toScenarioCreate(form);
    expect(sent.steps?.map((s) => [s.name, s.endpoint_id, s.think_time])).toEqual([
      ["POST /auth/login", 1, 0.5], ["GET /vault/items/{item_id}", 3, 0.5]]);
    expect(sent.steps?.[0]?.extract).toEqual([{ variable: "access_token", source: "json", expression: "access_token" }]);
    expect(sent.steps?.[1]?.headers).toEqual({ Authorization: "Bearer {{access_token}}" });
    expect(sent.steps?.[1]?.path_params).toEqual({ item_id: "{{id}}" });
  });
  it("gives nothing when no step's endpoint is known", () => {
    expect(harScenario({ ...preview, steps: [] }, endpoints, new Set())).toBeNull();
  });
});
