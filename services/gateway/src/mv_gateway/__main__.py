"""``python -m mv_gateway``: serve the HTTP API with uvicorn until SIGTERM.

``python -m mv_gateway create-admin USERNAME``: add an admin (the password read from
GATEWAY_ADMIN_PASSWORD, else asked for at the terminal), e.g. when no user exists yet.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from mv_runtime.logging import configure_logging

from .app import create_app
from .auth.bootstrap import create_admin
from .auth.passwords import WeakPassword
from .core.engine import make_engine, make_session_factory
from .core.migrate import upgrade
from .core.settings import Settings
from .server import GatewayServer


async def _create_admin(settings: Settings, username: str, password: str) -> bool:
    engine = make_engine(settings.database_url)
    try:
        await upgrade(engine)
        async with make_session_factory(engine)() as session, session.begin():
            return await create_admin(session, username, password)
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m mv_gateway", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    admin = commands.add_parser("create-admin", help="add an admin user")
    admin.add_argument("username")
    arguments = parser.parse_args(argv)
    settings = Settings()
    if arguments.command == "create-admin":
        secret = settings.gateway_admin_password
        password = secret.get_secret_value() if secret else getpass.getpass("password: ")
        try:
            added = asyncio.run(_create_admin(settings, arguments.username, password))
        except WeakPassword as weak:
            sys.exit(f"password refused: {weak}")
        print(f"admin {arguments.username} " + ("created" if added else "exists already"))
        return
    configure_logging("gateway", settings.log_level, settings.log_format)
    GatewayServer(create_app(settings), settings).run()


if __name__ == "__main__":
    main()
