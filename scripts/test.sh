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

# Whatever this script started is stopped at its end, also when a step fails or it is
# interrupted: the cleanups run in reverse order from the EXIT trap.
cleanups=()
cleanup() {
  local i
  for ((i = ${#cleanups[@]} - 1; i >= 0; i--)); do eval "${cleanups[i]}" || true; done
}
# The suite runs in MV_TEST_WORKERS parallel workers (pytest-xdist; 0: one process): four on
# two cores, since the slow tests mostly wait on the wall clock (outages, schedules) while the
# others use the CPU. Whole files go to one worker, the slowest first (the last run's times:
# --no-loadscope-reorder keeps the suite's order). A hang outside any one test (pytest-timeout
# covers those) must still end in a failure CI can read, well inside its 90 minutes: INT first,
# so pytest prints where. Exit code 5: none selected by "$@". `timeout` runs pytest in a process
# group of its own, where a Ctrl-C never arrives, and bash runs no trap while it waits for a
# command: so pytest runs as a job this script waits for, and an INT or TERM is passed on.
workers=${MV_TEST_WORKERS:-4}
suite_pid=""
suite() {
  local rc=0
  timeout --signal=INT --kill-after=60 "${MV_TEST_TIMEOUT:-60m}" uv run --no-sync pytest "$@" &
  suite_pid=$!
  wait "$suite_pid" || rc=$?
  suite_pid=""
  [ "$rc" -eq 5 ] && rc=0
  return "$rc"
}
stop_suite() {
  [ -n "$suite_pid" ] || return 0
  kill -INT "$suite_pid" 2>/dev/null || true
  wait "$suite_pid" || true
}
trap cleanup EXIT
trap 'stop_suite; exit 130' INT
trap 'stop_suite; exit 143' TERM

# The one-node cluster of `make cluster` (tests/cluster): brought up (the parts it needs are
# built once into the cache), its tests run on this machine's own network, and taken down again
# (processes, containers, mounts, bridge, rules), unless it was already up. Its part mostly
# waits on pods, so it runs in the background beside the checks and the packages' own tests,
# which use the CPU it leaves. The tests across services start once it is down: beside it,
# Chromium's loads failed with ERR_NETWORK_CHANGED while the pods' interfaces came and went,
# and their timed tests lost their margin. Its output is printed when it ends.
# MV_TEST_CLUSTER=0 leaves it out, and says so.
cluster_rc=0 cluster_pid="" cluster_was_up=0
cluster_log=${MV_DIR}-cluster.log
cluster_part() {
  local t0=$SECONDS t up tests down="" rc=0
  if [ "$cluster_was_up" = 0 ]; then
    scripts/cluster.sh up >/dev/null || { scripts/cluster.sh diagnose; return 1; }
  fi
  up=$((SECONDS - t0)); t=$SECONDS
  timeout --signal=INT --kill-after=60 "${MV_CLUSTER_TEST_TIMEOUT:-20m}" \
    uv run --no-sync pytest -m cluster tests/cluster -p no:cacheprovider --durations=8 || rc=$?
  tests=$((SECONDS - t))
  if [ "$rc" -ne 0 ]; then scripts/cluster.sh diagnose || true; fi
  if [ "$cluster_was_up" = 0 ]; then
    t=$SECONDS
    cluster_down || rc=1
    down=", down $((SECONDS - t))s"
  fi
  echo "test.sh: cluster part: up ${up}s, tests ${tests}s${down}; $((SECONDS - t0))s in all" >&2
  return "$rc"
}
cluster_down() { scripts/cluster.sh down >/dev/null && scripts/cluster.sh leftovers; }
# Only when this script ends before the part does: a background job ignores SIGINT, so TERM
# goes to the part's shell and the step it waits for (not to the group: that would kill
# containerd's shims before `down` stops the containers).
stop_cluster_part() {
  [ -n "$cluster_pid" ] || return 0
  pkill -TERM -P "$cluster_pid" || true
  kill -TERM "$cluster_pid" 2>/dev/null || true
  wait "$cluster_pid" || true
  if [ "$cluster_was_up" = 0 ]; then cluster_down || true; fi
  cat "$cluster_log" >&2 || true
}
if [ "${MV_TEST_CLUSTER:-1}" = 0 ]; then
  echo "test.sh: MV_TEST_CLUSTER=0: the cluster tests are left out" >&2
elif [ "$(id -u)" != 0 ]; then
  echo "test.sh: the cluster tests need root (containerd, kubelet, a bridge, iptables);" \
    "run as root, or set MV_TEST_CLUSTER=0 to leave them out" >&2
  exit 1
else
  if scripts/cluster.sh status | grep -q '^kube-apiserver .*running'; then
    echo "test.sh: the cluster is up already: testing it, leaving it up" >&2
    cluster_was_up=1
  fi
  mkdir -p "$(dirname "$cluster_log")"
  cluster_part >"$cluster_log" 2>&1 &
  cluster_pid=$!
  cleanups+=("stop_cluster_part")
fi

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

was_running=$(uv run --no-sync python -m mv_devstack status | grep -c running || true)
uv run --no-sync python -m mv_devstack up --servers-only
if [ "$was_running" -eq 0 ]; then
  cleanups+=("uv run --no-sync python -m mv_devstack down >/dev/null")
fi
# Worker 0 uses the stack above; worker N its own in $MV_DIR-gwN (mv_devstack.workers), stopped
# by the worker at its end, and here too if the run was cut short, with the services of tests a
# crashed worker could not stop (.stack/services-*).
cleanups+=("stop_worker_stacks")
stop_worker_stacks() {
  local dir
  for dir in "$MV_DIR"-gw*/ .stack/services-*/ .stack/receiver-*/; do
    [ -d "$dir/run" ] && MV_DIR=${dir%/} uv run --no-sync python -m mv_devstack down >/dev/null
  done
  return 0
}

# The packages' own tests beside the cluster part, in one worker fewer: the slowest of them
# (schedules, outages) mostly wait on the clock, and the cluster part takes the rest.
packages_rc=0
suite --durations=15 -n "$((workers > 1 ? workers - 1 : workers))" --dist loadfile \
  --no-loadscope-reorder -m "not end_to_end and not quiet" "$@" || packages_rc=$?
if [ -n "$cluster_pid" ]; then
  wait "$cluster_pid" || cluster_rc=$?
  cluster_pid=""
  cat "$cluster_log" >&2
fi

# Then the tests across services (tests/), with the machine to themselves.
suite_rc=0
suite --durations=15 -n "$workers" --dist loadfile --no-loadscope-reorder \
  -m "end_to_end and not quiet" "$@" || suite_rc=$?
# The tests marked quiet judge response times: they run afterwards, one process, alone.
quiet_rc=0
suite -m quiet "$@" || quiet_rc=$?
for rc in "$packages_rc" "$quiet_rc"; do [ "$suite_rc" -eq 0 ] && suite_rc=$rc; done
if [ "$cluster_rc" -ne 0 ]; then
  # Repeated last, where a reader of a long log (CI shows its start and end) finds it.
  echo "test.sh: the cluster tests FAILED (see above: tests/cluster and scripts/cluster.sh diagnose)" >&2
  grep -E '^(FAILED|ERROR) ' "$cluster_log" >&2 || true
fi
[ "$suite_rc" -eq 0 ] && [ "$cluster_rc" -eq 0 ]
