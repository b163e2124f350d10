#!/usr/bin/env bash
# docker-compose.yml, unchanged, run on this machine by podman-compose with the images the
# cluster path makes here (no registry): the six service images built from the Dockerfile and
# the stand-ins for nats, influxdb and postgres, named in an override file that sets images only.
# Needs root.
#
#   scripts/compose.sh up     start the stack (images built when missing); gateway on
#                             127.0.0.1:${GATEWAY_PORT:-8000}, demo API on ${DEMO_API_PORT:-8080}
#   scripts/compose.sh down   stop it and remove its containers, network and volumes
#
# The compose file's own variables (GATEWAY_PORT, GATEWAY_ADMIN_TOKEN, ...) pass through.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
D="$(realpath -m "${MV_COMPOSE_DIR:-$REPO/.stack/compose}")"
CACHE_ROOT="${MV_CACHE_DIR:-$HOME/.cache/metric-vault}"
PROJECT=metric-vault-compose
export PATH="$CACHE_ROOT/bin:$PATH" CONTAINERS_CONF="$REPO/scripts/compose/containers.conf"

log() { echo "compose.sh: $*" >&2; }
die() { log "$*"; exit 1; }
elapsed() { echo "$(( $(date +%s) - $1 ))s"; }

# shellcheck source=cluster/images.sh
. "$REPO/scripts/cluster/images.sh"
# shellcheck source=cluster/deploy.sh
. "$REPO/scripts/cluster/deploy.sh"

COMPOSE=(podman-compose -p "$PROJECT" -f "$REPO/docker-compose.yml" -f "$D/images.yml")

images() {
  local t name
  podman_bases
  for name in "$NATS_IMAGE:make_nats" "$INFLUXDB_IMAGE:make_influxdb" "$POSTGRES_IMAGE:make_postgres"; do
    "${PODMAN[@]}" image exists "${name%:*}" \
      || "${PODMAN[@]}" load -q -i "$(ensure_archive "${name%:*}" "${name##*:}")" >/dev/null
  done
  for t in "${SERVICE_TARGETS[@]}"; do
    "${PODMAN[@]}" image exists "$(service_image "$t")" || build_service_image "$t"
  done
  {
    echo "# Written by scripts/compose.sh: the images made on this machine."
    echo "services:"
    printf '  nats: {image: "%s"}\n  influxdb: {image: "%s"}\n  postgres: {image: "%s"}\n' \
      "$NATS_IMAGE" "$INFLUXDB_IMAGE" "$POSTGRES_IMAGE"
    for t in gateway spec-analyzer test-runner metrics-aggregator demo-api; do
      printf '  %s: {image: "%s"}\n' "$t" "$(service_image "$t")"
    done
    printf '  metrics-receiver: {image: "%s"}\n' "$(service_image metrics-aggregator)"
    printf '  pod-watcher: {image: "%s"}\n' "$(service_image pod-watcher)"
  } >"$D/images.yml"
}

up() {
  [ "$(id -u)" = 0 ] || die "needs root (podman's bridge network and ports)"
  command -v podman-compose >/dev/null || die "podman-compose is missing: scripts/bootstrap.sh --test-tools"
  local t; t="$(date +%s)"
  mkdir -p "$D/logs"
  images
  log "images ready ($(elapsed "$t"))"; t="$(date +%s)"
  # The services of no profile, as `docker compose up` starts them (podman-compose 1.0.3
  # would start the pod-watcher of the kubernetes profile too).
  local services
  mapfile -t services < <("$REPO/.venv/bin/python" -c '
import sys, yaml
services = yaml.safe_load(open(sys.argv[1]))["services"]
print("\n".join(name for name, service in services.items() if not service.get("profiles")))
' "$REPO/docker-compose.yml")
  "${COMPOSE[@]}" up -d --no-build "${services[@]}" >"$D/logs/up.log" 2>&1 \
    || { tail -n 30 "$D/logs/up.log" >&2; die "podman-compose up failed"; }
  all_running "${#services[@]}" || { tail -n 30 "$D/logs/up.log" >&2; die "containers not running (above: podman-compose's output)"; }
  log "stack started ($(elapsed "$t")): gateway http://127.0.0.1:${GATEWAY_PORT:-8000}"
}

# podman-compose goes on past a container that does not start (and 1.0.3 does not wait for
# health), so each container is checked: running within a minute, restarts included.
all_running() {   # count: how many containers there must be
  local label="label=io.podman.compose.project=$PROJECT" deadline=$(( $(date +%s) + 60 ))
  while [ "$("${PODMAN[@]}" ps -q --filter "$label" --filter status=running | wc -l)" -ne "$1" ]; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      "${PODMAN[@]}" ps -a --filter "$label" --format '{{.Names}}: {{.Status}}' >&2
      return 1
    fi
    sleep 2
  done
}

down() {
  [ -f "$D/images.yml" ] || { log "no stack"; return 0; }
  "${COMPOSE[@]}" down -v >"$D/logs/down.log" 2>&1 || { tail -n 20 "$D/logs/down.log" >&2; die "down failed"; }
  log "stack removed"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  logs) "${COMPOSE[@]}" logs --tail "${2:-40}" ;;
  *) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
