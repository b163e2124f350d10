// Failed requests per scenario by HTTP status (or k6's error code when no answer came), with
// their share and meaning in words: the same table on the live page and on the result page.
import type { Schemas } from "../api/client";
import { useI18n } from "../i18n";
import { formatNumber, formatPercent } from "../lib/format";

export type FailureRow = Schemas["FailureRead"];
export interface FailureGroup { name: string; failures: FailureRow[] }

export function FailuresTable({ groups }: { groups: FailureGroup[] }) {
  const { t, lang, locale } = useI18n();
  const rows = groups.flatMap((g) => g.failures.map((f) => ({ group: g.name, ...f })));
  return (
    <section class="card failures">
      <h2>{t("failures.title")}</h2>
      {rows.length === 0 ? <p class="muted">{t("failures.none")}</p> : (
        <div class="table-wrap"><table class="failures">
          <thead><tr><th scope="col">{t("failures.scenario")}</th><th scope="col">{t("failures.status")}</th>
            <th scope="col" class="num">{t("failures.count")}</th><th scope="col" class="num">{t("failures.share")}</th>
            <th scope="col">{t("failures.meaning")}</th></tr></thead>
          <tbody>{rows.map((r) => (
            <tr key={`${r.group}|${r.status}|${r.error_code ?? ""}`}>
              <th scope="row">{r.group}</th>
              <td><strong>{r.label}</strong>{r.error_code && !r.label.endsWith(r.error_code) && <span class="muted small"> k6 {r.error_code}</span>}</td>
              <td class="num">{formatNumber(r.count, locale)}</td>
              <td class="num">{formatPercent(r.share, locale)}</td>
              <td>{lang === "ko" ? r.meaning.ko : r.meaning.en}</td>
            </tr>
          ))}</tbody>
        </table></div>
      )}
    </section>
  );
}
