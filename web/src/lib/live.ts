// The live stream of /sse/k6-data as a hook: EventSource reconnects by itself and sends
// Last-Event-ID, so a dropped connection resumes where it stopped. A stream of one test goes on
// after the test's end until its summary says whether the figures are whole.
import { useEffect, useRef, useState } from "preact/hooks";
import type { LiveMessage } from "../api/client";

export type LiveState = "connecting" | "open" | "closed";

export function useLiveStream(testId: string | null | undefined, onMessage: (message: LiveMessage) => void,
  include: "all" | "k6_only" = "all"): LiveState {
  const [state, setState] = useState<LiveState>("connecting");
  const handler = useRef(onMessage);
  handler.current = onMessage;
  useEffect(() => {
    if (testId === null) { setState("closed"); return; }
    // named=true: each event carries its kind as the SSE event name, for addEventListener.
    const query = new URLSearchParams({ include, named: "true" });
    if (testId) query.set("test_id", testId);
    const source = new EventSource(`/sse/k6-data?${query}`);
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
