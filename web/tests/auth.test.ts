import { describe, expect, it } from "vitest";
import { accessFor, csrfToken } from "../src/lib/auth";

describe("access", () => {
  it("offers everything when the gateway has no auth", () => {
    const open = accessFor(null);
    expect(open.can("test") && open.can("admin")).toBe(true);
  });
  it("offers only what the role's permissions grant", () => {
    const viewer = accessFor({ name: "v", kind: "user", role: "viewer", permissions: ["read"] });
    expect([viewer.can("read"), viewer.can("test"), viewer.can("admin")]).toEqual([true, false, false]);
    const tester = accessFor({ name: "t", kind: "user", role: "tester", permissions: ["read", "test"] });
    expect([tester.can("test"), tester.can("admin")]).toEqual([true, false]);
  });
});

describe("CSRF cookie", () => {
  it("reads mv_csrf among other cookies, decoded", () => {
    expect(csrfToken("a=1; mv_csrf=abc%3D%3D; b=2")).toBe("abc==");
    expect(csrfToken("mv_csrf_x=1; other=2")).toBeNull();
    expect(csrfToken("")).toBeNull();
  });
});
