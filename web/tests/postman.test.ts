import { describe, expect, it } from "vitest";
import type { PostmanPreview } from "../src/api/client";
import { fileValues, withSecrets } from "../src/lib/postman";

describe("Postman import", () => {
  it("reads the files' variables, the environment's winning and disabled ones left out", () => {
    const collection = JSON.stringify({ variable: [{ key: "host", value: "a" }, { key: "pw", value: "old" }] });
    const environment = JSON.stringify({ values: [{ key: "pw", value: "s3cret", enabled: true }, { key: "off", value: "x", enabled: false }] });
    expect(fileValues(collection, environment)).toEqual({ host: "a", pw: "s3cret" });
    expect(fileValues("not json")).toEqual({});
  });

  it("puts each secret back at its places through its template", () => {
    const preview = {
      test: { title: "t", scenarios: [{ name: "s", sign_in: { kind: "bearer", token: "••••••" }, steps: [] }] },
      secrets: [{ name: "tok", variable: true, places: [{ at: ["scenarios", 0, "sign_in", "token"], template: "x-{{tok}}" }] }],
    } as unknown as PostmanPreview;
    const test = withSecrets(preview, { tok: "abc" }) as unknown as { scenarios: { sign_in: { token: string } }[] };
    expect(test.scenarios[0]?.sign_in.token).toBe("x-abc");
    expect((preview.test as unknown as { scenarios: { sign_in: { token: string } }[] }).scenarios[0]?.sign_in.token).toBe("••••••");
  });
});
