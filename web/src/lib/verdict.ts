// The verdict, the run's state and the judgement of a change as the UI shows them, and the
// evidence of a finding in words: the same rules as the gateway's HTML report.
import type { Lang } from "../i18n";
import { formatNumber } from "./format";

export type Judgement = "better" | "worse" | "same";

/** How a change reads: an arrow and a tone only when the gateway judged it better or worse. */
export function changeMark(judgement: Judgement | null | undefined, delta: number | null): { arrow: string; tone: "" | "better" | "worse" } {
  if (judgement !== "better" && judgement !== "worse") return { arrow: "", tone: "" };
  return { arrow: delta !== null && delta < 0 ? "▼ " : "▲ ", tone: judgement };
}

const EVIDENCE: Record<string, [string, string]> = {
  error_rate: ["Error rate", "오류율"], failed_requests: ["Failed requests", "실패한 요청"],
  total_requests: ["Requests", "요청 수"], threshold: ["Threshold", "기준값"],
  threshold_setting: ["Threshold setting", "기준값 설정"], percentile: ["Percentile", "백분위"],
  target_ms: ["Target (ms)", "목표 (ms)"], figure: ["Figure", "지표"], value_ms: ["Value (ms)", "값 (ms)"],
  over_ms: ["Over by (ms)", "초과 (ms)"], ratio: ["Ratio", "비율"], baseline: ["Baseline", "기준"],
  current: ["This run", "이번 실행"], change: ["Change", "변화"], p_value: ["p-value", "p-값"],
  baseline_test_id: ["Baseline run", "기준 실행"], target: ["Target", "목표"], target_tps: ["Target TPS", "목표 TPS"],
  avg_tps: ["Average TPS", "평균 TPS"],
};

/** An evidence key in words: known ones in the reader's language, others with spaces. */
export function evidenceLabel(key: string, lang: Lang): string {
  const known = EVIDENCE[key];
  if (known) return known[lang === "en" ? 0 : 1];
  const text = key.replace(/_/g, " ").replace(/\./g, ": ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const FRACTIONS = ["rate", "share", "threshold"];

/** An evidence value for people: fractions as percentages, never 0.3333333333333333. */
export function evidenceValue(key: string, value: string | number | null | undefined, locale: string): string {
  if (value === null || value === undefined) return "—";
  if (typeof value !== "number") return value;
  if (key === "change") return `${value > 0 ? "+" : ""}${formatNumber(value * 100, locale, 1)} %`;
  if (key !== "threshold_setting" && FRACTIONS.some((w) => key.includes(w)) && Math.abs(value) <= 1) {
    return `${formatNumber(value * 100, locale, 2)} %`;
  }
  if (Number.isInteger(value)) return formatNumber(value, locale);
  if (key === "p_value") return value.toPrecision(3);
  return Math.abs(value) >= 1 ? formatNumber(value, locale, 2) : String(Number(value.toPrecision(4)));
}

/** The file name a JUnit download is saved as. */
export function junitFileName(title: string): string {
  const name = title.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, "_").trim() || "report";
  return `${name}.junit.xml`;
}

/** A test's own analysis thresholds as the form holds them (text per name). */
export function thresholdInputs(own: Record<string, number | null> | null | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(own ?? {}).filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => [k, String(v)]));
}

/** What the request sends: the filled-in thresholds as numbers; null when none is set (every
 *  one the gateway's setting). A value that is not a number is sent as is, so the gateway's
 *  422 names the field rather than the form dropping it silently. */
export function thresholdOverrides(inputs: Record<string, string>): Record<string, number> | null {
  const set = Object.entries(inputs).filter(([, text]) => text.trim() !== "");
  if (!set.length) return null;
  return Object.fromEntries(set.map(([name, text]) => {
    const value = Number(text.trim());
    return [name, Number.isFinite(value) ? value : (text.trim() as unknown as number)];
  }));
}
