// The planned load over time of one scenario or of all of them, drawn as the stages ramp.
import { useI18n } from "../i18n";
import { shapeBroken } from "../lib/formcheck";
import { formatCompact, formatSeconds } from "../lib/format";
import { type ShapeInput, loadShape, shapeUnit } from "../lib/stages";
import { Chart } from "./Chart";

/** Sample every shape on one shared time axis (the union of their corners), linear between. */
export function sampleShapes(inputs: ShapeInput[]): { time: number[]; columns: (number | null)[][] } {
  const shapes = inputs.map(loadShape);
  const time = [...new Set(shapes.flatMap((s) => s?.t ?? []))].sort((a, b) => a - b);
  const columns = shapes.map((shape) => time.map((x) => (shape ? valueAt(shape, x) : null)));
  return { time, columns };
}

function valueAt(shape: { t: number[]; v: number[] }, x: number): number | null {
  const { t, v } = shape;
  if (x < t[0]! || x > t[t.length - 1]!) return null;
  for (let i = 1; i < t.length; i++) {
    if (x <= t[i]!) {
      const span = t[i]! - t[i - 1]!;
      return span === 0 ? v[i]! : v[i - 1]! + ((v[i]! - v[i - 1]!) * (x - t[i - 1]!)) / span;
    }
  }
  return v[v.length - 1]!;
}

export function LoadShape({ inputs, names, height = 140 }: { inputs: ShapeInput[]; names: string[]; height?: number }) {
  const { t, locale } = useI18n();
  const { time, columns } = sampleShapes(inputs);
  // A scenario whose fields are wrong is named as not drawn; only the iteration executors
  // have no planned shape by nature.
  const broken = names.filter((_, i) => shapeBroken(inputs[i]!));
  const note = broken.length > 0 && <p class="hint bad" role="status">{t("builder.shapeInvalid", { names: broken.map((n) => `'${n}'`).join(", ") })}</p>;
  if (time.length < 2) return note || <p class="muted small">{t("builder.noShape")}</p>;
  const units = new Set(inputs.map((i) => shapeUnit(i.executor)));
  const unit = units.size === 1 && units.has("rate") ? t("builder.shapeRate") : t("fig.vus");
  return (
    <div class="shape">
      <Chart title={`${t("builder.shape")} (${unit}, ${formatSeconds(time[time.length - 1]!)})`} timeAxis={false}
        height={height} format={(v) => formatCompact(v, locale)} data={[time, ...columns]}
        legend={names.length > 1} lines={names.map((label) => ({ label, fill: names.length === 1 }))} />
      {note}
    </div>
  );
}
