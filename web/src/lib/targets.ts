// Targets met or missed, from the stored figures: a response-time target against the p95 (the
// percentile the gateway keeps with the target's limit), an error-rate target against the
// average error rate, a target TPS against the average TPS.
import type { Figures } from "../api/client";

export interface Verdict { kind: "response_time" | "error_rate" | "tps"; target: number; actual: number | null; met: boolean | null }

export function verdicts(figures: Figures, targets: { responseTimeMs?: number | null; errorRate?: number | null; tps?: number | null }): Verdict[] {
  const found: Verdict[] = [];
  const judge = (actual: number | null | undefined, ok: (a: number) => boolean) =>
    actual === null || actual === undefined ? null : ok(actual);
  if (targets.responseTimeMs) {
    const actual = figures.p95_response_time ?? null;
    found.push({ kind: "response_time", target: targets.responseTimeMs, actual, met: judge(actual, (a) => a <= targets.responseTimeMs!) });
  }
  if (targets.errorRate !== null && targets.errorRate !== undefined) {
    const actual = figures.avg_error_rate ?? null;
    found.push({ kind: "error_rate", target: targets.errorRate, actual, met: judge(actual, (a) => a <= targets.errorRate!) });
  }
  if (targets.tps) {
    const actual = figures.avg_tps ?? null;
    found.push({ kind: "tps", target: targets.tps, actual, met: judge(actual, (a) => a >= targets.tps!) });
  }
  return found;
}
