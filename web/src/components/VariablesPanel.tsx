// The journey's variables: where each comes from (a step's extraction, the sign-in, a column of
// the data file, built in) and where it is used; one never used and one used before any step
// defines it are flagged.
import { BUILT_IN_VARIABLES } from "../api/client";
import { useI18n } from "../i18n";
import type { DataColumns } from "../lib/data";
import type { StepForm } from "../lib/journey";
import type { SignInForm } from "../lib/signin";
import { type Origin, type Use, variableReport } from "../lib/variables";

export function VariablesPanel({ steps, signIn, data }: { steps: StepForm[]; signIn: SignInForm | null; data: DataColumns | null }) {
  const { t } = useI18n();
  const variables = variableReport(steps, signIn, data);
  const origin = (o: Origin): string => {
    switch (o.kind) {
      case "step": return t("variables.fromStep", { name: steps[o.step]?.name ?? "?", n: o.step + 1 });
      case "sign-in": return t("variables.fromSignIn");
      case "data": return t("variables.fromData", { file: o.file });
      case "built-in": return t("variables.builtIn");
      case "none": return t("variables.fromNowhere");
    }
  };
  const use = (u: Use): string => `${steps[u.step]?.name ?? "?"} · ${u.field.replace(/^(path|query|header):/, (_, w: string) => `${t(`variables.in.${w as "path"}`)} `)}`;
  return (
    <aside class="variables" aria-labelledby="variables-title">
      <h3 id="variables-title">{t("variables.title")}</h3>
      {variables.length === 0 ? <p class="hint">{t("variables.none")}</p> : (
        <ul class="variable-list">
          {variables.map((v) => {
            const bad = v.undefinedUses.length > 0;
            return (
              <li key={v.name} class={bad ? "bad" : v.unused ? "warn" : undefined} data-variable={v.name}>
                <div class="variable-name"><code>{`{{${v.name}}}`}</code>
                  {bad && <span class="badge flag-bad">✕ {t("variables.undefined")}</span>}
                  {v.unused && <span class="badge flag-warn">! {t("variables.unused")}</span>}
                </div>
                <div class="hint">{t("variables.from")}: {origin(v.origin)}</div>
                <div class="hint">{t("variables.usedIn")}: {v.uses.length ? v.uses.map(use).join(", ") : t("variables.nowhere")}</div>
              </li>
            );
          })}
        </ul>
      )}
      <p class="hint">{t("variables.syntax", { builtIns: BUILT_IN_VARIABLES.map((b) => `{{${b}}}`).join(" ") })}</p>
    </aside>
  );
}
