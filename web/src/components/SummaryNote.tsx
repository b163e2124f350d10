// Whether a test's figures are whole, said in words wherever they are shown: on the result, and
// on the live page once the stream's summary arrives after the end.
import type { LiveSummary } from "../api/client";
import { useI18n } from "../i18n";

/** Figures that miss requests must never look whole: said in words, with why. */
export function IncompleteBanner({ reason }: { reason?: string | null }) {
  const { t } = useI18n();
  return <div class="note warn" role="alert"><strong><span aria-hidden="true">⚠ </span>{t("result.incomplete")}</strong>
    {reason && <p>{t("result.incompleteBody", { reason })}</p>}</div>;
}

/** After the end: the summary on its way, then whether the figures are whole, or that the summary
 * is not stored yet (the stream stopped waiting for it). */
export function SummaryNote({ ended, summary }: { ended: boolean; summary?: LiveSummary }) {
  const { t } = useI18n();
  if (summary?.complete === false) return <IncompleteBanner reason={summary.incomplete_reason} />;
  if (summary && !summary.stored) return <p class="note warn" role="status">{t("summary.pending")}</p>;
  if (ended && !summary) return <p class="note" role="status" aria-live="polite">{t("summary.waiting")}</p>;
  return null;
}
