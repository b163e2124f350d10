import { describe, expect, it } from "vitest";
import { type Health, viewOf } from "../src/lib/health";
import { clampOffset, pageView } from "../src/lib/paging";

const service = (state: "ok" | "missing", required = true, reason: string | null = null) =>
  ({ state, required, reason, instances: [] });
const health = (services: Record<string, ReturnType<typeof service>>, influxdb = true): Health => ({
  status: "ok",
  components: { nats: { reachable: true }, database: { reachable: true }, influxdb: { reachable: influxdb, error: influxdb ? null : "refused" } },
  services,
});

describe("the header's health dot", () => {
  it("is green when every part is ok", () => {
    const view = viewOf(health({ "test-runner": service("ok"), "pod-watcher": service("missing", false) }));
    expect(view.level).toBe("warn"); // an optional part missing is worth a look, not red
    expect(viewOf(health({ "test-runner": service("ok") })).level).toBe("ok");
  });
  it("is red and names what is missing when a required part is", () => {
    const view = viewOf(health({ "metrics-receiver": service("missing", true, "no heartbeat for 9 s"), "test-runner": service("ok") }));
    expect(view.level).toBe("down");
    expect(view.missing).toEqual(["metrics-receiver"]);
    expect(view.parts.find((p) => p.name === "metrics-receiver")?.reason).toBe("no heartbeat for 9 s");
  });
  it("is red when a component of the gateway is down", () => {
    expect(viewOf(health({}, false))).toMatchObject({ level: "down", missing: ["influxdb"] });
  });
  it("is amber when a running part says something is wrong", () => {
    expect(viewOf(health({ "metrics-aggregator": service("ok", true, "influxdb: refused") })).level).toBe("warn");
  });
  it("is unknown when the gateway cannot be reached", () => {
    expect(viewOf(null).level).toBe("unknown");
  });
});

describe("pages of a server-side list", () => {
  it("says which rows a page shows and whether there are more", () => {
    expect(pageView(0, 20, 20, 281)).toMatchObject({ from: 1, to: 20, hasPrev: false, hasNext: true, last: 280 });
    expect(pageView(280, 20, 1, 281)).toMatchObject({ from: 281, to: 281, hasPrev: true, hasNext: false });
    expect(pageView(0, 20, 0, 0)).toMatchObject({ from: 0, to: 0, hasNext: false, last: 0 });
  });
  it("brings an offset past the end back to the last page", () => {
    expect(clampOffset(300, 20, 281)).toBe(280);
    expect(clampOffset(40, 20, 10)).toBe(0);
    expect(clampOffset(-5, 20, 10)).toBe(0);
  });
});
