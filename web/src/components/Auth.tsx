// Signing in: the shell asks GET /auth/me once; 404 means the gateway has no auth (everything
// open), 401 (then or on any later request) shows the login form in place of the page, and
// after signing in the same page is drawn again: the address never changed.
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ApiError, api, onUnauthorized } from "../api/client";
import { useI18n } from "../i18n";
import { AccessContext, type Me, accessFor, useAccess } from "../lib/auth";
import { ErrorNote, Loading } from "./ui";

type State = { kind: "checking" } | { kind: "login" } | { kind: "in"; me: Me | null; round: number };

/** `header` is drawn above the login form too (language and theme switches stay at hand). */
export function AuthGate({ header, children }: { header: ComponentChildren; children: (round: number) => ComponentChildren }) {
  const [state, setState] = useState<State>({ kind: "checking" });
  const [error, setError] = useState<Error>();
  useEffect(() => {
    onUnauthorized(() => setState({ kind: "login" }));
    api.me().then((me) => setState({ kind: "in", me, round: 0 }), (failure: Error) => {
      if (failure instanceof ApiError && failure.status === 401) setState({ kind: "login" });
      else { setError(failure); setState({ kind: "in", me: null, round: 0 }); }
    });
  }, []);
  if (state.kind === "checking") return <>{header}<main class="page"><Loading /></main></>;
  if (state.kind === "login") return <>{header}<div id="content"><Login onSignedIn={(me) => setState({ kind: "in", me, round: Date.now() })} /></div></>;
  const logout = () => { api.logout().finally(() => setState({ kind: "login" })); };
  return (
    <AccessContext.Provider value={accessFor(state.me, logout)}>
      {header}
      {error && <div class="page"><ErrorNote error={error} /></div>}
      {children(state.round)}
    </AccessContext.Provider>
  );
}

function Login({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const { t } = useI18n();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true); setError(undefined);
    try { onSignedIn(await api.login(username.trim(), password)); } catch (failure) {
      const status = failure instanceof ApiError ? failure.status : 0;
      setError(status === 401 ? new Error(t("auth.wrong"))
        : status === 429 ? new Error(t("auth.limited", { seconds: (failure as ApiError).retryAfter ?? 60 }))
        : failure as Error);
      setBusy(false);
    }
  };
  return (
    <main class="page login">
      <h1>{t("auth.title")}</h1>
      <form onSubmit={submit} class="card">
        <label>{t("auth.username")}<input name="username" autocomplete="username" required value={username}
          onInput={(e) => setUsername(e.currentTarget.value)} /></label>
        <label>{t("auth.password")}<input name="password" type="password" autocomplete="current-password" required value={password}
          onInput={(e) => setPassword(e.currentTarget.value)} /></label>
        {error && <ErrorNote error={error} what={t("auth.failed")} />}
        <button type="submit" class="primary" disabled={busy || !username.trim() || !password}>{busy ? t("auth.busy") : t("auth.submit")}</button>
      </form>
    </main>
  );
}

/** The header's user, role and sign-out; nothing when the gateway has no auth. */
export function WhoAmI() {
  const { t } = useI18n();
  const { me, logout } = useAccess();
  if (!me) return null;
  return (
    <span class="who small">
      <span>{t("auth.signedInAs", { user: me.name, role: t(`role.${me.role}`) })}</span>
      <button type="button" class="secondary small" onClick={logout}>{t("auth.logout")}</button>
    </span>
  );
}
