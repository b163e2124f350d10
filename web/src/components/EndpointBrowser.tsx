// Endpoints searchable by text, tag and method, in a virtualised list; the chosen one's
// parameters and body example beside it. The test builder reuses it with checkboxes.
import { useMemo, useState } from "preact/hooks";
import type { EndpointRead } from "../api/client";
import { useI18n } from "../i18n";
import { filterEndpoints, tagCounts } from "../lib/endpoints";
import { type Parameter, exampleBody, whereOf } from "../lib/scenario";
import { Method } from "./ui";
import { VirtualList } from "./VirtualList";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

export function EndpointBrowser({ endpoints, picked, onToggle, height = 420 }: {
  endpoints: EndpointRead[]; picked?: Set<number>; onToggle?: (endpoint: EndpointRead) => void; height?: number;
}) {
  const { t } = useI18n();
  const [text, setText] = useState("");
  const [tag, setTag] = useState("");
  const [method, setMethod] = useState("");
  const [open, setOpen] = useState<EndpointRead | null>(null);
  const tags = useMemo(() => tagCounts(endpoints), [endpoints]);
  const shown = useMemo(() => filterEndpoints(endpoints, { text, tag, method }), [endpoints, text, tag, method]);
  return (
    <div class="browser">
      <div class="filters">
        <label class="grow">{t("endpoints.search")}
          <input type="search" value={text} placeholder={t("endpoints.searchHint")} onInput={(e) => setText(e.currentTarget.value)} />
        </label>
        <label>{t("endpoints.tag")}
          <select value={tag} onChange={(e) => setTag(e.currentTarget.value)}>
            <option value="">{t("endpoints.allTags")}</option>
            {tags.map(([name, count]) => <option value={name} key={name}>{name} ({count})</option>)}
          </select>
        </label>
        <label>{t("endpoints.method")}
          <select value={method} onChange={(e) => setMethod(e.currentTarget.value)}>
            <option value="">{t("endpoints.allMethods")}</option>
            {METHODS.map((m) => <option value={m} key={m}>{m}</option>)}
          </select>
        </label>
      </div>
      <p class="muted small" aria-live="polite">{t("endpoints.count", { shown: shown.length, total: endpoints.length })}</p>
      <div class={open ? "browser-split" : ""}>
        <VirtualList items={shown} rowHeight={44} height={height} label={t("endpoints.title")}
          render={(e) => (
            <div class={`endpoint-row ${open?.id === e.id ? "open" : ""}`}>
              {onToggle && <input type="checkbox" checked={picked?.has(e.id)} onChange={() => onToggle(e)}
                aria-label={t("builder.pick", { endpoint: `${e.method} ${e.path}` })} />}
              <button type="button" class="row-button" onClick={() => setOpen(open?.id === e.id ? null : e)}
                aria-expanded={open?.id === e.id}>
                <Method method={e.method} /><code class="path">{e.path}</code>
                <span class="summary muted">{e.summary ?? ""}</span>
                {e.deprecated && <span class="badge">{t("endpoints.deprecated")}</span>}
              </button>
            </div>
          )} />
        {open && <EndpointDetail endpoint={open} onClose={() => setOpen(null)} />}
      </div>
    </div>
  );
}

function EndpointDetail({ endpoint, onClose }: { endpoint: EndpointRead; onClose: () => void }) {
  const { t } = useI18n();
  const body = exampleBody(endpoint.request_body as Record<string, unknown> | null);
  const params = endpoint.parameters as unknown as Parameter[];
  return (
    <aside class="detail" aria-label={`${endpoint.method} ${endpoint.path}`}>
      <div class="section-head">
        <h3><Method method={endpoint.method} /> <code>{endpoint.path}</code></h3>
        <button type="button" class="icon" onClick={onClose} aria-label={t("close")}>×</button>
      </div>
      {endpoint.summary && <p>{endpoint.summary}</p>}
      {endpoint.description && <p class="muted small">{endpoint.description}</p>}
      <p class="small">{endpoint.tags.map((tag) => <span class="badge" key={tag}>{tag}</span>)}</p>
      <h4>{t("endpoints.parameters")}</h4>
      {params.length ? (
        <table class="small"><thead><tr><th>{t("col.name")}</th><th>{t("col.in")}</th><th>{t("col.type")}</th><th>{t("col.required")}</th></tr></thead>
          <tbody>{params.map((p) => <tr key={whereOf(p) + p.name}><td><code>{p.name}</code></td><td>{whereOf(p)}</td><td>{String(p.schema?.type ?? "")}</td><td>{p.required ? t("yes") : t("no")}</td></tr>)}</tbody>
        </table>
      ) : <p class="muted small">{t("endpoints.noParameters")}</p>}
      <h4>{t("endpoints.body")}</h4>
      {body === undefined ? <p class="muted small">{t("endpoints.noBody")}</p> : <pre class="code">{JSON.stringify(body, null, 2)}</pre>}
    </aside>
  );
}
