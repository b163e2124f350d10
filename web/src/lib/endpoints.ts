// Searching a project's endpoints in the browser: every endpoint is loaded once, and a search
// over 1,200 of them takes well under a frame.
import type { EndpointRead } from "../api/client";

export interface EndpointFilter { text: string; tag: string; method: string }

export function filterEndpoints(endpoints: EndpointRead[], filter: EndpointFilter): EndpointRead[] {
  const words = filter.text.toLowerCase().split(/\s+/).filter(Boolean);
  return endpoints.filter((e) => {
    if (filter.method && e.method !== filter.method) return false;
    if (filter.tag && !e.tags.includes(filter.tag)) return false;
    if (!words.length) return true;
    const haystack = `${e.method} ${e.path} ${e.summary ?? ""} ${e.operation_id ?? ""} ${e.tags.join(" ")}`.toLowerCase();
    return words.every((word) => haystack.includes(word));
  });
}

/** Tags with their endpoint counts, most used first. */
export function tagCounts(endpoints: EndpointRead[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const e of endpoints) for (const tag of e.tags) counts.set(tag, (counts.get(tag) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
