// What keeps a scenario's journey or sign-in from being sent, said before the server has to:
// incomplete extractions or checks, a JSON body that does not read, a variable used before an
// earlier step keeps it (a column of the chosen data file counts as kept; a scenario's one request
// is checked the same way, as the gateway does), a sign-in without its
// values, a data file the project no longer has.
import type { DataFileRead } from "../api/client";
import { dataColumns, dataGone } from "./data";
import { stepProblems } from "./journey";
import { checkBody, type RequestForm, type ScenarioForm } from "./scenario";
import { signInProblems } from "./signin";
import { undefinedVariables } from "./variables";

export interface JourneyProblem {
  key: "journey.problem.step" | "journey.problem.body" | "journey.problem.undefined" | "journey.problem.undefinedRequest"
    | "journey.problem.signIn"
    | "journey.problem.dataGone" | "journey.problem.uniqueTwice";
  vars: Record<string, string>;
}

const unreadable = (request: RequestForm): boolean =>
  checkBody(request.body, null).some((p) => p.startsWith("json:"));

export function journeyProblems(form: ScenarioForm, files: readonly DataFileRead[] = []): JourneyProblem[] {
  const found: JourneyProblem[] = [];
  for (const step of form.steps) {
    if (stepProblems(step).length) found.push({ key: "journey.problem.step", vars: { name: step.name } });
    if (unreadable(step)) found.push({ key: "journey.problem.body", vars: { name: step.name } });
  }
  if (dataGone(form.data, files)) found.push({ key: "journey.problem.dataGone", vars: { name: form.name } });
  const names = undefinedVariables(form.steps.length ? form.steps : [form], form.sign_in, dataColumns(form.data, files));
  const undefinedKey = form.steps.length ? "journey.problem.undefined" : "journey.problem.undefinedRequest";
  if (names.length) found.push({ key: undefinedKey, vars: { names: names.join(", ") } });
  if (form.sign_in) {
    const missing = signInProblems(form.sign_in);
    if (missing.length) found.push({ key: "journey.problem.signIn", vars: { name: form.name, fields: missing.join(", ") } });
    if (form.sign_in.login && unreadable(form.sign_in.login)) found.push({ key: "journey.problem.body", vars: { name: "login" } });
  }
  return found;
}
