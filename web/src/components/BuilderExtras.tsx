// The builder's second actions: the exact k6 script of the test as it stands (read-only), and
// saving the test as a named plan of the project (or saving the plan being edited).
import { useState } from "preact/hooks";
import { type LoadTestCreate, type PlanRead, api } from "../api/client";
import { useI18n } from "../i18n";
import { ErrorNote } from "./ui";

export function ScriptPreview({ build }: { build: () => LoadTestCreate | null }) {
  const { t } = useI18n();
  const [script, setScript] = useState<string>();
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const show = async () => {
    const request = build();
    if (!request) return;
    setBusy(true); setError(undefined); setScript(undefined);
    try { setScript(await api.preview(request)); } catch (failure) { setError(failure as Error); }
    setBusy(false);
  };
  return (
    <div class="preview">
      <div class="actions row">
        <button type="button" class="secondary" disabled={busy} onClick={show}>{busy ? t("preview.busy") : t("preview.action")}</button>
        {script !== undefined && <button type="button" class="secondary" onClick={() => setScript(undefined)}>{t("preview.close")}</button>}
      </div>
      {error && <ErrorNote error={error} what={t("preview.failed")} />}
      {script !== undefined && (
        <>
          <h3 id="preview-title">{t("preview.title")}</h3>
          <pre class="code preview" tabIndex={0} aria-labelledby="preview-title">{script}</pre>
        </>
      )}
    </div>
  );
}

export function SavePlan({ projectId, plan, build, onSaved }: {
  projectId: number; plan: PlanRead | null; build: () => LoadTestCreate | null; onSaved: (plan: PlanRead) => void;
}) {
  const { t } = useI18n();
  const [name, setName] = useState(plan?.name ?? "");
  const [saved, setSaved] = useState<string>();
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const save = async () => {
    const test = build();
    if (!test || !name.trim()) return;
    setBusy(true); setError(undefined); setSaved(undefined);
    try {
      const body = { project_id: projectId, name: name.trim(), test };
      const result = plan ? await api.replacePlan(plan.id, body) : await api.createPlan(body);
      setSaved(result.name); onSaved(result);
    } catch (failure) { setError(failure as Error); }
    setBusy(false);
  };
  return (
    <div class="save-plan">
      <div class="actions row">
        <label class="inline">{t("plans.name")}<input name="plan_name" maxLength={255} value={name} onInput={(e) => setName(e.currentTarget.value)} /></label>
        <button type="button" class="secondary" disabled={busy || !name.trim()} onClick={save}>{plan ? t("plans.update") : t("plans.save")}</button>
      </div>
      {saved && <p class="note success small" role="status">✓ {t("plans.saved", { name: saved })}</p>}
      {error && <ErrorNote error={error} what={t("plans.saveFailed")} />}
    </div>
  );
}
