// What the header's health dot says, from GET / (the gateway's components and each service's
// heartbeats): green when all is well, amber when a part works but says something is wrong
// (or an optional one is missing), red when a required part is missing or a component is down.
import type { Schemas } from "../api/client";

export type Health = Schemas["Health"];
export type Level = "ok" | "warn" | "down" | "unknown";

export interface Part { name: string; kind: "component" | "service"; ok: boolean; required: boolean; reason: string | null }

export interface HealthView { level: Level; parts: Part[]; missing: string[] }

/** null: the gateway itself could not be reached. */
export function viewOf(health: Health | null): HealthView {
  if (!health) return { level: "unknown", parts: [], missing: [] };
  const parts: Part[] = [
    ...Object.entries(health.components).map(([name, c]) => ({
      name, kind: "component" as const, ok: c.reachable, required: true, reason: c.error ?? null })),
    ...Object.entries(health.services ?? {}).map(([name, s]) => ({
      name, kind: "service" as const, ok: s.state === "ok", required: s.required, reason: s.reason ?? null })),
  ];
  const missing = parts.filter((p) => !p.ok && p.required).map((p) => p.name);
  const uneasy = parts.some((p) => (!p.ok && !p.required) || (p.ok && p.reason));
  return { level: missing.length ? "down" : uneasy ? "warn" : "ok", parts, missing };
}
