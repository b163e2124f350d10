"""``python -m mv_devstack up|down|status|env``: the local stack in one command."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from .config import StackConfig
from .credentials import ADMIN_USERNAME, ensure_admin
from .demo import Demo
from .k6_processes import k6_pids, stop_k6
from .processes import ManagedProcess, StackError
from .servers import InfluxDB, NatsServer, PostgreSQL, Server
from .services import SERVICES, demo_api_process, service_process, start_demo_api, start_services
from .supervisor import Supervisor, start_supervisor, supervisor_process

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)


def _servers(config: StackConfig) -> list[Server]:
    return [NatsServer(config), InfluxDB(config), PostgreSQL(config)]


def _all_processes(config: StackConfig) -> list[ManagedProcess]:
    services = [service_process(config, name) for name in SERVICES]
    return [
        *(s.process for s in _servers(config)),
        *services,
        demo_api_process(config),
        supervisor_process(config),  # stopped first by `down`: it would restart the others
    ]


@app.command()
def up(
    servers_only: Annotated[
        bool, typer.Option("--servers-only", help="Start NATS, InfluxDB, PostgreSQL only")
    ] = False,
) -> None:
    """Start whatever is not running yet; data under MV_DIR is reused."""
    config = StackConfig()
    try:
        for server in _servers(config):
            server.start()
            typer.echo(f"{server.name:<20} up   (log {server.process.log_file})")
        if not servers_only:
            admin = ensure_admin(config)
            for process in [
                *start_services(config, admin),
                start_demo_api(config),
                start_supervisor(config),
            ]:
                typer.echo(f"{process.name:<20} up   (log {process.log_file})")
            typer.echo(
                f"\nWeb UI: {config.gateway_url}/ui/  Gateway: {config.gateway_url}"
                f"  Swagger UI: {config.gateway_url}/api/swagger"
                f"\nAdmin API token: {config.admin_token_file} (send it as Authorization: Bearer)"
            )
            if admin.password is not None:
                typer.echo(
                    f"UI login, shown this once: {ADMIN_USERNAME} / {admin.password} "
                    "(change it, or add users, with the /auth API)"
                )
    except StackError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None


@app.command()
def demo() -> None:
    """Analyse the demo API, load-test it for a few seconds, print the stored summary."""
    config = StackConfig()
    try:
        Demo(config, typer.echo).run()
    except StackError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(
        f"\nWeb UI: {config.gateway_url}/ui/   Swagger UI: {config.gateway_url}/api/swagger"
        f"   history: {config.gateway_url}/test-history/simple"
    )


def _stop_k6(config: StackConfig) -> None:
    stopped = stop_k6(config.k6_scripts_dir)
    if stopped:
        typer.echo(f"{'k6':<20} stopped ({len(stopped)} processes: {' '.join(map(str, stopped))})")


@app.command()
def down() -> None:
    """Stop every process of the stack: the k6 runs it started, the services, the servers."""
    config = StackConfig()
    # First while the test-runner runs, so it records how each test ended; again at the end
    # for any run it started meanwhile.
    _stop_k6(config)
    for process in reversed(_all_processes(config)):
        if process.stop():
            typer.echo(f"{process.name:<20} stopped")
    _stop_k6(config)


@app.command()
def status() -> None:
    """Show which processes of the stack are running."""
    config = StackConfig()
    for process in _all_processes(config):
        pid = process.pid()
        typer.echo(f"{process.name:<20} {'running pid ' + str(pid) if pid else 'stopped'}")
    k6 = k6_pids(config.k6_scripts_dir)
    if k6:
        # Not "running": scripts/test.sh reads that word as "the stack was up".
        typer.echo(f"{'k6':<20} {len(k6)} processes (pids {' '.join(map(str, k6))})")


@app.command(hidden=True)
def supervise() -> None:
    """Restart a service of the stack that dies (``up`` starts this in the background)."""
    Supervisor(StackConfig(), sys.stdout).run()


@app.command()
def env() -> None:
    """Print the environment the services use, as shell exports."""
    for key, value in StackConfig().service_environment().items():
        typer.echo(f"export {key}={value!r}")


def main() -> None:
    app()
