// A project's saved plans: run one again as saved, edit it in the builder, or delete it.
import { useState } from "preact/hooks";
import { type PlanRead, api } from "../api/client";
import { useI18n } from "../i18n";
import { useAccess } from "../lib/auth";
import { formatDateTime } from "../lib/format";
import { rememberRequest } from "../lib/plans";
import { testPlannedSeconds } from "../lib/stages";
import { useAsync } from "../lib/useAsync";
import { href, navigate } from "../router";
import { Async, Confirm, ErrorNote } from "./ui";

export function Plans({ projectId }: { projectId: number }) {
  const { t } = useI18n();
  const plans = useAsync(() => api.plans(projectId), [projectId]);
  return (
    <section class="card" aria-labelledby="plans-title">
      <h2 id="plans-title">{t("plans.title")}</h2>
      <Async state={plans} what={t("plans.title")}>
        {(list) => list.length ? <PlanTable plans={list} projectId={projectId} onChange={plans.reload} />
          : <p class="muted">{t("plans.none")}</p>}
      </Async>
    </section>
  );
}

function PlanTable({ plans, projectId, onChange }: { plans: PlanRead[]; projectId: number; onChange: () => void }) {
  const { t, locale } = useI18n();
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
        <thead><tr><th scope="col">{t("col.name")}</th><th scope="col">{t("col.test")}</th><th scope="col">{t("plans.updated")}</th>
          <th scope="col"><span class="sr-only">{t("col.actions")}</span></th></tr></thead>
        <tbody>{plans.map((p) => (
          <tr key={p.id}>
            <td><strong>{p.name}</strong></td>
            <td>{p.test.title}<div class="muted small">{p.test.scenarios.map((s) => s.name).join(", ")}</div></td>
            <td>{formatDateTime(p.updated_at, locale)}</td>
            <td class="row-actions">
              {can("test") && <button type="button" class="small" onClick={() => run(p)} aria-label={`${t("plans.run")}: ${p.name}`}>{t("plans.run")}</button>}
              <a class="button secondary small" href={href(`/projects/${projectId}/new-test?plan=${p.id}`)} aria-label={`${t("plans.edit")}: ${p.name}`}>{t("plans.edit")}</a>
              {can("test") && <button type="button" class="danger small" onClick={() => setDeleting(p)} aria-label={`${t("delete")}: ${p.name}`}>{t("delete")}</button>}
            </td>
          </tr>
        ))}</tbody>
      </table></div>
      {error && <ErrorNote error={error.error} what={error.what} />}
      <Confirm open={deleting !== null} title={t("plans.deleteTitle")} body={t("plans.deleteBody", { name: deleting?.name ?? "" })}
        confirm={t("delete")} onConfirm={() => deleting && remove(deleting)} onClose={() => setDeleting(null)} />
    </>
  );
}
