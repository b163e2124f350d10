// Every request's three states (loading, failed, done) and a retry, in one hook.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";

export interface Async<T> { data: T | undefined; error: Error | undefined; loading: boolean; reload: () => void }

export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Async<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const current = useRef(0);
  useEffect(() => {
    const controller = new AbortController();
    const id = ++current.current;
    setState((s) => ({ data: s.data, loading: true }));
    load(controller.signal).then(
      (data) => { if (id === current.current) setState({ data, loading: false }); },
      (error: Error) => {
        if (id === current.current && error.name !== "AbortError") setState((s) => ({ data: s.data, error, loading: false }));
      },
    );
    return () => controller.abort();
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

/** Re-run a request every `ms` while `active` (the board's running tests). */
export function useInterval(callback: () => void, ms: number, active = true): void {
  const saved = useRef(callback);
  saved.current = callback;
  useEffect(() => {
    if (!active) return;
    const id = setInterval(() => saved.current(), ms);
    return () => clearInterval(id);
  }, [ms, active]);
}
