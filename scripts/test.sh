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
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The one-node cluster of `make cluster` (tests/cluster): brought up (the parts it needs are
# built once into the cache, here, before anything else runs), its tests run, and taken down
# again (processes, containers, mounts, bridge, rules), unless it was already up. It runs in the
# background beside the rest, niced so the suite's timed faults keep their pace (most of its
# time is waiting: for pods, Jobs, k6 runs of a set length), in a process group of its own with
# its output kept in a log, printed once it ends. MV_TEST_CLUSTER=0 leaves it out, and says so.
cluster_rc=0
cluster_part() {
  if scripts/cluster.sh status | grep -q '^kube-apiserver .*running'; then
    echo "test.sh: the cluster is up already: testing it, leaving it up" >&2
    cluster_tests
    return
  fi
  # A network namespace of its own: the cluster's bridge and the pods' interfaces come and go
  # where the suite's Chromium cannot see them (it fails its loads with ERR_NETWORK_CHANGED when
  # this machine's interfaces change), and nothing of it can leave the machine. It has a loopback
  # and an uplink whose far end is down, so the guard finds a default route to guard, as on a
  # real machine.
  # (exec: stop_cluster_part waits for this very process, cleanups included.)
  exec unshare --net bash -c 'set -euo pipefail; ip link set lo up
    ip link add mv-uplink type veth peer name mv-uplink-end
    ip addr add 192.0.2.1/24 dev mv-uplink && ip link set mv-uplink up
    ip route add default via 192.0.2.254 dev mv-uplink
    cleanups=(); trap cleanup EXIT; trap "stopped_early; exit 143" TERM; cluster_of_our_own'
}
# A test stopped mid-way leaves what its fixtures would have taken down: the compose stack.
stopped_early() { scripts/compose.sh down >/dev/null 2>&1 || true; }
cluster_of_our_own() {
  local t0=$SECONDS t up tests down rc=0
  cleanups+=("cluster_down")
  scripts/cluster.sh up >/dev/null || { scripts/cluster.sh diagnose; return 1; }
  up=$((SECONDS - t0)); t=$SECONDS
  cluster_tests || rc=$?
  tests=$((SECONDS - t)); t=$SECONDS
  unset 'cleanups[-1]'
  cluster_down || rc=1
  down=$((SECONDS - t))
  echo "test.sh: cluster part: up ${up}s, tests ${tests}s, down ${down}s; $((SECONDS - t0))s in all" >&2
  return "$rc"
}
cluster_tests() {
  local rc=0
  timeout --signal=TERM --kill-after=60 "${MV_CLUSTER_TEST_TIMEOUT:-20m}" \
    uv run --no-sync pytest -m cluster tests/cluster -p no:cacheprovider || rc=$?
  if [ "$rc" -ne 0 ]; then scripts/cluster.sh diagnose || true; fi
  return "$rc"
}
cluster_down() { scripts/cluster.sh down >/dev/null && scripts/cluster.sh leftovers; }
cluster_pid="" cluster_log=.stack/test-cluster-part.log
if [ "${MV_TEST_CLUSTER:-1}" = 0 ]; then
  echo "test.sh: MV_TEST_CLUSTER=0: the cluster tests are left out" >&2
elif [ "$(id -u)" != 0 ]; then
  echo "test.sh: the cluster tests need root (containerd, kubelet, a bridge, iptables);" \
    "run as root, or set MV_TEST_CLUSTER=0 to leave them out" >&2
  exit 1
else
  # What needs the network (builds, downloads): a second or two once cached.
  scripts/cluster.sh build >/dev/null
  mkdir -p .stack
  export -f cluster_part cluster_of_our_own cluster_tests cluster_down stopped_early cleanup
  # Stopped early (stop_cluster_part), it takes down what it brought up, as this script does.
  setsid nice -n 5 bash -c 'set -euo pipefail; cluster_part' >"$cluster_log" 2>&1 &
  cluster_pid=$!
  cleanups+=("stop_cluster_part")
fi
# TERM, not INT (a script's background job ignores INT and cannot trap it), to the part's shell
# and the step it waits for (the cluster's programs keep running until its cleanup stops them).
stop_cluster_part() {
  kill -TERM "$cluster_pid" 2>/dev/null && pkill -TERM -P "$cluster_pid"
  wait "$cluster_pid"
  cat "$cluster_log" >&2
}
# Waits for the cluster part and prints its log; its result in cluster_rc.
end_cluster_part() {
  [ -n "$cluster_pid" ] || return 0
  wait "$cluster_pid" || cluster_rc=$?
  cleanups[0]=:   # was stop_cluster_part: it has ended
  cluster_pid=""
  echo "test.sh: the cluster part, which ran beside the suite:" >&2
  cat "$cluster_log" >&2
}

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
# The quiet tests wait for the cluster part too: they judge response times.
end_cluster_part
quiet_rc=0
timeout --signal=INT --kill-after=60 "${MV_TEST_TIMEOUT:-60m}" uv run --no-sync pytest \
  -m quiet "$@" || quiet_rc=$?
[ "$quiet_rc" -eq 5 ] && quiet_rc=0   # none selected by "$@"
[ "$suite_rc" -eq 0 ] && suite_rc=$quiet_rc
if [ "$cluster_rc" -ne 0 ]; then
  echo "test.sh: the cluster tests FAILED (see above: tests/cluster and scripts/cluster.sh diagnose)" >&2
fi
[ "$suite_rc" -eq 0 ] && [ "$cluster_rc" -eq 0 ]
