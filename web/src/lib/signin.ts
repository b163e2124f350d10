// How a scenario signs in, as the form holds it, pre-filled from the document: the security
// schemes its endpoints name (securitySchemes + security) pick the kind, and a bearer scheme
// with a sign-in endpoint of the project (one that needs no sign-in and answers a token) becomes
// a login. Secret values are typed into password fields and never shown again: a stored one
// comes back as the mask, which the server reads as "keep what you have".
import type { EndpointRead, SecurityScheme, SignInCreate } from "../api/client";
import { type RequestForm, newRequest, requestFromCall, toCall } from "./scenario";
import type { Source } from "./journey";

export type SignInKind = SignInCreate["kind"];
export const SIGN_IN_KINDS: SignInKind[] = ["bearer", "api_key", "basic", "oauth2_client_credentials", "oauth2_password", "login"];

export interface SignInForm {
  kind: SignInKind;
  /** bearer token, API key, a password or the client credentials' client secret: the kind's
   *  first secret. */
  secret: string;
  /** The OAuth2 password grant's client secret, its second (optional: a public client). */
  client_secret: string;
  location: "header" | "query" | "cookie";
  name: string;
  username: string;
  token_url: string; client_id: string; scope: string;
  login: RequestForm | null;
  token_source: Source; token_expression: string;
  header: string; prefix: string; refresh_seconds: string;
  /** The document's scheme it was pre-filled from, to say so. */
  scheme?: string;
}

const TOKEN_FIELDS = ["access_token", "token", "id_token", "accessToken", "jwt"];

export function emptySignIn(kind: SignInKind, login: EndpointRead | null = null): SignInForm {
  return { kind, secret: "", client_secret: "", location: "header", name: "X-Api-Key", username: "", token_url: "", client_id: "", scope: "",
    login: login ? newRequest(login) : null, token_source: "json", token_expression: tokenField(login) ?? "access_token",
    header: "Authorization", prefix: "Bearer ", refresh_seconds: "" };
}

const tokenField = (endpoint: EndpointRead | null): string | undefined =>
  endpoint ? TOKEN_FIELDS.find((f) => endpoint.response_fields?.includes(f)) : undefined;

/** An endpoint that signs in: a POST that needs no sign-in and answers a token. */
export function loginEndpoint(endpoints: EndpointRead[]): EndpointRead | null {
  return endpoints.find((e) => e.method === "POST" && !e.removed && (e.security ?? []).length === 0 && tokenField(e) !== undefined) ?? null;
}

/** The sign-in the document asks of these endpoints (the first scheme a step's endpoint names),
 *  or null when none needs one. */
export function signInFromDocument(used: EndpointRead[], all: EndpointRead[]): SignInForm | null {
  for (const endpoint of used) {
    for (const [name, scheme] of Object.entries(endpoint.security_schemes ?? {})) {
      const form = fromScheme(scheme, all);
      if (form) return { ...form, scheme: name };
    }
  }
  return null;
}

function fromScheme(scheme: SecurityScheme, all: EndpointRead[]): SignInForm | null {
  if (scheme.type === "http" && scheme.scheme === "bearer") {
    const login = loginEndpoint(all);
    return login ? emptySignIn("login", login) : emptySignIn("bearer");
  }
  if (scheme.type === "http" && scheme.scheme === "basic") return emptySignIn("basic");
  if (scheme.type === "apiKey") return { ...emptySignIn("api_key"), location: scheme.location ?? "header", name: scheme.name ?? "X-Api-Key" };
  if (scheme.type === "oauth2" && scheme.flow === "clientCredentials") return { ...emptySignIn("oauth2_client_credentials"), token_url: scheme.token_url ?? "" };
  if (scheme.type === "oauth2" && scheme.flow === "password") return { ...emptySignIn("oauth2_password"), token_url: scheme.token_url ?? "" };
  return null;
}

/** The sign-in as the API takes it. */
export function toSignIn(form: SignInForm): SignInCreate | null {
  switch (form.kind) {
    case "bearer": return { kind: "bearer", token: form.secret };
    case "api_key": return { kind: "api_key", location: form.location, name: form.name.trim(), value: form.secret };
    case "basic": return { kind: "basic", username: form.username.trim(), password: form.secret };
    case "oauth2_client_credentials": return { kind: "oauth2_client_credentials", token_url: form.token_url.trim(),
      client_id: form.client_id.trim(), client_secret: form.secret, scope: form.scope.trim() || null };
    case "oauth2_password": return { kind: "oauth2_password", token_url: form.token_url.trim(), username: form.username.trim(), password: form.secret,
      client_id: form.client_id.trim(), client_secret: form.client_secret || null, scope: form.scope.trim() || null };
    case "login": return form.login ? { kind: "login", endpoint_id: form.login.endpoint.id, ...toCall(form.login),
      token: { variable: "token", source: form.token_source, expression: form.token_expression.trim() },
      header: form.header.trim() || "Authorization", prefix: form.prefix,
      refresh_seconds: Number(form.refresh_seconds) > 0 ? Number(form.refresh_seconds) : null } : null;
  }
}

/** A sign-in sent before back in the form (its secret as the server masked it). */
export function signInForm(sent: SignInCreate, endpoints: EndpointRead[]): SignInForm {
  const base = emptySignIn(sent.kind);
  switch (sent.kind) {
    case "bearer": return { ...base, secret: sent.token };
    case "api_key": return { ...base, location: sent.location, name: sent.name, secret: sent.value };
    case "basic": return { ...base, username: sent.username, secret: sent.password };
    case "oauth2_client_credentials": return { ...base, token_url: sent.token_url, client_id: sent.client_id, scope: sent.scope ?? "", secret: sent.client_secret };
    case "oauth2_password": return { ...base, token_url: sent.token_url, username: sent.username, secret: sent.password, client_id: sent.client_id,
      client_secret: sent.client_secret ?? "", scope: sent.scope ?? "" };
    case "login": {
      const endpoint = endpoints.find((e) => e.id === sent.endpoint_id);
      return { ...base, login: endpoint ? requestFromCall(endpoint, sent) : null, token_source: sent.token.source,
        token_expression: sent.token.expression, header: sent.header ?? "Authorization", prefix: sent.prefix ?? "Bearer ",
        refresh_seconds: sent.refresh_seconds ? String(sent.refresh_seconds) : "" };
    }
  }
}

/** What keeps the sign-in from being sent (field names of the form). */
export function signInProblems(form: SignInForm): string[] {
  const missing = (field: keyof SignInForm, value: string) => (value.trim() ? [] : [field]);
  switch (form.kind) {
    case "bearer": return missing("secret", form.secret);
    case "api_key": return [...missing("name", form.name), ...missing("secret", form.secret)];
    case "basic": return [...missing("username", form.username), ...missing("secret", form.secret)];
    case "oauth2_client_credentials": return [...missing("token_url", form.token_url), ...missing("client_id", form.client_id), ...missing("secret", form.secret)];
    case "oauth2_password": return [...missing("token_url", form.token_url), ...missing("username", form.username),
      ...missing("client_id", form.client_id), ...missing("secret", form.secret)];
    case "login": return [...(form.login ? [] : ["login"]), ...missing("token_expression", form.token_expression)];
  }
}
