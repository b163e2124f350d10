// The live stream of /sse/k6-data as a hook: EventSource reconnects by itself and sends
// Last-Event-ID, so a dropped connection resumes where it stopped.
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
    const receive = (event: MessageEvent<string>) => handler.current(JSON.parse(event.data) as LiveMessage);
    source.onopen = () => setState("open");
    source.onerror = () => setState(source.readyState === EventSource.CLOSED ? "closed" : "connecting");
    for (const kind of ["k6", "resources", "alert"]) source.addEventListener(kind, receive as EventListener);
    source.addEventListener("end", ((event: MessageEvent<string>) => {
      receive(event);
      if (testId) { source.close(); setState("closed"); } // one test: nothing more will come
    }) as EventListener);
    return () => source.close();
  }, [testId, include]);
  return state;
}
