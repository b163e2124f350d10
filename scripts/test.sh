#!/usr/bin/env bash
# Lint, type-check, then pytest against the real servers of the local stack. Servers this
# script had to start are stopped again at the end; a stack that was already up is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."

# The tests get a stack of their own (folder and ports), so a stack started with `make run` keeps
# its data and its services never pick up the commands the tests publish.
export MV_DIR=${MV_DIR:-$PWD/.stack/test}
export MV_NATS_PORT=${MV_NATS_PORT:-14222} MV_NATS_MONITOR_PORT=${MV_NATS_MONITOR_PORT:-18222}
export MV_INFLUXDB_PORT=${MV_INFLUXDB_PORT:-18086} MV_INFLUXDB_RPC_PORT=${MV_INFLUXDB_RPC_PORT:-18088}
export MV_POSTGRES_PORT=${MV_POSTGRES_PORT:-15432} MV_GATEWAY_PORT=${MV_GATEWAY_PORT:-18000}

uv run --no-sync ruff check .
uv run --no-sync lint-imports
uv run --no-sync mypy
# The web UI: its API types must match the gateway's OpenAPI document, its own logic is unit
# tested (vitest), and the browser tests need it built.
scripts/web.sh check-types
scripts/web.sh test
scripts/web.sh build

was_running=$(uv run --no-sync python -m mv_devstack status | grep -c running || true)
uv run --no-sync python -m mv_devstack up --servers-only
if [ "$was_running" -eq 0 ]; then
  trap 'uv run --no-sync python -m mv_devstack down >/dev/null' EXIT
fi
# The suite takes minutes; a hang outside any one test (pytest-timeout covers those) must still
# end in a failure CI can read, well inside its 90 minutes: INT first, so pytest prints where.
timeout --signal=INT --kill-after=60 "${MV_TEST_TIMEOUT:-60m}" uv run --no-sync pytest "$@"
