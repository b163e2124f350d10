// Live findings (e.g. a burst of failures) as they arrive, newest first, announced politely.
import type { Finding } from "../api/client";
import { useI18n } from "../i18n";
import { formatDateTime, formatTime } from "../lib/format";

export interface LiveAlert { at: string; finding: Finding }

export function LiveAlerts({ alerts }: { alerts: LiveAlert[] }) {
  const { t, lang, locale } = useI18n();
  return (
    <section class="card" aria-labelledby="alerts-title">
      <h2 id="alerts-title">{t("alerts.title")}</h2>
      <div aria-live="polite">
        {alerts.length === 0 ? <p class="muted">{t("alerts.none")}</p> : (
          <ul class="alerts">
            {[...alerts].reverse().map(({ at, finding }, i) => (
              <li key={`${at}-${i}`} class={`finding sev-${finding.severity}`}>
                <div class="finding-head">
                  <span class={`badge sev-${finding.severity}`}><span aria-hidden="true">!</span> {t(`severity.${finding.severity}`)}</span>
                  <strong>{finding.title[lang]}</strong>
                  <span class="muted small">{finding.scenario ?? t("analysis.whole")} · <time dateTime={at} title={formatDateTime(at, locale)}>{formatTime(at, locale)}</time></span>
                </div>
                <p>{finding.detail[lang]}</p>
              </li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
