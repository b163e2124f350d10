#!/usr/bin/env bash
# Lint, type-check, then pytest against the real servers of the local stack. Servers this
# script had to start are stopped again at the end; a stack that was already up is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."

uv run --no-sync ruff check .
uv run --no-sync lint-imports
uv run --no-sync mypy

was_running=$(uv run --no-sync python -m mv_devstack status | grep -c running || true)
uv run --no-sync python -m mv_devstack up --servers-only
if [ "$was_running" -eq 0 ]; then
  trap 'uv run --no-sync python -m mv_devstack down >/dev/null' EXIT
fi
uv run --no-sync pytest "$@"
