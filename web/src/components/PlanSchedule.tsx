// A plan's schedule (cron in a time zone or every N hours, with its next runs in words, pause and
// resume) and its trigger URLs (made once, shown once, revoked). Testers edit; viewers read.
import { useEffect, useState } from "preact/hooks";
import { type ScheduleRead, type SchedulePreview, api } from "../api/client";
import { useI18n } from "../i18n";
import { useAccess } from "../lib/auth";
import { formatDateTime } from "../lib/format";
import { howOften, nextRunWords, scheduleBody } from "../lib/schedule";
import { useAsync } from "../lib/useAsync";
import { Async, ErrorNote } from "./ui";

type Form = Parameters<typeof scheduleBody>[0];
const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

function formOf(s: ScheduleRead | null): Form {
  return { mode: s?.every_hours ? "every" : "cron", cron: s?.cron ?? "0 2 * * *", timezone: s?.timezone ?? browserZone(),
    hours: s?.every_hours ?? 24, skip: s?.skip_while_running ?? true, catchUp: s?.catch_up ?? "one", paused: s?.paused ?? false };
}

export function PlanSchedule({ planId, onChange }: { planId: number; onChange: () => void }) {
  const { t } = useI18n();
  const schedule = useAsync(() => api.schedule(planId), [planId]);
  return (
    <div class="plan-schedule">
      <Async state={schedule} what={t("schedule.title")}>
        {(found) => <ScheduleEditor planId={planId} schedule={found} onSaved={() => { schedule.reload(); onChange(); }} />}
      </Async>
      <Triggers planId={planId} />
    </div>
  );
}

function NextRuns({ runs, zone }: { runs: string[]; zone: string }) {
  const { t, locale } = useI18n();
  if (!runs.length) return <p class="muted small">{t("schedule.nextNone")}</p>;
  return <ol class="small next-runs" aria-label={t("schedule.next")}>{runs.map((at) => <li key={at}>{nextRunWords(at, locale, zone)}</li>)}</ol>;
}

function ScheduleEditor({ planId, schedule, onSaved }: { planId: number; schedule: ScheduleRead | null; onSaved: () => void }) {
  const { t, lang, locale } = useI18n();
  const { can } = useAccess();
  const [form, setForm] = useState<Form>(() => formOf(schedule));
  const [preview, setPreview] = useState<SchedulePreview | Error | null>(null);
  const [error, setError] = useState<Error>();
  const set = (change: Partial<Form>) => setForm({ ...form, ...change });
  useEffect(() => { // the next runs of what is typed, before it is saved
    const body = scheduleBody(form);
    const timer = setTimeout(() => {
      api.previewSchedule({ cron: body.cron, every_hours: body.every_hours, timezone: body.timezone })
        .then(setPreview, (failure: Error) => setPreview(failure));
    }, 400);
    return () => clearTimeout(timer);
  }, [form.mode, form.cron, form.timezone, form.hours]);
  const act = async (call: () => Promise<unknown>) => {
    setError(undefined);
    try { await call(); onSaved(); } catch (failure) { setError(failure as Error); }
  };
  const english = lang === "en";
  return (
    <section aria-label={t("schedule.title")}>
      <h3>{t("schedule.title")}</h3>
      {schedule ? (
        <p>
          <strong>{howOften(schedule, t, english ? schedule.description : null)}</strong>
          {schedule.paused && <span class="badge"> {t("schedule.paused")}</span>}
          {schedule.last_outcome && <span class="muted small"> · {t("schedule.last")}: {formatDateTime(schedule.last_due_at, locale)}{" "}
            {t(`schedule.outcome.${schedule.last_outcome}`)}{schedule.last_detail ? ` (${schedule.last_detail})` : ""}</span>}
        </p>
      ) : <p class="muted">{t("schedule.none")}</p>}
      {schedule && <NextRuns runs={schedule.next_runs} zone={schedule.timezone} />}
      {can("test") && (
        <form onSubmit={(e) => { e.preventDefault(); act(() => api.setSchedule(planId, scheduleBody(form))); }}>
          <div class="form-grid">
            <label>{t("schedule.kind")}<select name="mode" value={form.mode} onChange={(e) => set({ mode: e.currentTarget.value as Form["mode"] })}>
              <option value="cron">{t("schedule.cron")}</option><option value="every">{t("schedule.every")}</option></select></label>
            {form.mode === "cron"
              ? <label>{t("schedule.cronLabel")}<input name="cron" value={form.cron} required onInput={(e) => set({ cron: e.currentTarget.value })} /></label>
              : <label>{t("schedule.hours")}<input name="every_hours" type="number" min="1" max="744" value={form.hours}
                  onInput={(e) => set({ hours: Number(e.currentTarget.value) })} /></label>}
            <label>{t("schedule.zone")}<input name="timezone" value={form.timezone} onInput={(e) => set({ timezone: e.currentTarget.value })} /></label>
            <label>{t("schedule.catchUp")}<select name="catch_up" value={form.catchUp} onChange={(e) => set({ catchUp: e.currentTarget.value as Form["catchUp"] })}>
              <option value="one">{t("schedule.catchOne")}</option><option value="none">{t("schedule.catchNone")}</option></select></label>
            <label class="check span2"><input type="checkbox" name="skip_while_running" checked={form.skip}
              onChange={(e) => set({ skip: e.currentTarget.checked })} />{t("schedule.skip")}</label>
          </div>
          <div class="schedule-preview" aria-live="polite">
            {preview instanceof Error ? <p class="hint bad small">{t("schedule.previewFailed")}: {preview.message}</p>
              : preview && <><p class="small">{howOften(scheduleBody(form), t, english ? preview.description : null)}</p>
                <NextRuns runs={preview.next_runs} zone={scheduleBody(form).timezone} /></>}
          </div>
          <div class="actions">
            <button type="submit" class="small">{t("schedule.save")}</button>
            {schedule && <button type="button" class="secondary small" onClick={() => act(() => api.pauseSchedule(planId, !schedule.paused))}>
              {schedule.paused ? t("schedule.resume") : t("schedule.pause")}</button>}
            {schedule && <button type="button" class="danger small" onClick={() => act(() => api.deleteSchedule(planId))}>{t("schedule.remove")}</button>}
          </div>
        </form>
      )}
      {error && <ErrorNote error={error} what={t("schedule.saveFailed")} />}
    </section>
  );
}

function Triggers({ planId }: { planId: number }) {
  const { t, locale } = useI18n();
  const { can } = useAccess();
  const triggers = useAsync(() => api.triggers(planId), [planId]);
  const [name, setName] = useState("deploy");
  const [made, setMade] = useState<{ token: string; url: string } | null>(null);
  const [error, setError] = useState<Error>();
  const create = async () => {
    setError(undefined);
    try { const created = await api.createTrigger(planId, name); setMade(created); triggers.reload(); }
    catch (failure) { setError(failure as Error); }
  };
  const revoke = async (id: number) => {
    try { await api.revokeTrigger(planId, id); triggers.reload(); } catch (failure) { setError(failure as Error); }
  };
  const url = made ? new URL(made.url, window.location.origin).toString() : "";
  return (
    <section aria-label={t("trigger.title")}>
      <h3>{t("trigger.title")}</h3>
      <Async state={triggers} what={t("trigger.title")}>
        {(list) => list.length ? (
          <ul class="small">{list.map((tr) => <li key={tr.id}><strong>{tr.name}</strong> <code>{tr.hint}</code>{" "}
            <span class="muted">{tr.revoked_at ? t("trigger.revoked") : `${t("trigger.lastUsed")}: ${tr.last_used_at ? formatDateTime(tr.last_used_at, locale) : t("trigger.never")}`}</span>
            {can("test") && !tr.revoked_at && <button type="button" class="danger small" onClick={() => revoke(tr.id)}>{t("trigger.revoke")}</button>}</li>)}</ul>
        ) : <p class="muted small">{t("trigger.none")}</p>}
      </Async>
      {made && (
        <div class="note" role="status">
          <p><strong>{t("trigger.once")}</strong></p>
          <p class="small">{t("trigger.example")}</p>
          <pre class="small">{`curl -fsS -X POST "${url}" \\\n  -H "Authorization: Bearer ${made.token}" \\\n  -H "Idempotency-Key: $DEPLOY_ID"`}</pre>
        </div>
      )}
      {can("test") && (
        <form class="actions" onSubmit={(e) => { e.preventDefault(); create(); }}>
          <label class="inline">{t("trigger.name")}<input name="trigger_name" required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} /></label>
          <button type="submit" class="secondary small">{t("trigger.create")}</button>
        </form>
      )}
      {error && <ErrorNote error={error} what={t("trigger.createFailed")} />}
    </section>
  );
}
