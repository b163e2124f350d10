// A scenario's test data in the builder: which data file of the project it takes its rows from
// and how (the contracts' DataUse); the file's columns are variables ({{column}}) of its requests.
import type { DataFileRead, Schemas } from "../api/client";

export type DataMode = Schemas["DataMode"];
export type DataChoice = Schemas["DataUse"];
/** The order the picker offers them: the default first, the one with a caveat last. */
export const DATA_MODES: DataMode[] = ["per_iteration", "per_vu", "random", "unique"];

/** The chosen file's name and columns, or null: no file chosen, or it is no longer listed. */
export interface DataColumns { file: string; columns: string[] }

export function dataColumns(choice: DataChoice | null, files: readonly DataFileRead[]): DataColumns | null {
  const file = choice ? files.find((f) => f.id === choice.file_id) : undefined;
  return file ? { file: file.name, columns: file.columns } : null;
}

/** A chosen file the project no longer lists (deleted since the plan or run was made). */
export const dataGone = (choice: DataChoice | null, files: readonly DataFileRead[]): boolean =>
  choice !== null && !files.some((f) => f.id === choice.file_id);

/** The scenarios that take in unique mode a file an earlier scenario already takes so: each
 *  would take every row (the gateway refuses it; said here before Start). */
export function uniqueTwice(scenarios: readonly { name: string; data: DataChoice | null }[]): string[] {
  const taken = new Set<number>();
  return scenarios.flatMap((s) => {
    if (s.data?.mode !== "unique") return [];
    if (taken.has(s.data.file_id)) return [s.name];
    taken.add(s.data.file_id);
    return [];
  });
}
