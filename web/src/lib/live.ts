// The live stream of /sse/k6-data as a hook: EventSource reconnects by itself and sends
// Last-Event-ID, so a dropped connection resumes where it stopped. A stream of one test goes on
// after the test's end until its summary says whether the figures are whole.
import { useEffect, useRef, useState } from "preact/hooks";
import type { LiveMessage, LiveSummary } from "../api/client";

export type LiveState = "connecting" | "open" | "closed";

export function useLiveStream(testId: string | null | undefined, onMessage: (message: LiveMessage) => void,
  include: "all" | "k6_only" = "all"): LiveState {
  const [state, setState] = useState<LiveState>("connecting");
  const handler = useRef(onMessage);
  handler.current = onMessage;
  useEffect(() => {
    if (testId === null) { setState("closed"); return; }
    const source = new EventSource(streamUrl(testId, include));
    source.onopen = () => setState("open");
    source.onerror = () => setState(source.readyState === EventSource.CLOSED ? "closed" : "connecting");
    for (const kind of ["k6", "resources", "alert", "end", "summary"]) {
      source.addEventListener(kind, ((event: MessageEvent<string>) => {
        const message = JSON.parse(event.data) as LiveMessage;
        handler.current(message);
        // the server closes the stream after it; EventSource would reconnect and start again
        if (isLast(message, testId)) { source.close(); setState("closed"); }
      }) as EventListener);
    }
    return () => source.close();
  }, [testId, include]);
  return state;
}

/** A stream of one test ends with its summary (after its end); a stream of all tests goes on. */
export function isLast(message: Pick<LiveMessage, "kind">, testId: string | null | undefined): boolean {
  return Boolean(testId) && message.kind === "summary";
}

/** named=true: each event carries its kind as the SSE event name, for addEventListener. One
 * test's stream first replays the run so far, so a page opened or reloaded mid-test draws it
 * whole; EventSource's own reconnects send Last-Event-ID, and get only what they missed. */
export function streamUrl(testId: string | undefined, include: "all" | "k6_only"): string {
  const query = new URLSearchParams({ include, named: "true" });
  if (testId) { query.set("test_id", testId); query.set("replay", "true"); }
  return `/sse/k6-data?${query}`;
}

export interface TileFigures { tps: number | null; avg: number | null; p95: number | null; p99: number | null;
  errorRate: number | null; vus: number | null }
/** live: the last interval of a running test; lastInterval: the same once it ended, said so;
 * final: the stored summary's figures. */
export type TilesSource = "live" | "lastInterval" | "final";
export interface RunView { cancellable: boolean; elapsed: number; tiles: TileFigures; source: TilesSource }

/** The head of a run: at its end it stops being cancellable, its elapsed time stops at the
 * planned duration, and its tiles turn to the stored figures as soon as the summary has them
 * (the last interval's figures are no measure of the whole run). */
export function runView({ ended, summary, elapsed, planned, last }: { ended: boolean; summary?: LiveSummary;
  elapsed: number; planned: number | null; last: TileFigures }): RunView {
  if (!ended && !summary) return { cancellable: true, elapsed, tiles: last, source: "live" };
  const capped = planned ? Math.min(elapsed, planned) : elapsed;
  const f = summary?.figures;
  if (!f) return { cancellable: false, elapsed: capped, tiles: last, source: "lastInterval" };
  const errorRate = f.total_requests ? (f.failed_requests ?? 0) / f.total_requests : f.avg_error_rate ?? null;
  return { cancellable: false, elapsed: capped, source: "final", tiles: { tps: f.avg_tps ?? null, avg: f.avg_response_time ?? null,
    p95: f.p95_response_time ?? null, p99: f.p99_response_time ?? null, errorRate, vus: f.max_vus ?? null } };
}
