// The Postman import's preview back into a test the builder loads: each secret, masked in the
// preview, put back at its places from the values typed or read from the files the browser holds.
import type { LoadTestCreate, PostmanPreview } from "../api/client";

type Json = Record<string | number, unknown>;

/** The variables the collection and its environment give values (the environment's win). */
export function fileValues(collection: string, environment?: string): Record<string, string> {
  const found: Record<string, string> = {};
  const take = (entries: unknown) => {
    if (!Array.isArray(entries)) return;
    for (const entry of entries as Json[]) {
      if (entry && typeof entry.key === "string" && entry.disabled !== true && entry.enabled !== false) {
        found[entry.key] = entry.value === undefined || entry.value === null ? "" : String(entry.value);
      }
    }
  };
  try { take((JSON.parse(collection) as Json).variable); } catch { /* the server says why */ }
  if (environment) try { take((JSON.parse(environment) as Json).values); } catch { /* idem */ }
  return found;
}

/** The preview's test with every secret's template filled from ``values`` (by secret name). */
export function withSecrets(preview: PostmanPreview, values: Record<string, string>): LoadTestCreate | null {
  if (!preview.test) return null;
  const test = structuredClone(preview.test) as unknown as Json;
  for (const secret of preview.secrets) {
    for (const place of secret.places) {
      let node = test;
      for (const part of place.at.slice(0, -1)) node = node[part] as Json;
      let value = place.template;
      for (const [name, text] of Object.entries(values)) value = value.split(`{{${name}}}`).join(text);
      node[place.at[place.at.length - 1] as string | number] = value;
    }
  }
  return test as unknown as LoadTestCreate;
}
