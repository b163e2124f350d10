// Every request's three states (loading, failed, done) and a retry, in one hook.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";

export interface Async<T> { data: T | undefined; error: Error | undefined; loading: boolean; reload: () => void }

/** The answer of the latest `load` only: one that comes after its deps changed (or after the
 *  component is gone) is dropped, so a slow old request never overwrites a newer one. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): Async<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const current = useRef(0);
  useEffect(() => {
    const id = ++current.current;
    setState((s) => ({ data: s.data, loading: true }));
    load().then(
      (data) => { if (id === current.current) setState({ data, loading: false }); },
      (error: Error) => { if (id === current.current) setState((s) => ({ data: s.data, error, loading: false })); },
    );
    return () => { current.current += 1; };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

/** An action a person starts (a form sent, a button pressed): busy while it runs, and its
 *  failure kept to be shown until the next try. */
export interface Action { busy: boolean; error: Error | undefined; run: (call: () => Promise<void>) => Promise<void> }

export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const run = async (call: () => Promise<void>) => {
    setBusy(true); setError(undefined);
    try { await call(); } catch (failure) { setError(failure as Error); } finally { setBusy(false); }
  };
  return { busy, error, run };
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
