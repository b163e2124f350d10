// A project's notification channels: who hears of a test's end (a signed webhook, Slack, e-mail)
// and on which events, a test message sent at once, and each channel's delivery log with every
// try's answer. Testers and admins manage them; viewers read them (the server never answers a
// channel's URL or secret, only its host and the mask).
import { useState } from "preact/hooks";
import { type ChannelRead, type ChannelWrite, type DeliveryRead, api } from "../api/client";
import { type Key, useI18n } from "../i18n";
import { useAccess } from "../lib/auth";
import { formatDateTime } from "../lib/format";
import { useAction, useAsync } from "../lib/useAsync";
import { Async, Confirm, ErrorNote } from "./ui";

type Kind = ChannelWrite["kind"];
type EventName = NonNullable<ChannelWrite["events"]>[number];
const EVENTS: EventName[] = ["finished", "verdict_failed", "regression", "figures_incomplete", "failed_to_start"];
const DEFAULT_EVENTS: EventName[] = ["verdict_failed", "regression", "figures_incomplete", "failed_to_start"];

export function Channels({ projectId }: { projectId: number }) {
  const { t } = useI18n();
  const { can } = useAccess();
  const channels = useAsync(() => api.channels(projectId), [projectId]);
  return (
    <section class="card" aria-labelledby="channels-title">
      <h2 id="channels-title">{t("channels.title")}</h2>
      <Async state={channels} what={t("channels.title")}>
        {(list) => list.length ? <ChannelList channels={list} projectId={projectId} onChange={channels.reload} />
          : <p class="muted">{t("channels.none")}</p>}
      </Async>
      {can("test") && <ChannelForm projectId={projectId} onSaved={channels.reload} />}
    </section>
  );
}

function ChannelList({ channels, projectId, onChange }: { channels: ChannelRead[]; projectId: number; onChange: () => void }) {
  const { t } = useI18n();
  const { can } = useAccess();
  const [error, setError] = useState<{ what: string; error: Error }>();
  const [deleting, setDeleting] = useState<ChannelRead | null>(null);
  const [open, setOpen] = useState<number | null>(null);
  const [sent, setSent] = useState<{ id: number; delivery: DeliveryRead } | null>(null);
  const send = async (channel: ChannelRead) => {
    setError(undefined);
    try { setSent({ id: channel.id, delivery: await api.testChannel(projectId, channel.id) }); }
    catch (failure) { setError({ what: t("channels.test"), error: failure as Error }); }
  };
  const remove = async (channel: ChannelRead) => {
    try { await api.deleteChannel(projectId, channel.id); onChange(); }
    catch (failure) { setError({ what: t("channels.deleteFailed"), error: failure as Error }); }
  };
  return (
    <>
      <ul class="channels">{channels.map((c) => {
        const answer = sent?.id === c.id ? sent.delivery : null;
        return (
          <li key={c.id} class="channel">
            <div><strong>{c.name}</strong> <span class="badge">{t(`kind.${c.kind}` as Key)}</span>{" "}
              <span class={`badge status-${c.enabled ? "succeeded" : "none"}`}>{t(c.enabled ? "channels.enabled" : "channels.disabled")}</span></div>
            <div class="muted small">{c.url ?? c.recipients.join(", ")}</div>
            <div class="small">{t("channels.events")}: {c.events.map((e) => t(`event.${e}` as Key)).join(", ")}</div>
            <div class="row-actions">
              {can("test") && <button type="button" class="small" onClick={() => send(c)}>{t("channels.test")}</button>}
              <button type="button" class="secondary small" aria-expanded={open === c.id}
                onClick={() => setOpen(open === c.id ? null : c.id)}>{t(open === c.id ? "channels.hideLog" : "channels.log")}</button>
              {can("test") && <button type="button" class="danger small" onClick={() => setDeleting(c)}
                aria-label={`${t("delete")}: ${c.name}`}>{t("delete")}</button>}
            </div>
            {answer && <p role="status" class={answer.status === "delivered" ? "good" : "bad"}>
              {answer.status === "delivered" ? t("channels.testSent")
                : t("channels.testFailed", { answer: answer.tries[0]?.answer ?? answer.status })}</p>}
            {open === c.id && <DeliveryLog projectId={projectId} channelId={c.id} key={answer?.id ?? 0} />}
          </li>
        );
      })}</ul>
      {error && <ErrorNote error={error.error} what={error.what} />}
      <Confirm open={deleting !== null} title={t("channels.deleteTitle")} body={t("channels.deleteBody", { name: deleting?.name ?? "" })}
        confirm={t("delete")} onConfirm={() => deleting && remove(deleting)} onClose={() => setDeleting(null)} />
    </>
  );
}

function DeliveryLog({ projectId, channelId }: { projectId: number; channelId: number }) {
  const { t, locale } = useI18n();
  const log = useAsync(() => api.deliveries(projectId, channelId), [projectId, channelId]);
  return (
    <Async state={log} what={t("channels.log")}>
      {(list) => list.length ? (
        <div class="table-wrap"><table class="deliveries">
          <thead><tr><th scope="col">{t("col.when")}</th><th scope="col">{t("channels.events")}</th>
            <th scope="col">{t("col.status")}</th><th scope="col">{t("delivery.answer")}</th></tr></thead>
          <tbody>{list.map((d) => (
            <tr key={d.id}>
              <td>{formatDateTime(d.created_at, locale)}</td>
              <td>{t(`event.${d.event}` as Key)}{d.test_id && <div class="muted small"><code>{d.test_id}</code></div>}</td>
              <td><span class={`badge status-${d.status === "delivered" ? "succeeded" : d.status}`}>{t(`delivery.${d.status}` as Key)}</span>
                <div class="muted small">{t("delivery.tries", { n: d.attempts, max: d.max_attempts })}</div></td>
              <td><ol class="tries">{d.tries.map((a, i) => (
                <li key={i}>{formatDateTime(a.at, locale)} · {a.status_code ?? "-"} · {a.duration_ms} ms
                  {a.answer && <div class="muted small">{a.answer}</div>}</li>
              ))}</ol></td>
            </tr>
          ))}</tbody>
        </table></div>
      ) : <p class="muted">{t("channels.noLog")}</p>}
    </Async>
  );
}

function ChannelForm({ projectId, onSaved }: { projectId: number; onSaved: () => void }) {
  const { t } = useI18n();
  const [kind, setKind] = useState<Kind>("webhook");
  const [name, setName] = useState("");
  const [url, setUrl] = useState("");
  const [secret, setSecret] = useState("");
  const [recipients, setRecipients] = useState("");
  const [events, setEvents] = useState<EventName[]>(DEFAULT_EVENTS);
  const { busy, error, run } = useAction();
  const toggle = (event: EventName, on: boolean) =>
    setEvents(on ? EVENTS.filter((e) => e === event || events.includes(e)) : events.filter((e) => e !== event));
  const submit = (e: Event) => {
    e.preventDefault();
    const body: ChannelWrite = kind === "email"
      ? { name, kind, events, enabled: true, recipients: recipients.split(",").map((r) => r.trim()).filter(Boolean) }
      : { name, kind, events, enabled: true, url, ...(kind === "webhook" ? { signing_secret: secret } : {}) };
    return run(async () => {
      await api.createChannel(projectId, body);
      setName(""); setUrl(""); setSecret(""); setRecipients("");
      onSaved();
    });
  };
  return (
    <form class="channel-form" onSubmit={submit}>
      <h3>{t("channels.add")}</h3>
      <label>{t("channels.name")}<input required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} /></label>
      <label>{t("channels.kind")}
        <select value={kind} onChange={(e) => setKind(e.currentTarget.value as Kind)}>
          {(["webhook", "slack", "email"] as Kind[]).map((k) => <option key={k} value={k}>{t(`kind.${k}` as Key)}</option>)}
        </select></label>
      {kind === "email" ? (
        <label>{t("channels.recipients")}<input required value={recipients} onInput={(e) => setRecipients(e.currentTarget.value)} /></label>
      ) : (
        <div class="field"><label>{t("channels.url")}
          <input type="url" required value={url} autocomplete="off" aria-describedby="channel-url-hint"
            placeholder={kind === "slack" ? "https://hooks.slack.com/services/…" : "https://ci.example.com/hooks/metric-vault"}
            onInput={(e) => setUrl(e.currentTarget.value)} /></label>
          <span class="hint" id="channel-url-hint">{t("channels.urlHint")}</span></div>
      )}
      {kind === "webhook" && (
        <div class="field"><label>{t("channels.secret")}
          <input type="password" required minLength={16} value={secret} autocomplete="new-password"
            aria-describedby="channel-secret-hint" onInput={(e) => setSecret(e.currentTarget.value)} /></label>
          <span class="hint" id="channel-secret-hint">{t("channels.secretHint")}</span></div>
      )}
      <fieldset><legend>{t("channels.events")}</legend>
        {EVENTS.map((event) => <label key={event}><input type="checkbox" checked={events.includes(event)}
          onChange={(e) => toggle(event, e.currentTarget.checked)} />{t(`event.${event}` as Key)}</label>)}
      </fieldset>
      <div class="actions"><button type="submit" disabled={busy || !events.length}>{busy ? t("saving") : t("channels.save")}</button></div>
      {error && <ErrorNote error={error} what={t("channels.saveFailed")} />}
    </form>
  );
}
