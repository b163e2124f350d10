// What this browser started: the exact request (for "run again") and the planned duration
// (for the live progress bar). The API keeps the figures; these are conveniences of the viewer.
import type { LoadTestCreate, SignInCreate } from "../api/client";
import { looksSecret, namedSecrets, withoutPaths } from "./secrets";

const key = (historyId: number) => `mv.run.${historyId}`;

/** `complete` is false when secret values were left out: such a run cannot be re-sent as is.
 *  `planId`: the saved plan it ran from; run again runs the plan (the server keeps its secrets). */
export interface StartedRun { request: LoadTestCreate; plannedSeconds: number | null; complete: boolean; planId?: number }

/** Secret values (headers, query parameters, body fields: marked or named like a secret)
 *  never reach storage. */
export function withoutSecrets(request: LoadTestCreate, secret: Set<string>): LoadTestCreate {
  const strip = (values: Record<string, string> | undefined, marks: string[] = []) => {
    const hidden = new Set([...secret, ...marks].map((n) => n.toLowerCase()));
    return Object.fromEntries(Object.entries(values ?? {}).filter(([name]) => !hidden.has(name.toLowerCase()) && !looksSecret(name)));
  };
  const call = <T extends Call>(c: T): T => ({ ...c, headers: strip(c.headers, c.secrets?.headers), query: strip(c.query, c.secrets?.query),
    body: withoutPaths(c.body as never, [...(c.secrets?.body ?? []), ...namedSecrets(c.body as never)]) ?? null });
  return { ...request, headers: strip(request.headers, request.secret_headers),
    scenarios: request.scenarios.map((s) => ({ ...call(s), ...(s.steps ? { steps: s.steps.map(call) } : {}),
      ...(s.sign_in ? { sign_in: signInWithoutSecret(s.sign_in, call) } : {}) })) };
}

type Call = { headers?: Record<string, string>; query?: Record<string, string>; body?: unknown; secrets?: { headers?: string[]; query?: string[]; body?: string[] } };

/** The sign-in with its secrets emptied (a login's request stripped as any request). */
function signInWithoutSecret(signIn: SignInCreate, call: <T extends Call>(c: T) => T): SignInCreate {
  switch (signIn.kind) {
    case "bearer": return { ...signIn, token: "" };
    case "api_key": return { ...signIn, value: "" };
    case "basic": return { ...signIn, password: "" };
    case "oauth2_client_credentials": return { ...signIn, client_secret: "" };
    case "oauth2_password": return { ...signIn, password: "", client_secret: signIn.client_secret ? "" : null };
    case "login": return call(signIn);
  }
}

export function rememberRequest(historyId: number, request: LoadTestCreate, plannedSeconds: number | null,
  secret: Set<string> = new Set(), planId?: number): void {
  const kept = withoutSecrets(request, secret);
  const complete = JSON.stringify(kept) === JSON.stringify(request) || planId !== undefined;
  const run: StartedRun = { request: kept, plannedSeconds, complete, planId };
  try { localStorage.setItem(key(historyId), JSON.stringify(run)); } catch { /* full or private mode */ }
}

export function startedRun(historyId: number): StartedRun | null {
  try {
    const text = localStorage.getItem(key(historyId));
    return text ? (JSON.parse(text) as StartedRun) : null;
  } catch { return null; }
}
