// A scenario's test data in the builder: a data file of the project (or one uploaded right
// here), which row each iteration takes, said in words, and the file's columns as the
// variables its requests may use. The rows stay on the server; the test names the file.
import { useState } from "preact/hooks";
import { type DataFileRead, api } from "../api/client";
import { useI18n } from "../i18n";
import { useAccess } from "../lib/auth";
import { DATA_MODES, type DataChoice, type DataMode, dataGone } from "../lib/data";
import { Preview } from "./DataFiles";
import { ErrorNote } from "./ui";

export function DataPicker({ projectId, files, value, id, onChange, onUploaded }: {
  projectId: number; files: DataFileRead[]; value: DataChoice | null; id: string;
  onChange: (value: DataChoice | null) => void; onUploaded: (file: DataFileRead) => void;
}) {
  const { t, locale } = useI18n();
  const { can } = useAccess();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const [showRows, setShowRows] = useState(false);
  const mode: DataMode = value?.mode ?? "per_iteration";
  const file = value ? files.find((f) => f.id === value.file_id) : undefined;
  const upload = async (input: HTMLInputElement) => {
    const chosen = input.files?.[0];
    if (!chosen) return;
    setBusy(true); setError(undefined);
    try {
      const added = await api.uploadDataFile(projectId, chosen);
      onUploaded(added);
      onChange({ file_id: added.id, mode });
    } catch (failure) { setError(failure as Error); }
    finally { setBusy(false); input.value = ""; }
  };
  return (
    <fieldset class="data-pick">
      <legend>{t("data.title")}</legend>
      <p class="hint">{t("data.pick.hint")}</p>
      <div class="form-grid">
        <label>{t("data.pick.file")}<select name="data_file" value={value ? String(value.file_id) : ""} aria-invalid={dataGone(value, files)}
          onChange={(e) => onChange(e.currentTarget.value ? { file_id: Number(e.currentTarget.value), mode } : null)}>
          <option value="">{t("data.pick.none")}</option>
          {files.map((f) => <option key={f.id} value={f.id}>{t("data.pick.option", { name: f.name, rows: f.row_count.toLocaleString(locale) })}</option>)}
          {value && !file && <option value={value.file_id}>#{value.file_id}</option>}
        </select></label>
        {value && <label>{t("data.pick.mode")}<select name="data_mode" value={mode} aria-describedby={`${id}-data-mode`}
          onChange={(e) => onChange({ ...value, mode: e.currentTarget.value as DataMode })}>
          {DATA_MODES.map((m) => <option key={m} value={m}>{t(`data.mode.${m}`)}</option>)}
        </select></label>}
      </div>
      {/* Below the fields, not under the select: the unique mode's caveat needs the width. */}
      {value && <p class="hint" id={`${id}-data-mode`}>{t(`data.modeHint.${mode}`)}</p>}
      {value && !file && <p class="hint bad" role="alert">{t("data.pick.gone")}</p>}
      {file && <div class="data-columns">
        <span class="hint">{t("data.pick.columns")}</span> {file.columns.map((c) => <code key={c}>{`{{${c}}}`}</code>)}
        <button type="button" class="secondary small" aria-expanded={showRows} onClick={() => setShowRows(!showRows)}>{t("data.preview")}</button>
      </div>}
      {file && showRows && <Preview file={file} />}
      {can("test") && (
        <label class="button secondary small">
          {busy ? t("data.uploading") : t("data.pick.uploadHere")}
          <input type="file" class="sr-only" accept=".csv,.json,text/csv,application/json" disabled={busy}
            onChange={(event) => upload(event.currentTarget)} />
        </label>
      )}
      {error && <ErrorNote error={error} what={t("data.uploadFailed")} />}
    </fieldset>
  );
}
