// The header's health indicator: a dot (green, amber, red, grey) from GET / every few seconds,
// the missing parts in its label and tooltip, and every part with its state when opened.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api/client";
import { type Key, useI18n } from "../i18n";
import { type Health, viewOf } from "../lib/health";
import { useInterval } from "../lib/useAsync";

const EVERY_MS = 10_000;

export function HealthDot() {
  const { t } = useI18n();
  const [health, setHealth] = useState<Health | null | undefined>(undefined);
  const [open, setOpen] = useState(false);
  const read = () => { api.health().then(setHealth); };
  useEffect(read, []);
  useInterval(read, EVERY_MS);
  if (health === undefined) return null;
  const view = viewOf(health);
  const name = (part: string) => t(`health.part.${part}` as Key) === `health.part.${part}` ? part : t(`health.part.${part}` as Key);
  const summary = view.level === "down" ? t("health.missing", { parts: view.missing.map(name).join(", ") })
    : t(`health.${view.level}` as Key);
  return (
    <div class="health">
      <button type="button" class="icon health-button" aria-expanded={open} aria-label={summary} title={summary}
        data-level={view.level} onClick={() => setOpen(!open)}>
        <span class={`dot dot-${view.level}`} aria-hidden="true" />
      </button>
      {open && (
        <div class="health-list" role="dialog" aria-label={t("health.title")}>
          <strong>{summary}</strong>
          <ul>
            {view.parts.map((part) => (
              <li key={part.name} data-part={part.name}>
                <span class={`dot dot-${part.ok ? (part.reason ? "warn" : "ok") : part.required ? "down" : "warn"}`} aria-hidden="true" />
                <span>{name(part.name)}</span>
                <span class="muted small">
                  {part.ok ? t("health.running") : part.required ? t("health.notRunning") : t("health.optional")}
                  {part.reason ? ` — ${part.reason}` : ""}
                </span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
