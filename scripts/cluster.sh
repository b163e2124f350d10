#!/usr/bin/env bash
# A real one-node Kubernetes on this machine, from upstream parts (what k3s bundles): etcd,
# kube-apiserver, kube-controller-manager, kube-scheduler, kubelet and kube-proxy built from
# k8s.io/kubernetes, containerd + runc + the CNI plugins from Debian, CoreDNS and metrics-server
# built from their Go modules, every image made here (no registry). Needs root.
#
#   scripts/cluster.sh build     build what is missing (cached): all that needs the network
#   scripts/cluster.sh up        build what is missing (cached), start everything, deploy
#   scripts/cluster.sh deploy    (cluster up) install or upgrade the chart and the demo only
#   scripts/cluster.sh down      stop everything, unmount, remove the bridge, rules and guard
#   scripts/cluster.sh purge     down, then delete the cluster's data (etcd, images, certs)
#   scripts/cluster.sh status    what runs
#   scripts/cluster.sh diagnose  what failed: dead programs' logs, pods not ready with their logs
#   scripts/cluster.sh leftovers after down: any process, mount, interface or rule of ours left
#   scripts/cluster.sh env       prints `export KUBECONFIG=...`
#
# State lives in <repo>/.stack/cluster (MV_CLUSTER_DIR); a re-run reuses builds, certificates,
# etcd data and imported images. Traffic stays on this machine: see guard_up in cluster/node.sh.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
D="$(realpath -m "${MV_CLUSTER_DIR:-$REPO/.stack/cluster}")"
KUBE_VERSION="${MV_KUBE_VERSION:-v1.36.4}"
CACHE_ROOT="${MV_CACHE_DIR:-$HOME/.cache/metric-vault}"
KUBE="$CACHE_ROOT/kube/$KUBE_VERSION"
ADDONS="$CACHE_ROOT/cluster/bin"
PAUSE_IMAGE=mv.local/pause:3.10
export PATH="$KUBE:$CACHE_ROOT/bin:$PATH" KUBECONFIG="$D/kubeconfig"

log() { echo "cluster.sh: $*" >&2; }
die() { log "$*"; exit 1; }
elapsed() { echo "$(( $(date +%s) - $1 ))s"; }

# shellcheck source=cluster/node.sh
. "$REPO/scripts/cluster/node.sh"
# shellcheck source=cluster/images.sh
. "$REPO/scripts/cluster/images.sh"
# shellcheck source=cluster/deploy.sh
. "$REPO/scripts/cluster/deploy.sh"

up() {
  [ "$(id -u)" = 0 ] || die "needs root (containerd, kubelet, bridges, iptables)"
  local t0 t; t0="$(date +%s)"; t="$t0"
  "$REPO/scripts/cluster/build.sh" >/dev/null
  log "binaries ready ($(elapsed "$t"))"; t="$(date +%s)"
  mkdir -p "$D/run" "$D/logs"
  guard_up                      # first: nothing of the cluster's ranges may ever leave
  bridge_up
  certs
  containerd_up
  import_images system
  log "containerd ready, system images imported ($(elapsed "$t"))"; t="$(date +%s)"
  control_plane_up
  log "control plane ready ($(elapsed "$t"))"; t="$(date +%s)"
  node_up
  log "node $NODE_NAME Ready ($(elapsed "$t"))"; t="$(date +%s)"
  addons_up                     # their pods start while the images are imported
  if [ "${MV_CLUSTER_ONLY:-}" = 1 ]; then
    addons_ready
    log "cluster up in $(elapsed "$t0") (MV_CLUSTER_ONLY)"; return 0
  fi
  import_images backends
  service_images
  log "images ready ($(elapsed "$t"))"; t="$(date +%s)"
  addons_ready
  log "CoreDNS and metrics-server ready ($(elapsed "$t"))"; t="$(date +%s)"
  volumes_up
  chart_up
  demo_up
  restart_changed
  gateway_up
  log "chart and demo ready ($(elapsed "$t"))"
  log "cluster up in $(elapsed "$t0")"
  cat <<EOF
Metric Vault runs in the cluster:
  gateway   $(cat "$D/gateway-url")   (UI: $(cat "$D/gateway-url")/ui/)
  sign in   admin / $ADMIN_PASSWORD
  API token $D/admin-token
  kubectl   export KUBECONFIG=$D/kubeconfig
EOF
}

# The chart and the demo again, from the images already imported (no build): after a
# `helm uninstall`, or to apply a changed chart.
deploy() {
  [ -n "$(pid_of kube-apiserver || true)" ] || die "the cluster is not up: scripts/cluster.sh up"
  local t0; t0="$(date +%s)"
  volumes_up
  chart_up
  demo_up
  gateway_up
  log "chart and demo deployed ($(elapsed "$t0"))"
}

# Every process of ours, stopped in reverse; every container's task killed and its record
# removed (kubelet makes them again from the API on the next `up`); then the mounts, the
# bridge, kube-proxy's rules and, last, the guard.
down() {
  [ -d "$D" ] || return 0
  local n p
  for n in gateway-forward kubelet kube-proxy kube-scheduler kube-controller-manager; do stop_program "$n"; done
  if [ -n "$(pid_of containerd)" ]; then
    for n in $(ctr_k8s tasks ls -q 2>/dev/null); do ctr_k8s tasks kill -s SIGKILL "$n" >/dev/null 2>&1 || true; done
    sleep 1
    for n in $(ctr_k8s tasks ls -q 2>/dev/null); do ctr_k8s tasks delete -f "$n" >/dev/null 2>&1 || true; done
    for n in $(ctr_k8s containers ls -q 2>/dev/null); do ctr_k8s containers rm "$n" >/dev/null 2>&1 || true; done
  fi
  stop_program containerd
  # Shims of our containerd outlive it; they are ours when they name our socket.
  for p in $(pgrep -f -- "containerd-shim-runc-v2 .*-address $(CONTAINERD_SOCK)" || true); do
    kill -KILL "$p" 2>/dev/null || true
  done
  stop_program kube-apiserver
  stop_program etcd
  unmount_all
  rm -rf "$D/cni/ipam" "$D/containerd/state" "$D/kubelet/pods"
  ip route del "$SERVICE_CIDR" dev "$BRIDGE" 2>/dev/null || true
  ip link del "$BRIDGE" 2>/dev/null || true
  [ -x "$KUBE/kube-proxy" ] && "$KUBE/kube-proxy" --cleanup >/dev/null 2>&1 || true
  kubelet_rules_down
  sysctls_restore
  guard_down
  log "down"
}
# kubelet's own chains (KUBE-FIREWALL, the canaries) that kube-proxy --cleanup leaves: the
# jumps to them from the built-in chains first, then the chains. Only kubelet makes KUBE-*
# chains on this machine's own network.
kubelet_rules_down() {
  local tool table rule chain
  for tool in iptables ip6tables; do
    command -v "$tool" >/dev/null || continue
    for table in filter nat mangle; do
      while read -r rule; do
        eval "$tool -t $table ${rule/-A /-D }" 2>/dev/null || true
      done < <("$tool" -t "$table" -S 2>/dev/null | grep -E '^-A (INPUT|OUTPUT|FORWARD|PREROUTING|POSTROUTING) .*-j KUBE-' || true)
      for chain in $("$tool" -t "$table" -S 2>/dev/null | sed -n 's/^-N \(KUBE-[^ ]*\)$/\1/p'); do
        "$tool" -t "$table" -F "$chain" 2>/dev/null || true
      done
      for chain in $("$tool" -t "$table" -S 2>/dev/null | sed -n 's/^-N \(KUBE-[^ ]*\)$/\1/p'); do
        "$tool" -t "$table" -X "$chain" 2>/dev/null || true
      done
    done
  done
}
unmount_all() {   # deepest first; containers' rootfs, pod volumes, network namespaces
  local m
  for m in $(awk -v d="$D/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r); do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done
}

status() {
  local n p
  for n in etcd containerd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy gateway-forward; do
    p="$(pid_of "$n" || true)"; printf '%-24s %s\n' "$n" "${p:+running (pid $p)}${p:-stopped}"
  done
  [ -n "$(pid_of kube-apiserver || true)" ] && kubectl get nodes,pods -A -o wide 2>/dev/null || true
}

# For a reader of a failed run: every program of ours that is not running with its log's end,
# then every pod that is neither Ready nor done, with its events and its containers' last lines.
diagnose() {
  local n f pod
  status
  for f in "$D"/logs/*.log; do
    n="$(basename "$f" .log)"
    [ -f "$D/run/$n.pid" ] && [ -z "$(pid_of "$n" || true)" ] || continue
    echo "--- $n is not running; the end of $f:"; tail -n 25 "$f"
  done
  [ -n "$(pid_of kube-apiserver || true)" ] || return 0
  for pod in $(kubectl get pods -A --no-headers -o custom-columns=':metadata.namespace,:metadata.name,:status.phase,:status.conditions[?(@.type=="Ready")].status' 2>/dev/null \
               | awk '$3 != "Succeeded" && $4 != "True" {print $1 "/" $2}'); do
    echo "--- pod $pod is not ready:"
    kubectl -n "${pod%/*}" describe pod "${pod#*/}" 2>&1 | sed -n '/^Events:/,$p' | tail -n 15
    kubectl -n "${pod%/*}" logs "${pod#*/}" --all-containers --tail=30 2>&1 || true
  done
}

# After `down`: nothing of the cluster may be left on the machine. Prints what is, fails then.
leftovers() {
  local found=() n
  for n in etcd containerd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy gateway-forward; do
    [ -z "$(pid_of "$n" || true)" ] || found+=("process $n")
  done
  pgrep -f -- "containerd-shim-runc-v2 .*-address $(CONTAINERD_SOCK)" >/dev/null && found+=("containerd shims")
  n="$(awk -v d="$D/" 'index($5, d) == 1' /proc/self/mountinfo | wc -l)"
  [ "$n" -eq 0 ] || found+=("$n mounts under $D")
  ip link show "$BRIDGE" >/dev/null 2>&1 && found+=("interface $BRIDGE")
  [ -z "$(ip route show type unreachable "$CLUSTER_NET")" ] || found+=("route unreachable $CLUSTER_NET")
  for n in filter nat mangle; do
    iptables -t "$n" -S 2>/dev/null | grep -qE "^-N (KUBE-|$GUARD_CHAIN)" && found+=("iptables chains in $n")
  done
  [ ${#found[@]} -eq 0 ] && return 0
  log "left behind after down: ${found[*]}"
  return 1
}

# Every program and image archive `up` needs, made or downloaded now, so that `up` itself needs
# no network beyond this machine's loopback.
build() {
  local t0; t0="$(date +%s)"
  "$REPO/scripts/cluster/build.sh" >/dev/null
  images_archived
  service_archive >/dev/null
  log "built ($(elapsed "$t0"))"
}

case "${1:-}" in
  build) build ;;
  up) up ;;
  deploy) deploy ;;
  down) down ;;
  purge) down; rm -rf "$D"; log "removed $D" ;;
  status) status ;;
  diagnose) diagnose ;;
  leftovers) leftovers ;;
  env) printf 'export KUBECONFIG=%q\n' "$D/kubeconfig" ;;
  *) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
