// A project's saved plans: run one again as saved, edit it in the builder, schedule it, give it
// a trigger URL, or delete it.
import { Fragment } from "preact";
import { useState } from "preact/hooks";
import { type PlanRead, type ScheduleRead, api } from "../api/client";
import { useI18n } from "../i18n";
import { useAccess } from "../lib/auth";
import { formatDateTime } from "../lib/format";
import { rememberRequest } from "../lib/plans";
import { howOften } from "../lib/schedule";
import { testPlannedSeconds } from "../lib/stages";
import { useAsync } from "../lib/useAsync";
import { href, navigate } from "../router";
import { PlanSchedule } from "./PlanSchedule";
import { Async, Confirm, ErrorNote } from "./ui";

export function Plans({ projectId }: { projectId: number }) {
  const { t } = useI18n();
  const plans = useAsync(() => Promise.all([api.plans(projectId), api.schedules(projectId)]), [projectId]);
  return (
    <section class="card" aria-labelledby="plans-title">
      <h2 id="plans-title">{t("plans.title")}</h2>
      <Async state={plans} what={t("plans.title")}>
        {([list, schedules]) => list.length ? <PlanTable plans={list} schedules={schedules} projectId={projectId} onChange={plans.reload} />
          : <p class="muted">{t("plans.none")}</p>}
      </Async>
    </section>
  );
}

function PlanTable({ plans, schedules, projectId, onChange }: { plans: PlanRead[]; schedules: ScheduleRead[]; projectId: number; onChange: () => void }) {
  const { t, locale, lang } = useI18n();
  const [open, setOpen] = useState<number | null>(null);
  const scheduleOf = new Map(schedules.map((s) => [s.plan_id, s]));
  const { can } = useAccess();
  const [error, setError] = useState<{ what: string; error: Error }>();
  const [deleting, setDeleting] = useState<PlanRead | null>(null);
  const run = async (plan: PlanRead) => {
    setError(undefined);
    try {
      const created = await api.runPlan(plan.id);
      const planned = testPlannedSeconds(plan.test.scenarios.map((s) => ({ executor: s.executor, stages: s.stages ?? [],
        vus: s.vus, duration: s.duration, rate: s.rate, startRate: s.rate, startTime: s.start_time })));
      rememberRequest(created.test_history_id, plan.test, planned, new Set(), plan.id);
      navigate(`/tests/${created.test_history_id}`);
    } catch (failure) { setError({ what: t("plans.runFailed"), error: failure as Error }); }
  };
  const remove = async (plan: PlanRead) => {
    try { await api.deletePlan(plan.id); onChange(); } catch (failure) { setError({ what: t("plans.deleteFailed"), error: failure as Error }); }
  };
  return (
    <>
      <div class="table-wrap"><table>
        <thead><tr><th scope="col">{t("col.name")}</th><th scope="col">{t("col.test")}</th><th scope="col">{t("plans.updated")}</th><th scope="col">{t("schedule.title")}</th>
          <th scope="col"><span class="sr-only">{t("col.actions")}</span></th></tr></thead>
        <tbody>{plans.map((p) => { const schedule = scheduleOf.get(p.id); return (
          <Fragment key={p.id}><tr>
            <td><strong>{p.name}</strong></td>
            <td>{p.test.title}<div class="muted small">{p.test.scenarios.map((s) => s.name).join(", ")}</div></td>
            <td>{formatDateTime(p.updated_at, locale)}</td>
            <td>{schedule ? <>{howOften(schedule, t, lang === "en" ? schedule.description : null)}
              {schedule.paused && <span class="badge">{t("schedule.paused")}</span>}</> : <span class="muted">{t("schedule.none")}</span>}</td>
            <td class="row-actions">
              {can("test") && <button type="button" class="small" onClick={() => run(p)} aria-label={`${t("plans.run")}: ${p.name}`}>{t("plans.run")}</button>}
              <a class="button secondary small" href={href(`/projects/${projectId}/new-test?plan=${p.id}`)} aria-label={`${t("plans.edit")}: ${p.name}`}>{t("plans.edit")}</a>
              <button type="button" class="secondary small" aria-expanded={open === p.id} onClick={() => setOpen(open === p.id ? null : p.id)}
                aria-label={`${t("schedule.open")}: ${p.name}`}>{open === p.id ? t("schedule.close") : t("schedule.open")}</button>
              {can("test") && <button type="button" class="danger small" onClick={() => setDeleting(p)} aria-label={`${t("delete")}: ${p.name}`}>{t("delete")}</button>}
            </td>
          </tr>
          {open === p.id && <tr><td colSpan={5}><PlanSchedule planId={p.id} onChange={onChange} /></td></tr>}
          </Fragment>
        ); })}</tbody>
      </table></div>
      {error && <ErrorNote error={error.error} what={error.what} />}
      <Confirm open={deleting !== null} title={t("plans.deleteTitle")} body={t("plans.deleteBody", { name: deleting?.name ?? "" })}
        confirm={t("delete")} onConfirm={() => deleting && remove(deleting)} onClose={() => setDeleting(null)} />
    </>
  );
}
