"""``metric-vault run PLAN`` (analyse, start, follow, judge) or ``metric-vault run script.js``
(a team's own k6 script: upload, start, follow, judge); the exit code gates CI.

Exit codes: 0 passed; 1 a target was missed or a critical finding appeared; 2 the command line
was wrong; 3 the test could not run or its result could not be had.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .client import Gateway, GatewayError
from .gate import Exit, exit_code
from .plan import PlanError, load_plan
from .script import ScriptError, environment, is_script, start, upload

app = typer.Typer(add_completion=False, help=__doc__, no_args_is_help=True)
console = Console(stderr=True)
out = Console()

GatewayOption = Annotated[
    str, typer.Option("--gateway", envvar="METRIC_VAULT_URL", help="The gateway's URL")
]
TokenOption = Annotated[
    str | None,
    typer.Option("--token", envvar="METRIC_VAULT_TOKEN", help="API token", show_default=False),
]


def _live_line(data: dict[str, Any]) -> str:
    figures = data.get("overall") or {}
    return (
        f"{figures.get('requests_total', 0):>9,} requests  "
        f"{figures.get('tps', 0):>8.1f} req/s  "
        f"p95 {figures.get('response_time_p95') or 0:>8.1f} ms  "
        f"errors {100 * (figures.get('error_rate') or 0):5.2f} %  "
        f"VUs {figures.get('vus') or 0:>4.0f}"
    )


def _print_result(details: dict[str, Any], analysis: dict[str, Any] | None) -> None:
    state = details.get("state", details["status"]).replace("_", " ")
    table = Table(title=escape(f"{details['title']} ({state})"))
    for column in ("", "requests", "failed", "avg TPS", "p95 ms", "p99 ms", "error rate"):
        table.add_column(column, justify="right")
    rows = [("whole test", details["figures"])] + [
        (s["name"], s["figures"]) for s in details.get("scenarios", [])
    ]
    for name, f in rows:
        table.add_row(
            escape(name),
            f"{f.get('total_requests') or 0:,}",
            f"{f.get('failed_requests') or 0:,}",
            f"{f.get('avg_tps') or 0:,.1f}",
            f"{f.get('p95_response_time') or 0:,.1f}",
            f"{f.get('p99_response_time') or 0:,.1f}",
            f"{100 * (f.get('avg_error_rate') or 0):.2f} %",
        )
    out.print(table)
    if details.get("status_reason"):
        out.print(f"reason: {details['status_reason']}")
    marks = {"critical": "[red]✖ critical[/red]", "warning": "[yellow]▲ warning[/yellow]"}
    for finding in (analysis or {}).get("findings", []):
        mark = marks.get(finding["severity"], "[blue]● info[/blue]")
        where = f" [{finding['scenario']}]" if finding.get("scenario") else ""
        out.print(mark, escape(f"{where} {finding['title']['en']}: {finding['detail']['en']}"))
    verdict = (analysis or {}).get("verdict")
    if isinstance(verdict, dict):
        colour = "green" if verdict["outcome"] == "passed" else "red"
        line = escape(f"verdict: {verdict['outcome'].upper()} ({verdict['reason']['en']})")
        out.print(f"[{colour}]{line}[/{colour}]")


def _write_reports(
    client: Gateway, history_id: int, junit: Path | None, report: Path | None
) -> None:
    if junit:
        junit.write_text(client.text(f"/test-history/{history_id}/report.junit.xml"), "utf-8")
    if report:
        report.write_text(client.text(f"/test-history/{history_id}/report.html"), "utf-8")


@app.command()
def gate(
    test_history_id: Annotated[int, typer.Argument(help="A finished test's history id")],
    gateway: GatewayOption = "http://127.0.0.1:8000",
    token: TokenOption = None,
    junit: Annotated[Path | None, typer.Option(help="Write JUnit XML here")] = None,
    report: Annotated[Path | None, typer.Option(help="Write the HTML report here")] = None,
) -> None:
    """Judge a test that has already run: print it, write its reports, exit as `run` does."""
    client = Gateway(gateway, token)
    try:
        details = client.details(test_history_id, wait_seconds=0)
        analysis = (
            client.analysis(test_history_id) if details["figures"].get("total_requests") else None
        )
        _print_result(details, analysis)
        _write_reports(client, test_history_id, junit, report)
    except GatewayError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(Exit.NOT_RUN) from error
    finally:
        client.close()
    raise typer.Exit(exit_code(details, analysis))


def _follow(
    client: Gateway, created: dict[str, Any], quiet: bool, junit: Path | None, report: Path | None
) -> Exit:
    """Follow a started test live, then print, report and judge it."""
    console.print(f"test {created['test_id']} started")
    for kind, data in client.live(created["test_id"]):
        if kind == "k6" and not quiet:
            console.print(_live_line(data))
        elif kind == "alert":
            alert = data["alert"]
            where = f" [{alert['scenario']}]" if alert.get("scenario") else ""
            text = f"▲ live{where} {alert['title']['en']}: {alert['detail']['en']}"
            console.print(text, style="yellow", markup=False)
    details = client.details(int(created["test_history_id"]))
    history_id = int(details["id"])
    analysis = client.analysis(history_id) if details["figures"].get("total_requests") else None
    _print_result(details, analysis)
    _write_reports(client, history_id, junit, report)
    return exit_code(details, analysis)


def _start_plan(client: Gateway, plan_file: Path) -> dict[str, Any]:
    plan = load_plan(plan_file)
    project_id = client.project(plan.project)
    console.print(f"analysing {plan.spec} …")
    spec_id = client.analyse(project_id, plan.spec)
    body = plan.load_test(client.endpoint_ids(spec_id))
    body["project_id"] = project_id
    return client.start(body)


@app.command()
def run(
    plan_file: Annotated[
        Path,
        typer.Argument(help="A test plan (YAML), or a k6 script (.js, .tar.gz, .zip)", exists=True),
    ],
    gateway: GatewayOption = "http://127.0.0.1:8000",
    token: TokenOption = None,
    junit: Annotated[Path | None, typer.Option(help="Write JUnit XML here")] = None,
    report: Annotated[Path | None, typer.Option(help="Write the HTML report here")] = None,
    quiet: Annotated[bool, typer.Option(help="No live progress")] = False,
    project: Annotated[str, typer.Option(help="Script: the project (made if new)")] = "scripts",
    base_url: Annotated[
        str | None, typer.Option(help="Script: the service under test (__ENV.BASE_URL)")
    ] = None,
    name: Annotated[str | None, typer.Option(help="Script: its name (default: file's)")] = None,
    entry: Annotated[str | None, typer.Option(help="Script: the archive's file k6 runs")] = None,
    parallelism: Annotated[int, typer.Option(min=1, help="Script: k6 runners sharing it")] = 1,
    env: Annotated[
        list[str] | None, typer.Option(help="Script: K=V (or K, from here) for __ENV; repeat")
    ] = None,
    metrics_mode: Annotated[str | None, typer.Option(help="Script: fast or precise")] = None,
) -> None:
    """Run a test plan, or a team's own k6 script as it is, and exit non-zero when it misses
    its targets (or crosses the script's own thresholds)."""
    client = Gateway(gateway, token)
    try:
        if is_script(plan_file):
            if base_url is None:
                raise ScriptError("a script needs --base-url (checked against allowed targets)")
            project_id = client.project(project)
            stem = name or plan_file.name.split(".")[0]
            version = upload(client, project_id, plan_file, stem, entry)
            scenarios = ", ".join(s["name"] for s in version["inspection"]["scenarios"])
            console.print(f"{stem} v{version['version']}: k6 read scenarios {scenarios}")
            body: dict[str, Any] = {"base_url": base_url, "parallelism": parallelism,
                                    "env": environment(env or [])}  # fmt: skip
            if metrics_mode:
                body["metrics_mode"] = metrics_mode
            created = start(client, int(version["id"]), body)
        else:
            created = _start_plan(client, plan_file)
        code = _follow(client, created, quiet, junit, report)
    except (PlanError, ScriptError) as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from error
    except GatewayError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(Exit.NOT_RUN) from error
    finally:
        client.close()
    raise typer.Exit(code)
