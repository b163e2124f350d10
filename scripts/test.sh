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
# mypy's cache is kept beside the other builds: it checks each file's hash, so a fresh clone
# reuses what an earlier one checked.
MYPY_CACHE_DIR="${MV_CACHE_DIR:-$HOME/.cache/metric-vault}/mypy" uv run --no-sync mypy
# The web UI: its API types must match the gateway's OpenAPI document, its own logic is unit
# tested (vitest), and the browser tests need it built.
scripts/web.sh check-types
scripts/web.sh test
scripts/web.sh build

# Whatever this script started is stopped at its end, also when a step fails or it is
# interrupted: the cleanups run in reverse order from the EXIT trap.
cleanups=()
cleanup() {
  local i
  for ((i = ${#cleanups[@]} - 1; i >= 0; i--)); do eval "${cleanups[i]}" || true; done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The one-node cluster of `make cluster` (tests/cluster): brought up (the parts it needs are
# built once into the cache), its tests run on this machine's own network, and taken down again
# (processes, containers, mounts, bridge, rules), unless it was already up. It runs before the
# rest so the suite has the machine to itself. MV_TEST_CLUSTER=0 leaves it out, and says so.
cluster_rc=0
cluster_part() {
  local t0=$SECONDS t up tests down="" rc=0
  if [ "$(id -u)" != 0 ]; then
    echo "test.sh: the cluster tests need root (containerd, kubelet, a bridge, iptables);" \
      "run as root, or set MV_TEST_CLUSTER=0 to leave them out" >&2
    return 1
  fi
  if scripts/cluster.sh status | grep -q '^kube-apiserver .*running'; then
    echo "test.sh: the cluster is up already: testing it, leaving it up" >&2
  else
    cleanups+=("cluster_down")
    scripts/cluster.sh up >/dev/null || { scripts/cluster.sh diagnose; return 1; }
  fi
  up=$((SECONDS - t0)); t=$SECONDS
  timeout --signal=INT --kill-after=60 "${MV_CLUSTER_TEST_TIMEOUT:-20m}" \
    uv run --no-sync pytest -m cluster tests/cluster -p no:cacheprovider || rc=$?
  tests=$((SECONDS - t))
  if [ "$rc" -ne 0 ]; then scripts/cluster.sh diagnose || true; fi
  if [ "${cleanups[-1]:-}" = cluster_down ]; then
    unset 'cleanups[-1]'; t=$SECONDS
    cluster_down || rc=1
    down=", down $((SECONDS - t))s"
  fi
  echo "test.sh: cluster part: up ${up}s, tests ${tests}s${down}; $((SECONDS - t0))s in all" >&2
  return "$rc"
}
cluster_down() { scripts/cluster.sh down >/dev/null && scripts/cluster.sh leftovers; }
if [ "${MV_TEST_CLUSTER:-1}" = 0 ]; then
  echo "test.sh: MV_TEST_CLUSTER=0: the cluster tests are left out" >&2
else
  cluster_part || cluster_rc=$?
fi

was_running=$(uv run --no-sync python -m mv_devstack status | grep -c running || true)
uv run --no-sync python -m mv_devstack up --servers-only
if [ "$was_running" -eq 0 ]; then
  cleanups+=("uv run --no-sync python -m mv_devstack down >/dev/null")
fi
# The suite runs in MV_TEST_WORKERS parallel workers (0: one process): four on two cores, since
# the slow tests mostly wait on the wall clock (outages, schedules) while the others use the CPU.
# Worker 0 uses the stack above; worker N its own in $MV_DIR-gwN (mv_devstack.workers), stopped
# by the worker at its end, and here too if the run was cut short, with the services of tests a
# crashed worker could not stop (.stack/services-*). Whole files go to one worker, the slowest
# first (the last run's times: --no-loadscope-reorder keeps the suite's order).
workers=${MV_TEST_WORKERS:-4}
cleanups+=("stop_worker_stacks")
stop_worker_stacks() {
  local dir
  for dir in "$MV_DIR"-gw*/ .stack/services-*/ .stack/receiver-*/; do
    [ -d "$dir/run" ] && MV_DIR=${dir%/} uv run --no-sync python -m mv_devstack down >/dev/null
  done
  return 0
}
# The suite takes minutes; a hang outside any one test (pytest-timeout covers those) must still
# end in a failure CI can read, well inside its 90 minutes: INT first, so pytest prints where.
# The tests marked quiet judge response times: they run afterwards, one process, alone.
suite_rc=0
timeout --signal=INT --kill-after=60 "${MV_TEST_TIMEOUT:-60m}" uv run --no-sync pytest --durations=15 \
  -n "$workers" --dist loadfile --no-loadscope-reorder -m "not quiet" "$@" || suite_rc=$?
quiet_rc=0
timeout --signal=INT --kill-after=60 "${MV_TEST_TIMEOUT:-60m}" uv run --no-sync pytest \
  -m quiet "$@" || quiet_rc=$?
[ "$quiet_rc" -eq 5 ] && quiet_rc=0   # none selected by "$@"
[ "$suite_rc" -eq 0 ] && suite_rc=$quiet_rc
if [ "$cluster_rc" -ne 0 ]; then
  echo "test.sh: the cluster tests FAILED (see above: tests/cluster and scripts/cluster.sh diagnose)" >&2
fi
[ "$suite_rc" -eq 0 ] && [ "$cluster_rc" -eq 0 ]
