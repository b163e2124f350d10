// How the scenario signs in: none, a bearer token, an API key, HTTP basic, OAuth2 client
// credentials or password grant, or a login request of the project whose answer holds the token. Secret values
// go in password fields and are never shown again (a saved one shows as set).
import type { EndpointRead } from "../api/client";
import { useI18n } from "../i18n";
import { SIGN_IN_KINDS, type SignInForm, type SignInKind, emptySignIn, loginEndpoint, signInProblems } from "../lib/signin";
import { SOURCES, type Source } from "../lib/journey";
import { newRequest } from "../lib/scenario";
import { isMask } from "../lib/secrets";
import { RequestFields } from "./RequestFields";

const SECRET_LABEL: Partial<Record<SignInKind, "signIn.token" | "signIn.keyValue" | "signIn.password" | "signIn.clientSecret">> = {
  bearer: "signIn.token", api_key: "signIn.keyValue", basic: "signIn.password", oauth2_client_credentials: "signIn.clientSecret",
  oauth2_password: "signIn.password",
};

export function SignInEditor({ value, endpoints, id, onChange }: {
  value: SignInForm | null; endpoints: EndpointRead[]; id: string; onChange: (value: SignInForm | null) => void;
}) {
  const { t } = useI18n();
  const set = (patch: Partial<SignInForm>) => value && onChange({ ...value, ...patch });
  const choose = (kind: string) => onChange(kind === "" ? null : { ...emptySignIn(kind as SignInKind, loginEndpoint(endpoints)) });
  const missing = new Set(value ? signInProblems(value) : []);
  const secretLabel = value ? SECRET_LABEL[value.kind] : undefined;
  const text = (field: "name" | "username" | "token_url" | "client_id" | "scope", label: string) => value && (
    <label>{label}<input name={`sign_in_${field}`} value={value[field]} aria-invalid={missing.has(field)} onInput={(e) => set({ [field]: e.currentTarget.value })} /></label>
  );
  const secretInput = (field: "secret" | "client_secret", label: string) => value && (
    <label>{label}<input name={`sign_in_${field}`} type="password" autocomplete="off" aria-invalid={missing.has(field)}
      value={isMask(value[field]) ? "" : value[field]} placeholder={isMask(value[field]) ? t("pairs.secretSet") : undefined}
      onInput={(e) => set({ [field]: e.currentTarget.value })} /></label>
  );
  return (
    <fieldset class="sign-in">
      <legend>{t("signIn.title")}</legend>
      <div class="form-grid">
        <label>{t("signIn.kind")}<select name="sign_in_kind" value={value?.kind ?? ""} onChange={(e) => choose(e.currentTarget.value)}>
          <option value="">{t("signIn.none")}</option>
          {SIGN_IN_KINDS.map((k) => <option key={k} value={k}>{t(`signIn.kind.${k}`)}</option>)}
        </select></label>
        {value?.kind === "api_key" && <label>{t("signIn.location")}<select name="sign_in_location" value={value.location}
          onChange={(e) => set({ location: e.currentTarget.value as SignInForm["location"] })}>
          {(["header", "query", "cookie"] as const).map((l) => <option key={l} value={l}>{t(`signIn.in.${l}`)}</option>)}</select></label>}
        {value?.kind === "api_key" && text("name", t("signIn.keyName"))}
        {value?.kind === "basic" && text("username", t("signIn.username"))}
        {value?.kind === "oauth2_client_credentials" && <>{text("token_url", t("signIn.tokenUrl"))}{text("client_id", t("signIn.clientId"))}{text("scope", t("signIn.scope"))}</>}
        {value?.kind === "oauth2_password" && <>{text("token_url", t("signIn.tokenUrl"))}{text("username", t("signIn.username"))}</>}
        {value && secretLabel && secretInput("secret", t(secretLabel))}
        {value?.kind === "oauth2_password" && <>{text("client_id", t("signIn.clientId"))}{secretInput("client_secret", t("signIn.clientSecretOptional"))}{text("scope", t("signIn.scope"))}</>}
      </div>
      {value?.scheme && <p class="hint note-from">{t("signIn.fromDocument", { scheme: value.scheme })}</p>}
      {value?.kind === "login" && <Login value={value} endpoints={endpoints} id={id} set={set} />}
      {value && secretLabel && <p class="hint">{t("signIn.secretHint")}</p>}
    </fieldset>
  );
}

function Login({ value, endpoints, id, set }: { value: SignInForm; endpoints: EndpointRead[]; id: string; set: (patch: Partial<SignInForm>) => void }) {
  const { t } = useI18n();
  const pick = (endpointId: string) => {
    const endpoint = endpoints.find((e) => String(e.id) === endpointId);
    set({ login: endpoint ? newRequest(endpoint) : null });
  };
  return (
    <div class="login">
      <div class="form-grid">
        <label class="span2">{t("signIn.loginEndpoint")}<select name="sign_in_endpoint" value={value.login?.endpoint.id ?? ""} aria-invalid={!value.login}
          onChange={(e) => pick(e.currentTarget.value)}>
          <option value="">{t("journey.pickEndpoint")}</option>
          {endpoints.filter((e) => !e.removed).map((e) => <option key={e.id} value={e.id}>{e.method} {e.path}</option>)}
        </select></label>
        <label>{t("signIn.tokenFrom")}<select name="sign_in_token_source" value={value.token_source} onChange={(e) => set({ token_source: e.currentTarget.value as Source })}>
          {SOURCES.map((s) => <option key={s} value={s}>{t(`extract.from.${s}`)}</option>)}</select></label>
        <label>{t("signIn.tokenAt")}<input name="sign_in_token_expression" class="mono" value={value.token_expression} onInput={(e) => set({ token_expression: e.currentTarget.value })} /></label>
        <label>{t("signIn.header")}<input name="sign_in_header" value={value.header} onInput={(e) => set({ header: e.currentTarget.value })} /></label>
        <label>{t("signIn.prefix")}<input name="sign_in_prefix" value={value.prefix} onInput={(e) => set({ prefix: e.currentTarget.value })} /></label>
        <label>{t("signIn.refresh")}<input name="sign_in_refresh" type="number" min="1" step="any" value={value.refresh_seconds}
          placeholder={t("placeholder.none", { example: "240" })} onInput={(e) => set({ refresh_seconds: e.currentTarget.value })} /></label>
      </div>
      <p class="hint">{t("signIn.loginHint")}</p>
      {value.login && <details class="jstep-request"><summary>{t("signIn.loginRequest")}</summary>
        <RequestFields form={value.login} id={`${id}-login`} onChange={(patch) => set({ login: { ...value.login!, ...patch } })} /></details>}
    </div>
  );
}
