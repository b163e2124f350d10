// The next steps the document suggests after a step: its links, and a POST answering `id`
// followed by the GET/PUT/DELETE of `/{id}`; one click adds the step and the extraction.
import type { EndpointRead, StepSuggestion } from "../api/client";
import { useI18n } from "../i18n";
import type { StepForm } from "../lib/journey";
import { Method } from "./ui";

export function Suggestions({ step, suggestions, endpoints, onApply }: {
  step: StepForm; suggestions: StepSuggestion[]; endpoints: EndpointRead[]; onApply: (s: StepSuggestion) => void;
}) {
  const { t } = useI18n();
  if (suggestions.length === 0) return null;
  const byId = new Map(endpoints.map((e) => [e.id, e]));
  return (
    <div class="suggestions" role="group" aria-label={t("suggest.after", { name: step.name })}>
      <span class="hint">{t("suggest.title")}</span>
      {suggestions.map((s) => {
        const target = byId.get(s.to_endpoint_id);
        if (!target) return null;
        const carried = s.extract.map((e) => e.variable).join(", ");
        const why = s.kind === "link" ? t("suggest.link", { name: s.name }) : t("suggest.pair");
        return (
          <button type="button" class="suggestion" key={`${s.kind}-${s.name}-${s.to_endpoint_id}`}
            aria-label={t("suggest.add", { method: target.method, path: target.path, variables: carried, why })} onClick={() => onApply(s)}>
            <span aria-hidden="true">＋</span> <Method method={target.method} /> <code>{target.path}</code>
            <span class={`badge suggest-${s.kind}`}>{why}</span>
            <span class="hint">{t("suggest.carries", { variables: carried })}</span>
          </button>
        );
      })}
    </div>
  );
}
