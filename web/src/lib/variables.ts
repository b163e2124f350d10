// A journey's variables: where each comes from (a step's extraction, the sign-in's token, a
// column of the scenario's data file, or built in) and where it is used; unused and undefined
// ones flagged. The reference syntax and the built-in names are the backend's (api/facts.ts,
// generated from the contracts), and the rule is the gateway's: a value may use only what an
// earlier step extracted, the sign-in gives or the data file's columns name.
import { BUILT_IN_VARIABLES, GENERATED_VALUES, TOKEN_VARIABLE, VARIABLE_REFERENCE } from "../api/client";
import type { DataColumns } from "./data";
import type { ExtractionForm } from "./journey";
import type { RequestForm } from "./scenario";
import type { SignInForm } from "./signin";

export type Origin = { kind: "step"; step: number } | { kind: "sign-in" } | { kind: "data"; file: string }
  | { kind: "built-in" } | { kind: "none" };
/** A use: the step (0-based) and the field ("path:item_id", "query:q", "header:X-Id", "body"). */
export interface Use { step: number; field: string }
export interface Variable { name: string; origin: Origin; uses: Use[]; unused: boolean; undefinedUses: Use[] }
/** A step, or a scenario's one request (the gateway checks it as a journey of one step). */
export type Requesting = RequestForm & { extract?: ExtractionForm[] };

/** The variables a text uses, in order ("{{a}}/{{ b }}" → a, b). */
export function references(text: string): string[] {
  return [...text.matchAll(new RegExp(VARIABLE_REFERENCE.source, "g"))].map((m) => m[1]!);
}

export function usesOf(step: RequestForm): { field: string; name: string }[] {
  const found: { field: string; name: string }[] = [];
  for (const [name, value] of Object.entries(step.path_params)) found.push(...references(value).map((v) => ({ field: `path:${name}`, name: v })));
  for (const pair of step.query) found.push(...references(pair.value).map((v) => ({ field: `query:${pair.key}`, name: v })));
  for (const pair of step.headers) found.push(...references(pair.value).map((v) => ({ field: `header:${pair.key}`, name: v })));
  found.push(...references(step.body).map((v) => ({ field: "body", name: v })));
  return found;
}

/** Gives the steps {{token}}: a login or an OAuth2 sign-in. */
export const signInGivesToken = (signIn: SignInForm | null): boolean =>
  signIn?.kind === "login" || signIn?.kind === "oauth2_client_credentials" || signIn?.kind === "oauth2_password";

/** Built in, or a generated value ("$int(1,100)": its name before the arguments). */
const isBuiltIn = (name: string): boolean =>
  BUILT_IN_VARIABLES.includes(name) || GENERATED_VALUES.includes(name.split("(")[0]!);

/** Every variable of the journey; the data file's columns are listed even before a step uses
 *  them (they are what the file offers), and are never flagged unused. */
export function variableReport(steps: Requesting[], signIn: SignInForm | null, data: DataColumns | null = null): Variable[] {
  const table = new Map<string, Variable>();
  const entry = (name: string, origin: Origin): Variable => {
    let found = table.get(name);
    if (!found) { found = { name, origin, uses: [], unused: false, undefinedUses: [] }; table.set(name, found); }
    return found;
  };
  const known = new Set<string>(BUILT_IN_VARIABLES);
  if (signInGivesToken(signIn)) { known.add(TOKEN_VARIABLE); entry(TOKEN_VARIABLE, { kind: "sign-in" }); }
  for (const column of data?.columns ?? []) { known.add(column); entry(column, { kind: "data", file: data!.file }); }
  steps.forEach((step, index) => {
    for (const use of usesOf(step)) {
      const builtIn = isBuiltIn(use.name);
      const variable = entry(use.name, builtIn ? { kind: "built-in" } : { kind: "none" });
      variable.uses.push({ step: index, field: use.field });
      if (!builtIn && !known.has(use.name)) variable.undefinedUses.push({ step: index, field: use.field });
    }
    for (const extraction of step.extract ?? []) {
      const name = extraction.variable.trim();
      if (!name) continue;
      const variable = entry(name, { kind: "step", step: index });
      if (variable.origin.kind === "none") variable.origin = { kind: "step", step: index };
      known.add(name);
    }
  });
  for (const variable of table.values()) {
    const from = variable.origin.kind === "step" ? variable.origin.step : -1;
    variable.unused = variable.origin.kind === "step" && !variable.uses.some((u) => u.step > from);
  }
  return [...table.values()];
}

/** Whether the journey can be sent: no value uses a variable no earlier step defines. */
export const undefinedVariables = (steps: Requesting[], signIn: SignInForm | null, data: DataColumns | null = null): string[] =>
  variableReport(steps, signIn, data).filter((v) => v.undefinedUses.length > 0).map((v) => v.name);
