// What this browser started: the exact request (for "run again") and the planned duration
// (for the live progress bar). The API keeps the figures; these are conveniences of the viewer.
import type { LoadTestCreate } from "../api/client";

const key = (historyId: number) => `mv.run.${historyId}`;

/** `complete` is false when secret headers were left out: such a run cannot be re-sent as is.
 *  `planId`: the saved plan it ran from; run again runs the plan (the server keeps its secrets). */
export interface StartedRun { request: LoadTestCreate; plannedSeconds: number | null; complete: boolean; planId?: number }

/** Secret header values never reach storage. */
export function withoutSecrets(request: LoadTestCreate, secret: Set<string>): LoadTestCreate {
  const strip = (headers: Record<string, string> | undefined) =>
    Object.fromEntries(Object.entries(headers ?? {}).filter(([name]) => !secret.has(name)));
  return { ...request, headers: strip(request.headers),
    scenarios: request.scenarios.map((s) => ({ ...s, headers: strip(s.headers) })) };
}

export function rememberRequest(historyId: number, request: LoadTestCreate, plannedSeconds: number | null,
  secret: Set<string> = new Set(), planId?: number): void {
  const run: StartedRun = { request: withoutSecrets(request, secret), plannedSeconds, complete: secret.size === 0 || planId !== undefined, planId };
  try { localStorage.setItem(key(historyId), JSON.stringify(run)); } catch { /* full or private mode */ }
}

export function startedRun(historyId: number): StartedRun | null {
  try {
    const text = localStorage.getItem(key(historyId));
    return text ? (JSON.parse(text) as StartedRun) : null;
  } catch { return null; }
}
