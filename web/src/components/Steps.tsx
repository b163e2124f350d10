// A journey's figures per step (its login first) and its checks' pass rates, from the stored
// summary: the steps of a scenario add up to its requests.
import type { Schemas } from "../api/client";
import { useI18n } from "../i18n";
import { formatMs, formatNumber, formatPercent } from "../lib/format";

export type Journeys = Record<string, Schemas["JourneyRead"]>;

export function StepsTable({ journeys }: { journeys: Journeys }) {
  const { t, locale } = useI18n();
  const entries = Object.entries(journeys);
  if (entries.length === 0) return null;
  return (
    <section class="card journey-results">
      <h2>{t("steps.title")}</h2>
      {entries.map(([name, journey]) => {
        return (
          <div key={name}>
            <h3>{name}</h3>
            <div class="table-wrap"><table class="step-figures">
              <thead><tr><th scope="col">{t("steps.step")}</th><th scope="col" class="num">{t("steps.requests")}</th>
                <th scope="col" class="num">{t("steps.failed")}</th><th scope="col" class="num">{t("steps.avg")}</th>
                <th scope="col" class="num">{t("steps.max")}</th><th scope="col">{t("steps.statuses")}</th></tr></thead>
              <tbody>{journey.steps.map((s) => (
                <tr key={s.name}>
                  <th scope="row">{s.name}</th>
                  <td class="num">{formatNumber(s.requests, locale)}</td>
                  <td class="num">{formatNumber(s.failed, locale)}</td>
                  <td class="num">{formatMs(s.avg_response_time, locale)}</td>
                  <td class="num">{formatMs(s.max_response_time, locale)}</td>
                  <td>{(s.failures ?? []).map((f) => `${f.status}: ${formatNumber(f.count, locale)}`).join(", ") || "—"}</td>
                </tr>
              ))}</tbody>
            </table></div>
            {(journey.checks ?? []).length > 0 && (
              <div class="table-wrap"><table class="checks">
                <thead><tr><th scope="col">{t("steps.check")}</th><th scope="col" class="num">{t("steps.passes")}</th>
                  <th scope="col" class="num">{t("steps.rate")}</th></tr></thead>
                <tbody>{journey.checks.map((c) => (
                  <tr key={c.name}>
                    <th scope="row">{c.name}</th>
                    <td class="num">{formatNumber(c.passes, locale)} / {formatNumber(c.total, locale)}</td>
                    <td class="num">{formatPercent(c.total ? c.passes / c.total : null, locale)}</td>
                  </tr>
                ))}</tbody>
              </table></div>
            )}
          </div>
        );
      })}
    </section>
  );
}
