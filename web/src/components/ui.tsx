// The small pieces every page uses: loading and error states, status badges, figure tiles.
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { ApiError } from "../api/client";
import { type Key, useI18n } from "../i18n";

export function Loading({ label }: { label?: string }) {
  const { t } = useI18n();
  return <div class="loading" role="status" aria-live="polite"><span class="spinner" aria-hidden="true" />{label ?? t("loading")}</div>;
}

export function ErrorNote({ error, retry, what }: { error: Error; retry?: () => void; what?: string }) {
  const { t } = useI18n();
  const unreachable = error instanceof ApiError && error.status === 0;
  return (
    <div class="note error" role="alert">
      <strong>{what ?? t("error.request")}</strong>
      <p>{unreachable ? t("error.unreachable") : error.message}</p>
      {retry && <button type="button" class="secondary" onClick={retry}>{t("retry")}</button>}
    </div>
  );
}

export function Async<T>({ state, what, children }: {
  state: { data: T | undefined; error: Error | undefined; loading: boolean; reload: () => void };
  what?: string; children: (data: T) => ComponentChildren;
}) {
  if (state.error && state.data === undefined) return <ErrorNote error={state.error} retry={state.reload} what={what} />;
  if (state.data === undefined) return <Loading />;
  return <>{children(state.data)}</>;
}

const STATUS_ICON: Record<string, string> = {
  running: "▶", pending: "…", queued: "…", starting: "…", succeeded: "✓", completed: "✓",
  failed: "✕", timed_out: "⏱", cancelled: "■", cancelling: "■",
};

/** A status as an icon and a word, so colour is never the only signal. */
export function StatusBadge({ status }: { status: string }) {
  const { t } = useI18n();
  const key = `status.${status}` as Key;
  const label = t(key) === key ? status : t(key);
  return <span class={`badge status-${status}`}><span aria-hidden="true">{STATUS_ICON[status] ?? "•"}</span> {label}</span>;
}

const STATE_ICON: Record<string, string> = { pending: "…", running: "▶", completed: "■", failed_to_run: "✕", cancelled: "■" };

/** Whether the run ran to its end: never whether it passed (that is the verdict). */
export function StateBadge({ state }: { state: string }) {
  const { t } = useI18n();
  const key = `state.${state}` as Key;
  const label = t(key) === key ? state : t(key);
  return <span class={`badge state-${state}`} data-state={state}><span aria-hidden="true">{STATE_ICON[state] ?? "•"}</span> {label}</span>;
}

/** The run's verdict, the same word as the HTML report and the JUnit file. */
export function OutcomeBadge({ outcome, reason }: { outcome: "passed" | "failed"; reason?: string }) {
  const { t } = useI18n();
  return <span class={`badge outcome-${outcome}`} data-verdict={outcome} title={reason}>
    <span aria-hidden="true">{outcome === "passed" ? "✓" : "✕"}</span> {t(`outcome.${outcome}`)}</span>;
}

/** In a list: the verdict once there is one, else the run's state; and the baseline marked. */
export function RunBadges({ state, verdict, baseline }: { state: string; verdict?: "passed" | "failed" | null; baseline?: boolean }) {
  const { t } = useI18n();
  return <>
    {verdict && state === "completed" ? <OutcomeBadge outcome={verdict} /> : <StateBadge state={state} />}
    {baseline && <span class="badge baseline-mark" title={t("analysis.thisIsBaseline")}>◆ {t("analysis.baselineMark")}</span>}
  </>;
}

export function Tile({ label, value, hint, tone }: { label: string; value: string; hint?: string; tone?: "good" | "bad" }) {
  return (
    <div class={`tile ${tone ?? ""}`}>
      <div class="tile-label">{label}</div>
      <div class="tile-value">{value}</div>
      {hint && <div class="tile-hint">{hint}</div>}
    </div>
  );
}

export function Method({ method }: { method: string }) {
  return <span class={`method m-${method.toLowerCase()}`}>{method}</span>;
}

export function Empty({ title, children }: { title: string; children?: ComponentChildren }) {
  return <div class="empty"><h3>{title}</h3>{children}</div>;
}

/** A confirmation as a native modal dialog: focus trapped, Escape cancels. */
export function Confirm({ open, title, body, confirm, onConfirm, onClose }: {
  open: boolean; title: string; body: string; confirm: string; onConfirm: () => void; onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const { t } = useI18n();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} onClose={onClose} aria-labelledby="confirm-title">
      <h3 id="confirm-title">{title}</h3>
      <p>{body}</p>
      <div class="actions">
        <button type="button" class="secondary" onClick={onClose}>{t("cancel")}</button>
        <button type="button" class="danger" onClick={() => { onConfirm(); onClose(); }}>{confirm}</button>
      </div>
    </dialog>
  );
}
