// uPlot charts (canvas, ~50 KB, built for streaming time series): created once, fed new data
// with setData, resized with their box, redrawn in the theme's colours. A redraw costs per point
// drawn, so a chart draws at most one point per pixel of its width (decimate): a live run at one
// figure a second redraws no more than one at one figure every 5 s.
import { useEffect, useMemo, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { useI18n } from "../i18n";
import { NONE, formatSeconds } from "../lib/format";
import { decimate, sinceStart } from "../lib/series";
import { useTheme } from "../theme";

const SECOND_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400];

export const PALETTE = ["#4f8cff", "#f5a524", "#17c964", "#f31260", "#9353d3", "#06b7db", "#ff7eb6", "#a3a3a3"];

/** ``marks``: points alone, no line between them (a trend's regressed runs). */
export interface Line { label: string; color?: string; dash?: number[]; width?: number; fill?: boolean; marks?: boolean }

export function Chart({ title, lines, data: given, format, height = 200, sync, xRange: givenRange, timeAxis: clock = true, yMin, legend = true, origin }: {
  title: string;
  lines: Line[];
  data: (number | null)[][];
  format: (value: number | null) => string;
  height?: number;
  sync?: string;
  xRange?: [number, number] | null;
  timeAxis?: boolean;
  yMin?: number;
  legend?: boolean;
  /** The run's start (epoch seconds): x becomes the time elapsed since, as on the compare page. */
  origin?: number;
}) {
  const shifted = useMemo(() => (origin === undefined ? null : sinceStart(given, origin, givenRange)), [given, origin, givenRange?.[0], givenRange?.[1]]);
  const data = shifted?.data ?? given;
  const xRange = shifted ? shifted.range : givenRange;
  const timeAxis = clock && origin === undefined;
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const theme = useTheme();
  const { t, lang } = useI18n();
  const shape = lines.map((l) => l.label).join("|");

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const style = getComputedStyle(document.documentElement);
    const axis = style.getPropertyValue("--muted").trim() || "#888";
    const grid = style.getPropertyValue("--grid").trim() || "#8883";
    element.dataset.grid = grid; // the colour drawn: the browser tests check it follows the theme
    const axes: uPlot.Axis[] = [
      // Time labels take two lines and ~80 px: fewer ticks keep them apart on a half-width chart.
      { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, space: timeAxis ? 90 : 50,
        // Seconds since a start otherwise: whole steps a clock has, written "1m 30s".
        ...(timeAxis ? {} : { incrs: SECOND_STEPS, values: (_u: uPlot, values: number[]) => values.map((v) => formatSeconds(v)) }) },
      { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, size: 60,
        values: (_u, values) => values.map((v) => format(v)) },
    ];
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 200),
      height,
      title,
      scales: { x: { time: timeAxis, ...(xRange ? { range: () => xRange } : {}) },
        // From zero (a load chart that starts mid-way misleads), with headroom over the top line.
        y: { range: (_u, min, max) => [yMin ?? Math.min(0, min ?? 0), Math.max((max ?? 0) * 1.15, (min ?? 0) + 1)] } },
      axes,
      legend: { show: legend, live: true },
      cursor: sync ? { sync: { key: sync } } : {},
      series: [
        // The x value in the legend, in the page's language: uPlot would say "Time" or "Value".
        timeAxis ? { label: t("chart.time") }
          : { label: t("run.elapsed"), value: (_u: uPlot, v: number | null) => (v === null ? NONE : formatSeconds(v)) },
        ...lines.map((line, i) => {
          const color = line.color ?? PALETTE[i % PALETTE.length]!;
          return { label: line.label, stroke: color, width: line.width ?? 1.5, dash: line.dash,
            fill: line.fill ? `${color}22` : undefined, spanGaps: false, value: (_u: uPlot, v: number | null) => format(v),
            ...(line.marks ? { paths: () => null, points: { show: true, size: 10, fill: color } } : {}) };
        }),
      ],
    };
    const chart = new uPlot(options, drawn(data, element) as uPlot.AlignedData, element);
    plot.current = chart;
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(element.clientWidth, 200), height }));
    resize.observe(element);
    return () => { resize.disconnect(); chart.destroy(); plot.current = null; };
  }, [shape, theme, height, title, timeAxis, legend, lang]);

  useEffect(() => {
    const chart = plot.current;
    if (!chart) return;
    chart.setData(drawn(data, box.current) as uPlot.AlignedData, !xRange);
    if (xRange) chart.setScale("x", { min: xRange[0], max: xRange[1] });
  }, [data, xRange?.[0], xRange?.[1]]);

  // data-points says how many points the chart holds (drawn decimated): the tests watch it grow.
  return <figure class="chart" ref={box} aria-label={title} data-points={data[0]?.length ?? 0} />;
}

/** The points drawn: about one per pixel of the chart's width (two per bucket of two pixels). */
function drawn(data: (number | null)[][], element: HTMLElement | null): (number | null)[][] {
  return decimate(data, Math.max(element?.clientWidth ?? 0, 200) / 2);
}
