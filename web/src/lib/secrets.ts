// Secret fields of a test, as the server finds them (mv_contracts.secrecy): marked, or named like
// a secret. The builder pre-marks the named ones and keeps secrets out of this browser's storage.
import { SECRET_MASK, SECRET_NAME } from "../api/client";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export const looksSecret = (name: string): boolean => SECRET_NAME.test(name.trim());
export const isMask = (value: unknown): boolean => value === SECRET_MASK;

/** Dotted paths of the JSON keys named like a secret (a field inside one is part of it). */
export function namedSecrets(body: Json | undefined, prefix: string[] = []): string[] {
  if (Array.isArray(body)) return body.flatMap((v, i) => namedSecrets(v, [...prefix, String(i)]));
  if (body === null || typeof body !== "object") return [];
  return Object.entries(body).flatMap(([key, value]) =>
    looksSecret(key) ? [[...prefix, key].join(".")] : namedSecrets(value, [...prefix, key]));
}

/** "user.password, pin" → ["user.password", "pin"] */
export const parsePaths = (text: string): string[] => text.split(",").map((p) => p.trim()).filter(Boolean);

/** ``body`` without the fields at ``paths`` (for what this browser keeps). */
export function withoutPaths(body: Json | undefined, paths: string[]): Json | undefined {
  if (body === undefined || body === null || typeof body !== "object") return body;
  const copy: Json = JSON.parse(JSON.stringify(body));
  for (const path of paths) {
    const parts = path.split(".");
    let node: Json | undefined = copy;
    for (const part of parts.slice(0, -1)) node = node && typeof node === "object" ? (node as Record<string, Json>)[part] : undefined;
    if (node && typeof node === "object") delete (node as Record<string, Json>)[parts[parts.length - 1] ?? ""];
  }
  return copy;
}
