"""An answer means it is stored: a client that acts on an answer at once finds what it was told
about, on real SQLite and PostgreSQL behind the real HTTP server (an in-process transport would
wait for the whole app and hide a commit that runs after the response is sent)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from gateway_tests.conftest import BACKENDS, database_url
from gateway_tests.served_gateway import serve_gateway, signed_in
from mv_devstack.config import StackConfig
from mv_devstack.servers import PostgreSQL
from mv_gateway.core.engine import make_engine, make_session_factory
from mv_gateway.projects.tables import Project
from mv_gateway.specs.tables import Endpoint, OpenApiSpec

# A commit after the answer lost most races when it was there (it showed in the first few tries);
# 50 keep the test well inside its timeout on a busy machine (7 requests a try).
TRIES = 50


async def _endpoint(url: str) -> int:
    """A stored endpoint to load-test (committed, as an analysis would leave it)."""
    engine = make_engine(url)
    try:
        async with make_session_factory(engine)() as session, session.begin():
            project = Project(title="p")
            session.add(project)
            await session.flush()
            spec = OpenApiSpec(
                project_id=project.id, title="s", version="1", base_url="http://127.0.0.1:9"
            )
            session.add(spec)
            await session.flush()
            endpoint = Endpoint(openapi_spec_id=spec.id, method="GET", path="/x")
            session.add(endpoint)
            await session.flush()
            return endpoint.id
    finally:
        await engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
async def test_what_an_answer_names_is_there_at_once(
    backend: str, stack: StackConfig, postgres: PostgreSQL, tmp_path: Path
) -> None:
    url = database_url(backend, "mv_commit_test", stack, postgres, tmp_path)
    misses: Counter[str] = Counter()
    # No runner here: every test started stays pending, far more than an admin may have going.
    async with serve_gateway(stack, url, admin_max_running_tests=2 * TRIES) as (base, _app):
        endpoint_id = await _endpoint(url)
        async with signed_in(base, timeout=10) as http:
            for i in range(TRIES):
                project = (await http.post("/project", json={"title": f"p{i}"})).json()["id"]
                got = await http.get(f"/project/{project}")
                misses["GET /project/{id}"] += got.status_code == 404
                project = (await http.post("/project", json={"title": f"q{i}"})).json()["id"]
                analysis = await http.post(
                    "/openapi/analyze",
                    json={"project_id": project, "openapi_url": "http://127.0.0.1:9/openapi.json"},
                )
                misses["POST /openapi/analyze"] += analysis.status_code == 404
                body = {
                    "title": f"t{i}",
                    "scenarios": [
                        {"name": "a", "endpoint_id": endpoint_id, "vus": 1, "duration": "1s"}
                    ],
                }
                started = (await http.post("/load-testing", json=body)).json()
                details = await http.get(f"/test-history/{started['test_history_id']}/details")
                misses["details"] += details.status_code == 404
                started = (await http.post("/load-testing", json=body)).json()
                cancel = await http.post(f"/load-testing/{started['test_id']}/cancel")
                misses["cancel"] += cancel.status_code == 404
    print(f"{backend}: misses per {TRIES}: {dict(misses)}")
    assert sum(misses.values()) == 0, dict(misses)
