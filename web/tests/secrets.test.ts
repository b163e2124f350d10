import { describe, expect, it } from "vitest";
import { type EndpointRead, type LoadTestCreate, SECRET_MASK } from "../src/api/client";
import { withoutSecrets } from "../src/lib/plans";
import { formsFromPlan } from "../src/lib/rerun";
import { toScenarioCreate } from "../src/lib/scenario";
import { looksSecret, namedSecrets, withoutPaths } from "../src/lib/secrets";

const endpoint: EndpointRead = {
  id: 10, spec_id: 1, method: "POST", path: "/login", operation_id: null, summary: null, description: null, deprecated: false,
  removed: false, tags: [], security: [], parameters: [], request_body: null,
};

const plan = {
  title: "t", headers: { "X-Signature": SECRET_MASK, Accept: "application/json" }, secret_headers: ["X-Signature"],
  scenarios: [{
    name: "login", endpoint_id: 10, executor: "constant-vus", vus: 1, duration: "1s", think_time: 0, stages: [],
    headers: { "X-Trace": SECRET_MASK, "X-Request-Id": "1" }, query: { api_key: SECRET_MASK, page: "1" },
    body: { user: { name: "kim", password: SECRET_MASK, pin: SECRET_MASK } },
    secrets: { headers: ["x-trace"], query: ["api_key"], body: ["user.password", "user.pin"] },
  }],
} as unknown as LoadTestCreate;

describe("secret fields", () => {
  it("names what the server's heuristic names", () => {
    for (const name of ["Authorization", "Cookie", "X-Api-Key", "Ocp-Apim-Subscription-Key", "X-Signature", "api_key", "password"]) {
      expect(looksSecret(name), name).toBe(true);
    }
    for (const name of ["Accept", "Content-Type", "page", "author", "X-Request-Id"]) expect(looksSecret(name), name).toBe(false);
    expect(namedSecrets({ user: { name: "k", password: "p" }, items: [{ token: "t" }], author: "a" })).toEqual(["user.password", "items.0.token"]);
  });

  it("a saved plan comes back with its marks, and goes out with them and its masks", () => {
    const [form] = formsFromPlan(plan, [endpoint]);
    expect(form?.headers).toEqual([{ key: "X-Trace", value: SECRET_MASK, secret: true }, { key: "X-Request-Id", value: "1", secret: false }]);
    expect(form?.query.find((q) => q.key === "api_key")?.secret).toBe(true);
    expect(form?.secret_body).toBe("user.password, user.pin");
    const sent = toScenarioCreate(form!);
    expect(sent.secrets).toEqual({ headers: ["X-Trace"], query: ["api_key"], body: ["user.password", "user.pin"] });
    expect(sent.headers?.["X-Trace"]).toBe(SECRET_MASK); // the mask keeps the stored value
  });

  it("keeps no secret value in this browser's storage", () => {
    const kept = withoutSecrets(plan, new Set());
    expect(kept.headers).toEqual({ Accept: "application/json" });
    const [scenario] = kept.scenarios;
    expect(scenario?.headers).toEqual({ "X-Request-Id": "1" });
    expect(scenario?.query).toEqual({ page: "1" });
    expect(scenario?.body).toEqual({ user: { name: "kim" } });
    expect(withoutPaths({ a: [{ b: 1, c: 2 }] }, ["a.0.b"])).toEqual({ a: [{ c: 2 }] });
  });

  it("keeps neither of the OAuth2 password grant's secrets", () => {
    const grant = { kind: "oauth2_password" as const, token_url: "https://id/pw", username: "kim", password: "PW-S3CRET",
      client_id: "shop", client_secret: "CL-S3CRET", scope: null };
    const signed = { ...plan, scenarios: [{ ...plan.scenarios[0]!, sign_in: grant }] } as LoadTestCreate;
    const kept = JSON.stringify(withoutSecrets(signed, new Set()));
    expect(kept).not.toContain("PW-S3CRET");
    expect(kept).not.toContain("CL-S3CRET");
    expect(kept).toContain('"username":"kim"');
    const publicClient = { ...signed, scenarios: [{ ...plan.scenarios[0]!, sign_in: { ...grant, client_secret: null } }] } as LoadTestCreate;
    expect(withoutSecrets(publicClient, new Set()).scenarios[0]?.sign_in).toMatchObject({ password: "", client_secret: null });
  });
});
