// Time series for the charts: live snapshots accumulated into columns on one shared time axis,
// and the stored per-second series of a finished test, both in the shape uPlot draws.

export const METRICS = ["tps", "response_time_avg", "response_time_p95", "response_time_p99",
  "error_rate", "vus"] as const;
export type Metric = (typeof METRICS)[number];

export type Column = (number | null)[];
/** Columnar series: `time` in unix seconds and one column per metric, nulls for gaps. */
export type Series = { time: number[] } & Record<Metric, Column>;

/** What GET /test-history/{id}/series answers. Response times in ms, error_rate a fraction. */
export type { StoredSeries } from "../api/client";

export interface LiveFiguresLike {
  tps: number;
  error_rate: number;
  vus?: number | null;
  response_time_avg?: number | null;
  response_time_p95?: number | null;
  response_time_p99?: number | null;
}

export interface SnapshotLike {
  at: string;
  overall: LiveFiguresLike;
  scenarios?: { name: string; figures: LiveFiguresLike }[];
}

export function emptySeries(): Series {
  return { time: [], tps: [], response_time_avg: [], response_time_p95: [], response_time_p99: [],
    error_rate: [], vus: [] };
}

function pushFigures(series: Series, figures: LiveFiguresLike | undefined): void {
  for (const metric of METRICS) series[metric].push(figures ? figures[metric] ?? null : null);
}

/** Live figures of one test over time. Every scenario's columns stay as long as `time`, so a
 *  scenario that starts late has nulls before it, and each chart has one x column.
 *  Capped: past `limit` points the oldest are dropped (an hour at 1 s is 3,600). */
export class LiveSeries {
  readonly overall = emptySeries();
  readonly scenarios = new Map<string, Series>();
  constructor(readonly limit = 7200) {}

  get length(): number { return this.overall.time.length; }

  push(snapshot: SnapshotLike): void {
    const time = Date.parse(snapshot.at) / 1000;
    const last = this.overall.time[this.overall.time.length - 1];
    if (!Number.isFinite(time) || (last !== undefined && time <= last)) return; // replayed event
    this.overall.time.push(time);
    pushFigures(this.overall, snapshot.overall);
    const named = new Map((snapshot.scenarios ?? []).map((s) => [s.name, s.figures]));
    for (const name of named.keys()) {
      if (!this.scenarios.has(name)) {
        const fresh = emptySeries();
        for (let i = 0; i < this.overall.time.length - 1; i++) pushFigures(fresh, undefined);
        this.scenarios.set(name, fresh);
      }
    }
    for (const [name, series] of this.scenarios) {
      series.time = this.overall.time;
      pushFigures(series, named.get(name));
    }
    if (this.overall.time.length > this.limit) this.trim(this.overall.time.length - this.limit);
  }

  private trim(count: number): void {
    this.overall.time.splice(0, count);
    for (const series of [this.overall, ...this.scenarios.values()]) {
      for (const metric of METRICS) series[metric].splice(0, count);
    }
  }
}

/** uPlot's data: the x column, then the chosen metric columns (error rate as percent). */
export function chartData(series: Series, metrics: readonly Metric[]): (number | null)[][] {
  return [series.time, ...metrics.map((m) => (m === "error_rate" ? series[m].map(toPercent) : series[m]))];
}

function toPercent(value: number | null): number | null {
  return value === null ? null : value * 100;
}

/** One column of a metric per scenario, for a chart that compares scenarios. */
export function perScenario(scenarios: Map<string, Series> | Record<string, Series>, metric: Metric,
  time: number[]): { names: string[]; data: (number | null)[][] } {
  const entries = scenarios instanceof Map ? [...scenarios] : Object.entries(scenarios);
  return {
    names: entries.map(([name]) => name),
    data: [time, ...entries.map(([, s]) => (metric === "error_rate" ? s[metric].map(toPercent) : s[metric]))],
  };
}

export interface PodPoint {
  at: number;
  cpu: number | null;
  memory: number | null;
  cpuLimit: number | null;
  memoryLimit: number | null;
  cpuRequest: number | null;
  memoryRequest: number | null;
}

/** Pods' usage over time, each pod its own points (pods come and go during a test). */
export class PodSeries {
  readonly pods = new Map<string, PodPoint[]>();
  push(pod: string, point: PodPoint): void {
    const points = this.pods.get(pod) ?? [];
    const last = points[points.length - 1];
    if (last && point.at <= last.at) return;
    points.push(point);
    this.pods.set(pod, points);
  }

  /** One time axis for every pod (the union of their times), nulls where a pod has no point. */
  aligned(field: "cpu" | "memory"): { names: string[]; data: (number | null)[][] } {
    const times = [...new Set([...this.pods.values()].flatMap((p) => p.map((x) => x.at)))].sort((a, b) => a - b);
    const index = new Map(times.map((t, i) => [t, i]));
    const names = [...this.pods.keys()];
    const columns = names.map((name) => {
      const column: (number | null)[] = new Array(times.length).fill(null);
      for (const point of this.pods.get(name)!) column[index.get(point.at)!] = point[field];
      return column;
    });
    return { names, data: [times, ...columns] };
  }

  /** The highest limit (else request) of any pod: the line the usage is read against. */
  ceiling(field: "cpu" | "memory"): number | null {
    let best: number | null = null;
    for (const points of this.pods.values()) {
      const last = points[points.length - 1];
      if (!last) continue;
      const value = field === "cpu" ? last.cpuLimit ?? last.cpuRequest : last.memoryLimit ?? last.memoryRequest;
      if (value !== null && (best === null || value > best)) best = value;
    }
    return best;
  }
}

/** For a compare view: is a rise of this figure good news? */
export function higherIsBetter(figure: string): boolean | null {
  if (/tps/.test(figure) || figure === "total_requests") return true;
  if (/response_time|error_rate|failed/.test(figure)) return false;
  return null;
}

/** Live snapshots name scenarios by their k6 tag (s01, s02, ...): the names people gave them. */
export function scenarioLabels(test: { scenarios: { name: string; scenario_tag?: string | null }[] }): Map<string, string> {
  return new Map(test.scenarios.flatMap((s) => (s.scenario_tag ? [[s.scenario_tag, s.name] as [string, string]] : [])));
}

/** A chart's data and range on an elapsed axis: seconds since the run's start, so a result reads
 *  like the compare page's overlays (and two runs' charts line up by their minute, not the clock). */
export function sinceStart(data: (number | null)[][], origin: number, range?: [number, number] | null):
  { data: (number | null)[][]; range: [number, number] | null } {
  const [time = [], ...columns] = data;
  return { data: [time.map((x) => (x === null ? null : x - origin)), ...columns], range: range ? [range[0] - origin, range[1] - origin] : null };
}

/** At most ``buckets`` x 2 points per line, drawn as they would look: each bucket of neighbours
 * keeps its first and last time, and per line its lowest and highest value in the order they
 * came (a spike stays a spike). A chart of an hour at one point a second costs what a few
 * hundred points do, however long the run; shorter data is returned as it is. */
export function decimate(data: (number | null)[][], buckets: number): (number | null)[][] {
  const [time = [], ...columns] = data;
  const size = Math.ceil(time.length / Math.max(1, buckets));
  if (size <= 2) return data;
  const x: (number | null)[] = [];
  const ys: (number | null)[][] = columns.map(() => []);
  for (let start = 0; start < time.length; start += size) {
    const end = Math.min(start + size, time.length) - 1;
    x.push(time[start] ?? null, time[end] ?? null);
    columns.forEach((column, c) => {
      let low = -1, high = -1;
      for (let i = start; i <= end; i++) {
        const v = column[i];
        if (v === null || v === undefined) continue;
        if (low < 0 || v < column[low]!) low = i;
        if (high < 0 || v > column[high]!) high = i;
      }
      const first = Math.min(low, high), last = Math.max(low, high);
      ys[c]!.push(low < 0 ? null : column[first]!, low < 0 ? null : column[last]!);
    });
  }
  return [x, ...ys];
}
