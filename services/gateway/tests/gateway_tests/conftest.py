"""Gateway fixtures: the same tests run on real SQLite and real PostgreSQL."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
from fastapi import FastAPI
from faststream.nats import NatsBroker
from nats.js.errors import NotFoundError
from pydantic import SecretStr
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from websockets.typing import Subprotocol

from mv_contracts.subjects import STREAM_NAME, STREAM_SUBJECTS
from mv_devstack.config import StackConfig
from mv_devstack.servers import PostgreSQL
from mv_devstack.workers import free_port
from mv_gateway.app import create_app
from mv_gateway.auth import Role
from mv_gateway.auth.store import Accounts
from mv_gateway.auth.tokens import TOKEN_PREFIX, new_secret
from mv_gateway.core.deps import get_session
from mv_gateway.core.engine import make_engine, make_session_factory
from mv_gateway.core.migrate import upgrade
from mv_gateway.core.settings import Settings
from mv_gateway.live.hub import LiveHub
from mv_gateway.server import GatewayServer
from mv_runtime.bus import stream

BACKENDS = ["sqlite", "postgresql"]


def database_url(
    backend: str, name: str, stack: StackConfig, postgres: PostgreSQL, tmp: Path
) -> str:
    """A fresh, empty database of the given backend."""
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{tmp / (name + '.db')}"
    postgres.drop_database(name)
    postgres.ensure_database(name)
    return stack.postgres_url(name)


@pytest.fixture(scope="session", autouse=True)
def no_metrics_path_check() -> Iterator[None]:
    """No metrics receiver beats for these tests' gateways; test_heartbeats.py turns the check
    on where it is the subject."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("METRICS_PATH_CHECK", "false")
        yield


@pytest.fixture
async def bus_stream(stack: StackConfig) -> None:
    """The bus's stream on the session's NATS, before a test makes consumers on it: a fresh
    server (a parallel worker's, say) has none until a service declares it."""
    connection = await nats.connect(stack.nats_url)
    js = connection.jetstream()
    try:
        await js.stream_info(STREAM_NAME)
    except NotFoundError:  # declared as the bus declares it
        await js.add_stream(
            config=dataclasses.replace(stream().config, subjects=list(STREAM_SUBJECTS))
        )
    await connection.close()


@pytest.fixture(scope="session", params=BACKENDS)
async def engine(
    request: pytest.FixtureRequest,
    stack: StackConfig,
    postgres: PostgreSQL,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[AsyncEngine]:
    """One migrated database per backend for the whole session."""
    url = database_url(
        request.param, "mv_gateway_test", stack, postgres, tmp_path_factory.mktemp("db")
    )
    engine = make_engine(url)
    if request.param == "sqlite":
        _real_savepoints(engine)
    await upgrade(engine)
    yield engine
    await engine.dispose()


def _real_savepoints(engine: AsyncEngine) -> None:
    """SQLAlchemy's recipe for SQLite's SAVEPOINT: pysqlite begins no transaction before a
    SAVEPOINT, so a route's commit (a savepoint's release) committed for good and its rows
    outlived the test's rollback. Here SQLAlchemy emits BEGIN itself."""

    def no_implicit_begin(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    def begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")

    event.listen(engine.sync_engine, "connect", no_implicit_begin)
    event.listen(engine.sync_engine, "begin", begin)


@pytest.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session inside a transaction that is rolled back after the test."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        session = AsyncSession(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        try:
            yield session
        finally:
            await session.close()
            await transaction.rollback()


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Settings a test module wants the ``client`` app to have (override this fixture)."""
    return {}


@pytest.fixture
async def tokens(session: AsyncSession) -> dict[Role, str]:
    """An API token per role, in the test's transaction."""
    accounts = Accounts(session)
    return {role: (await accounts.add_token(f"test {role}", role, "tests"))[1] for role in Role}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def committed_admin(engine: AsyncEngine) -> dict[str, str]:
    """The header of a new admin token committed to ``engine``'s database, for tests that run
    the app on a committed database rather than the test's transaction."""
    async with make_session_factory(engine)() as session, session.begin():
        _, secret = await Accounts(session).add_token("test admin", Role.ADMIN, "tests")
    return bearer(secret)


def bearer_subprotocols(token: str) -> list[Subprotocol]:
    """How a browser's WebSocket offers a token: ``new WebSocket(url, ["bearer", token])``."""
    return [Subprotocol("bearer"), Subprotocol(token)]


# How long a stream or a bus message may take to arrive: generous, as on a loaded machine (CI,
# beside the cluster's image builds) two streams took more than 5 s to open.
PATIENCE = 20.0


async def eventually(check: Callable[[], bool], what: str, seconds: float = PATIENCE) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not check():
        assert asyncio.get_running_loop().time() < deadline, f"{what} within {seconds:g} s"
        await asyncio.sleep(0.05)


async def until_serving(server: GatewayServer, base: str, path: str = "/readyz") -> None:
    """Until the in-process ``server`` answers ``path`` with 200, 30 s at most."""
    async with httpx.AsyncClient(base_url=base, timeout=PATIENCE) as http:
        deadline = asyncio.get_running_loop().time() + 30
        while not (server.started and (await http.get(path)).status_code == 200):
            assert asyncio.get_running_loop().time() < deadline, f"{base}{path} never answered 200"
            await asyncio.sleep(0.1)


async def until_live_clients(hub: LiveHub, count: int) -> None:
    await eventually(lambda: hub.clients == count, f"{count} live clients")


@pytest.fixture
async def anonymous(
    engine: AsyncEngine,
    session: AsyncSession,
    stack: StackConfig,
    settings_overrides: dict[str, Any],
) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway app over ASGI, its session dependency bound to the test's transaction; no
    credential (see ``client``)."""
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        nats_url=stack.nats_url,
        influxdb_host=stack.host,
        influxdb_port=stack.influxdb_port,
        migrate_on_start=False,
        **settings_overrides,
    )
    broker = NatsBroker(stack.nats_url)
    app = create_app(settings, broker=broker)

    async def test_session() -> AsyncIterator[AsyncSession]:
        yield session
        await session.flush()

    app.dependency_overrides[get_session] = test_session
    await broker.connect()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
        yield http
    await broker.stop()
    await app.state.engine.dispose()


@pytest.fixture
async def client(anonymous: httpx.AsyncClient, tokens: dict[Role, str]) -> httpx.AsyncClient:
    """``anonymous`` signed in with an admin API token: the tests of what routes do."""
    anonymous.headers.update(bearer(tokens[Role.ADMIN]))
    return anonymous


@dataclass
class LiveGateway:
    base: str
    app: FastAPI
    server: GatewayServer
    serving: asyncio.Task[None]
    token: str  # an admin API token, registered from the settings at start-up

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)


@pytest.fixture
async def live_gateway(stack: StackConfig, tmp_path: Path) -> AsyncIterator[LiveGateway]:
    async with running_gateway(stack, tmp_path) as gateway:
        yield gateway


@asynccontextmanager
async def running_gateway(stack: StackConfig, tmp_path: Path) -> AsyncIterator[LiveGateway]:
    """The whole gateway as it runs in production: its lifespan, the bus started, and the
    GatewayServer on a free port; yields once ``GET /readyz`` reports every component reachable
    (``GET /`` also wants the other services' heartbeats)."""
    port = free_port(stack.host, 29000, 30000)
    token = new_secret(TOKEN_PREFIX)
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'live.db'}",
        nats_url=stack.nats_url,
        influxdb_host=stack.host,
        influxdb_port=stack.influxdb_port,
        gateway_port=port,
        gateway_admin_token=SecretStr(token),
        shutdown_grace_seconds=60,  # a stream left open shows as a hang, not a quiet cut
    )
    app = create_app(settings)
    server = GatewayServer(app, settings)
    serving = asyncio.create_task(server.serve())
    gateway = LiveGateway(f"http://{stack.host}:{port}", app, server, serving, token)
    await until_serving(server, gateway.base)
    yield gateway
    server.should_exit = True
    await asyncio.wait_for(serving, 30)
