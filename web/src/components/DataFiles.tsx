// A project's test data: CSV or JSON files whose columns become variables of the scenarios that
// use them. Testers upload and delete; everyone reads the list and each file's first rows (the
// gateway answers a preview, never the whole file).
import { Fragment } from "preact";
import { useState } from "preact/hooks";
import { type DataFileRead, api } from "../api/client";
import { useI18n } from "../i18n";
import { useAccess } from "../lib/auth";
import { formatDateTime } from "../lib/format";
import { useAsync } from "../lib/useAsync";
import { Async, Confirm, ErrorNote } from "./ui";

export function DataFiles({ projectId }: { projectId: number }) {
  const { t } = useI18n();
  const { can } = useAccess();
  const files = useAsync(() => api.dataFiles(projectId), [projectId]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const upload = async (input: HTMLInputElement) => {
    const file = input.files?.[0];
    if (!file) return;
    setBusy(true); setError(undefined);
    try { await api.uploadDataFile(projectId, file); files.reload(); }
    catch (failure) { setError(failure as Error); }
    finally { setBusy(false); input.value = ""; }
  };
  return (
    <section class="card" aria-labelledby="data-title">
      <h2 id="data-title">{t("data.title")}</h2>
      <p class="muted small">{t("data.hint")}</p>
      <Async state={files} what={t("data.title")}>
        {(list) => list.length ? <DataTable files={list} onChange={files.reload} /> : <p class="muted">{t("data.none")}</p>}
      </Async>
      {can("test") && (
        <label class="button secondary small">
          {busy ? t("data.uploading") : t("data.upload")}
          <input type="file" class="sr-only" accept=".csv,.json,text/csv,application/json" disabled={busy}
            onChange={(event) => upload(event.currentTarget)} />
        </label>
      )}
      {error && <ErrorNote error={error} what={t("data.uploadFailed")} />}
    </section>
  );
}

function DataTable({ files, onChange }: { files: DataFileRead[]; onChange: () => void }) {
  const { t, locale } = useI18n();
  const { can } = useAccess();
  const [open, setOpen] = useState<number | null>(null);
  const [deleting, setDeleting] = useState<DataFileRead | null>(null);
  const [error, setError] = useState<Error>();
  const remove = async (file: DataFileRead) => {
    setError(undefined);
    try { await api.deleteDataFile(file.id); onChange(); } catch (failure) { setError(failure as Error); }
  };
  return (
    <>
      <div class="table-wrap"><table class="stacked">
        <thead><tr><th scope="col">{t("col.name")}</th><th scope="col">{t("data.columns")}</th><th scope="col">{t("data.rows")}</th>
          <th scope="col">{t("data.uploaded")}</th><th scope="col"><span class="sr-only">{t("col.actions")}</span></th></tr></thead>
        <tbody>{files.map((file) => (
          <Fragment key={file.id}>
            <tr>
              <th scope="row"><strong>{file.name}</strong> <span class="badge">{file.format}</span></th>
              <td class="wrap" data-label={t("data.columns")}>{file.columns.map((c) => <code key={c}>{`{{${c}}}`} </code>)}</td>
              <td data-label={t("data.rows")}>{file.row_count.toLocaleString(locale)}</td>
              <td data-label={t("data.uploaded")}>{formatDateTime(file.created_at, locale)}</td>
              <td class="row-actions">
                <button type="button" class="secondary small" aria-expanded={open === file.id}
                  onClick={() => setOpen(open === file.id ? null : file.id)}>{t("data.preview")}</button>
                {can("test") && <button type="button" class="danger small" onClick={() => setDeleting(file)}>{t("delete")}</button>}
              </td>
            </tr>
            {open === file.id && <tr><td colSpan={5}><Preview file={file} /></td></tr>}
          </Fragment>
        ))}</tbody>
      </table></div>
      {error && <ErrorNote error={error} what={t("data.deleteFailed")} />}
      <Confirm open={deleting !== null} title={t("data.deleteTitle")} body={t("data.deleteBody", { name: deleting?.name ?? "" })}
        confirm={t("delete")} onConfirm={() => deleting && remove(deleting)} onClose={() => setDeleting(null)} />
    </>
  );
}

/** A file's first rows as the gateway answers them (never the whole file). */
export function Preview({ file }: { file: DataFileRead }) {
  const { t } = useI18n();
  return (
    <div class="table-wrap"><table aria-label={`${file.name}: ${t("data.preview")}`}>
      <thead><tr>{file.columns.map((c) => <th key={c} scope="col">{c}</th>)}</tr></thead>
      <tbody>{file.preview.map((row, index) => (
        <tr key={index}>{row.map((value, column) => <td key={column}>{value === null ? "" : String(value)}</td>)}</tr>
      ))}</tbody>
    </table></div>
  );
}
