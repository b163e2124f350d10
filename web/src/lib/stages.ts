// k6 durations and the load shape a scenario's executor draws over time. The duration grammar
// is the contracts' (one or more parts, e.g. "1m30s"), generated into api/facts.ts.
import { K6_DURATION_PART } from "../api/facts";

export type Executor =
  | "constant-vus" | "ramping-vus" | "constant-arrival-rate" | "ramping-arrival-rate"
  | "per-vu-iterations" | "shared-iterations";

export interface Stage { duration: string; target: number }

const PART = new RegExp(K6_DURATION_PART, "g");
const WHOLE = new RegExp(`^(${K6_DURATION_PART})+$`);
const UNIT: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/** Seconds in a k6 duration, or null when the text is not one. */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim();
  if (!WHOLE.test(trimmed)) return null;
  let seconds = 0;
  for (const [, n, unit] of trimmed.matchAll(PART)) seconds += Number(n) * UNIT[unit!]!;
  return seconds;
}

/** The shortest k6 duration for a number of seconds: 90 → "1m30s". */
export function formatK6Duration(seconds: number): string {
  if (seconds <= 0) return "0s";
  const h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60);
  const s = Math.round((seconds % 60) * 1000) / 1000;
  return `${h ? `${h}h` : ""}${m ? `${m}m` : ""}${s ? `${s}s` : ""}`;
}

export interface ShapeInput {
  executor: Executor;
  stages: Stage[];
  vus?: number | null;
  duration?: string | null;
  rate?: number | null;
  startRate?: number | null;
  startTime?: string | null;
}

/** What the y axis of the shape counts: virtual users, or iterations started per time unit. */
export function shapeUnit(executor: Executor): "vus" | "rate" | null {
  if (executor === "constant-vus" || executor === "ramping-vus") return "vus";
  if (executor === "constant-arrival-rate" || executor === "ramping-arrival-rate") return "rate";
  return null; // iteration executors have no planned shape: they run until the work is done
}

export interface Shape { t: number[]; v: number[] }

/** Corner points of the load over time (seconds from the test's start), linear in between,
 *  as k6 ramps: each stage moves from the previous target to its own over its duration. */
export function loadShape(input: ShapeInput): Shape | null {
  // A start time that is not a duration makes the whole shape unknown, not a start at 0.
  const offset = input.startTime?.trim() ? parseDuration(input.startTime) : 0;
  if (offset === null) return null;
  const t: number[] = [], v: number[] = [];
  const push = (time: number, value: number) => { t.push(offset + time); v.push(value); };
  switch (input.executor) {
    case "constant-vus":
    case "constant-arrival-rate": {
      const value = (input.executor === "constant-vus" ? input.vus : input.rate) ?? 0;
      const seconds = input.duration ? parseDuration(input.duration) : stagesSeconds(input.stages);
      if (seconds === null || seconds <= 0) return null;
      push(0, value); push(seconds, value);
      return { t, v };
    }
    case "ramping-vus":
    case "ramping-arrival-rate": {
      let time = 0;
      push(0, (input.executor === "ramping-vus" ? input.vus : input.startRate) ?? 0);
      for (const stage of input.stages) {
        const seconds = parseDuration(stage.duration);
        if (seconds === null) return null;
        time += seconds;
        push(time, stage.target);
      }
      return t.length > 1 ? { t, v } : null;
    }
    default:
      return null;
  }
}

export function stagesSeconds(stages: Stage[]): number | null {
  let total = 0;
  for (const stage of stages) {
    const seconds = parseDuration(stage.duration);
    if (seconds === null) return null;
    total += seconds;
  }
  return total;
}

/** Planned seconds of a scenario from the test's start, or null when the executor has none. */
export function plannedSeconds(input: ShapeInput): number | null {
  const shape = loadShape(input);
  return shape ? shape.t[shape.t.length - 1]! : null;
}

/** Planned seconds of a whole test: the last scenario to end. */
export function testPlannedSeconds(scenarios: ShapeInput[]): number | null {
  const ends = scenarios.map(plannedSeconds).filter((s): s is number => s !== null);
  return ends.length ? Math.max(...ends) : null;
}
