// The main board: tests running now with live figures, recent tests of every project, the
// projects (searched and paged by the gateway, newest first, re-read every few seconds so
// projects made elsewhere or discovered appear), and for a new install the three steps from
// nothing to a first test.
import { useEffect, useState } from "preact/hooks";
import { api, type LiveSnapshot, type ProjectRead, type TestListItem } from "../api/client";
import { Async, Empty, ErrorNote, RunBadges, StatusBadge, Tile } from "../components/ui";
import { useI18n } from "../i18n";
import { useAccess } from "../lib/auth";
import { formatCompact, formatMs, formatPercent, formatRelative, formatDateTime } from "../lib/format";
import { useLiveStream } from "../lib/live";
import { repeatedTitles } from "../lib/rerun";
import { clampOffset, pageView } from "../lib/paging";
import { useAction, useAsync, useInterval } from "../lib/useAsync";
import { href, navigate } from "../router";

const PAGE = 24; // projects per page
const REFRESH_MS = 10_000;

export function Board() {
  const { t } = useI18n();
  const { can } = useAccess();
  const [typed, setTyped] = useState("");
  const [q, setQ] = useState("");
  const [offset, setOffset] = useState(0);
  const [creating, setCreating] = useState(false);
  useEffect(() => { // search once typing pauses, from the first page
    const id = setTimeout(() => { setQ(typed.trim()); setOffset(0); }, 300);
    return () => clearTimeout(id);
  }, [typed]);
  const projects = useAsync(() => api.projectPage({ q: q || undefined, offset, limit: PAGE }), [q, offset]);
  useInterval(projects.reload, REFRESH_MS);
  const total = projects.data?.total;
  useEffect(() => { // rows deleted elsewhere: stay on a page that exists
    if (total !== undefined && clampOffset(offset, PAGE, total) !== offset) setOffset(clampOffset(offset, PAGE, total));
  }, [total, offset]);
  const recent = useAsync(() => api.board(30), []);
  const running = (recent.data ?? []).filter((test) => !test.is_completed);
  useInterval(recent.reload, 5000, running.length > 0);
  const noProjects = total === 0 && !q;
  const opened = (p: ProjectRead) => navigate(`/projects/${p.id}`);
  return (
    <main class="page">
      <header class="page-head">
        <div><h1>{t("board.title")}</h1><p class="muted">{t("board.subtitle")}</p></div>
        {!noProjects && can("test") && <button type="button" aria-expanded={creating}
          onClick={() => setCreating(!creating)}>+ {t("project.new")}</button>}
      </header>
      {creating && !noProjects && <section class="card"><h2>{t("project.new")}</h2><NewProject onCreated={opened} /></section>}
      {noProjects ? <FirstSteps onCreated={(p) => navigate(`/projects/${p.id}/analyse`)} /> : (
        <>
          {running.length > 0 && <Running tests={running} />}
          <section class="card">
            <h2>{t("board.recent")}</h2>
            <Async state={recent} what={t("board.recent")}>
              {(tests) => tests.length ? <RecentTable tests={tests} /> : <p class="muted">{t("board.noTests")}</p>}
            </Async>
          </section>
          <section class="card">
            <div class="section-head">
              <h2>{t("board.projects")}{total !== undefined && <span class="muted small"> · {total}</span>}</h2>
              <input type="search" class="search" value={typed} aria-label={t("board.search")}
                placeholder={t("board.searchHint")} onInput={(e) => setTyped(e.currentTarget.value)} />
            </div>
            <Async state={projects} what={t("board.projects")}>
              {(page) => page.items.length ? <>
                <ProjectList projects={page.items} />
                <Pager offset={offset} shown={page.items.length} total={page.total} onOffset={setOffset} />
              </> : <p class="muted">{t("board.noMatch", { q })}</p>}
            </Async>
          </section>
        </>
      )}
    </main>
  );
}

function Running({ tests }: { tests: TestListItem[] }) {
  const { t, locale } = useI18n();
  const [live, setLive] = useState<Record<string, LiveSnapshot>>({});
  // One stream for every running test (no test_id): the board follows them all.
  useLiveStream(undefined, (message) => {
    if (message.kind === "k6" && message.k6) setLive((now) => ({ ...now, [message.k6!.test_id]: message.k6! }));
  }, "k6_only");
  return (
    <section class="card running">
      <h2><span class="pulse" aria-hidden="true" />{t("board.running")}</h2>
      <div class="grid-cards">
        {tests.map((test) => {
          const figures = live[test.test_id]?.overall;
          return (
            <a class="run-card" href={href(`/tests/${test.id}`)} key={test.id}>
              <div class="run-card-head"><strong>{test.title}</strong><StatusBadge status={test.status} /></div>
              <div class="muted small">{test.project_title} · {formatRelative(test.tested_at, locale)}</div>
              <div class="tiles compact">
                <Tile label={t("fig.tps")} value={formatCompact(figures?.tps, locale)} />
                <Tile label={t("fig.p95")} value={formatMs(figures?.response_time_p95, locale)} />
                <Tile label={t("fig.errorRate")} value={formatPercent(figures?.error_rate, locale)} />
                <Tile label={t("fig.vus")} value={formatCompact(figures?.vus, locale)} />
              </div>
            </a>
          );
        })}
      </div>
    </section>
  );
}

/** A list row whose figures are not whole says so in a word, with the reason on hover. */
function IncompleteMark({ reason }: { reason?: string | null }) {
  const { t } = useI18n();
  return <span class="mark-incomplete small" title={reason ?? undefined}> <span aria-hidden="true">⚠</span> {t("result.incompleteShort")}</span>;
}

export function RecentTable({ tests, showProject = true, selectable }: {
  tests: TestListItem[]; showProject?: boolean;
  selectable?: { selected: number[]; toggle: (id: number) => void };
}) {
  const { t, locale } = useI18n();
  const repeated = repeatedTitles(tests);
  return (
    <div class="table-wrap">
      <table>
        <thead><tr>
          {selectable && <th scope="col"><span class="sr-only">{t("compare.pick")}</span></th>}
          <th scope="col">{t("col.test")}</th>
          {showProject && <th scope="col">{t("col.project")}</th>}
          <th scope="col">{t("col.outcome")}</th>
          <th scope="col" class="num">{t("fig.p95")}</th>
          <th scope="col" class="num">{t("fig.avgTps")}</th>
          <th scope="col" class="num">{t("fig.errorRate")}</th>
          <th scope="col">{t("col.when")}</th>
        </tr></thead>
        <tbody>
          {tests.map((test) => (
            <tr key={test.id}>
              {selectable && <td><input type="checkbox" aria-label={t("compare.pickOne", { title: test.title })}
                checked={selectable.selected.includes(test.id)} onChange={() => selectable.toggle(test.id)} /></td>}
              <td><a href={href(`/tests/${test.id}`)}>{test.title}</a>
                {repeated.has(test.title) && <span class="muted small"> · {formatDateTime(test.tested_at, locale)}</span>}</td>
              {showProject && <td><a href={href(`/projects/${test.project_id}`)}>{test.project_title}</a></td>}
              <td><RunBadges state={test.state} verdict={test.verdict} baseline={test.is_baseline} />{test.complete === false && <IncompleteMark />}</td>
              <td class="num">{formatMs(test.p95_response_time, locale)}</td>
              <td class="num">{formatCompact(test.avg_tps, locale)}</td>
              <td class="num">{formatPercent(test.avg_error_rate, locale)}</td>
              <td title={formatDateTime(test.tested_at, locale)}>{formatRelative(test.tested_at, locale)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ProjectList({ projects }: { projects: ProjectRead[] }) {
  const { locale } = useI18n();
  return (
    <ul class="project-list">
      {projects.map((p) => (
        <li key={p.id}>
          <a href={href(`/projects/${p.id}`)}><strong>{p.title}</strong></a>
          <span class="muted">{p.summary ?? ""}</span>
          <span class="muted small">{formatDateTime(p.created_at, locale)}</span>
        </li>
      ))}
    </ul>
  );
}

function Pager({ offset, shown, total, onOffset }: { offset: number; shown: number; total: number; onOffset: (offset: number) => void }) {
  const { t } = useI18n();
  const view = pageView(offset, PAGE, shown, total);
  if (!view.hasPrev && !view.hasNext) return null;
  return (
    <nav class="pager" aria-label={t("board.pages")}>
      <button type="button" disabled={!view.hasPrev} onClick={() => onOffset(Math.max(0, offset - PAGE))}>← {t("board.prev")}</button>
      <span class="muted small">{t("board.range", { from: view.from, to: view.to, total: view.total })}</span>
      <button type="button" disabled={!view.hasNext} onClick={() => onOffset(offset + PAGE)}>{t("board.next")} →</button>
    </nav>
  );
}

export function NewProject({ onCreated }: { onCreated: (project: ProjectRead) => void }) {
  const { t } = useI18n();
  const [title, setTitle] = useState("");
  const [summary, setSummary] = useState("");
  const { busy, error, run } = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    return run(async () => {
      const project = await api.createProject({ title: title.trim(), summary: summary.trim() || null });
      setTitle(""); setSummary("");
      onCreated(project);
    });
  };
  return (
    <form class="form-row" onSubmit={submit}>
      <label>{t("project.title")}<input required maxLength={255} value={title} name="title"
        onInput={(e) => setTitle(e.currentTarget.value)} placeholder={t("project.titleHint")} /></label>
      <label>{t("project.summary")}<input value={summary} name="summary" maxLength={500}
        onInput={(e) => setSummary(e.currentTarget.value)} /></label>
      <button type="submit" disabled={busy || !title.trim()}>{busy ? t("saving") : t("project.create")}</button>
      {error && <ErrorNote error={error} what={t("project.createFailed")} />}
    </form>
  );
}

function FirstSteps({ onCreated }: { onCreated: (project: ProjectRead) => void }) {
  const { t } = useI18n();
  return (
    <section class="card first-steps">
      <Empty title={t("welcome.title")}><p>{t("welcome.body")}</p></Empty>
      <ol class="steps">
        <li class="step current"><h3>{t("welcome.step1")}</h3><p>{t("welcome.step1Body")}</p><NewProject onCreated={onCreated} /></li>
        <li class="step"><h3>{t("welcome.step2")}</h3><p>{t("welcome.step2Body")}</p></li>
        <li class="step"><h3>{t("welcome.step3")}</h3><p>{t("welcome.step3Body")}</p></li>
      </ol>
    </section>
  );
}
