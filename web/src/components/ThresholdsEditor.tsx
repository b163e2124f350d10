// The builder's optional "analysis thresholds" section: every threshold the analysis applies,
// its default (the gateway's setting) as the placeholder, and the test's own value if set.
import { api } from "../api/client";
import { useI18n } from "../i18n";
import { useAsync } from "../lib/useAsync";
import { evidenceLabel } from "../lib/verdict";

export function ThresholdsEditor({ values, onChange }: { values: Record<string, string>; onChange: (v: Record<string, string>) => void }) {
  const { t, lang } = useI18n();
  const settings = useAsync(() => api.analysisSettings(), []);
  const set = Object.values(values).filter((v) => v.trim()).length;
  return (
    <details class="thresholds-editor" open={set > 0}>
      <summary>{t("thresholds.title")}{set > 0 && <span class="muted small"> ({set})</span>}</summary>
      <p class="hint">{t("thresholds.hint")}</p>
      <div class="form-grid">
        {(settings.data?.thresholds ?? []).map((th) => (
          <div class="field" key={th.name}>
            <label>{evidenceLabel(th.name, lang)}
              <input name={`threshold.${th.name}`} type="number" step={th.integer ? 1 : "any"} min={th.minimum ?? th.exclusive_minimum ?? undefined}
                max={th.maximum ?? th.exclusive_maximum ?? undefined} placeholder={`${th.value}`} value={values[th.name] ?? ""}
                aria-describedby={`threshold-${th.name}-hint`} onInput={(e) => onChange({ ...values, [th.name]: e.currentTarget.value })} /></label>
            <span class="hint" id={`threshold-${th.name}-hint`}>{th.description ?? ""}</span>
          </div>
        ))}
      </div>
    </details>
  );
}
