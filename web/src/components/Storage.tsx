// What a project keeps in InfluxDB, for admins: its points counted on request (the count reads
// them all, so it is not done on every visit), and how long points are kept.
import { useState } from "preact/hooks";
import { type Storage, api } from "../api/client";
import { useI18n } from "../i18n";
import { useAccess } from "../lib/auth";
import { useAction } from "../lib/useAsync";
import { ErrorNote } from "./ui";

export function ProjectStorage({ projectId }: { projectId: number }) {
  const { t } = useI18n();
  const { can } = useAccess();
  const [storage, setStorage] = useState<Storage | null>(null);
  const { busy, error, run } = useAction();
  if (!can("admin")) return null;
  const count = () => run(async () => setStorage(await api.storage(projectId)));
  const mine = storage?.projects.find((p) => p.project_id === projectId);
  return (
    <section class="card" aria-labelledby="storage-title">
      <h2 id="storage-title">{t("storage.title")}</h2>
      {storage && <p role="status">{mine ? t("storage.points", { points: mine.points.toLocaleString(), tests: mine.tests }) : t("storage.none")}</p>}
      {storage && <p class="muted small">{storage.retention_days ? t("storage.retention", { days: storage.retention_days }) : t("storage.forever")}</p>}
      <p class="muted small">{t("storage.note")}</p>
      <button type="button" class="secondary small" disabled={busy} onClick={count}>{busy ? t("loading") : t("storage.count")}</button>
      {error && <ErrorNote error={error} what={t("storage.title")} />}
    </section>
  );
}
