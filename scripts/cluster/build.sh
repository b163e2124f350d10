#!/usr/bin/env bash
# Builds, once into the cache, every program of the one-node cluster that Debian does not ship:
# kube-controller-manager, kube-scheduler, kubelet, kube-proxy and kubectl from the same
# k8s.io/kubernetes module as kube-apiserver (one `go build`, in the source tree
# scripts/kube-apiserver.sh left), CoreDNS and metrics-server from their Go modules, and the pod
# sandbox's pause program from the C source in that module. Prints the cache directory.
#   scripts/cluster/build.sh        (MV_KUBE_VERSION, MV_CACHE_DIR as scripts/kube-apiserver.sh)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
KUBE_VERSION="${MV_KUBE_VERSION:-v1.36.4}"
CACHE_ROOT="${MV_CACHE_DIR:-$HOME/.cache/metric-vault}"
KUBE="$CACHE_ROOT/kube/$KUBE_VERSION"
ADDONS="$CACHE_ROOT/cluster/bin"
COREDNS_VERSION=v1.15.0
METRICS_SERVER_VERSION=v0.9.0
KUBE_PROGRAMS=(kube-controller-manager kube-scheduler kubelet kube-proxy kubectl)

log() { echo "cluster/build.sh: $*" >&2; }
die() { log "$*"; exit 1; }

# The Debian parts: containerd (CRI plugin), runc, the CNI plugins, what kubelet and kube-proxy
# call (iptables, conntrack, mount helpers), mmdebstrap for base images, gcc for pause.
ensure_debian() {
  local missing=() p
  for p in containerd runc containernetworking-plugins iptables conntrack mmdebstrap gcc podman \
           podman-compose netavark aardvark-dns \
           libc6-dev busybox-static socat kmod ethtool; do
    [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null
}

kube_ldflags() {   # the version stamps hack/lib/version.sh sets, as kube-apiserver.sh does
  local minor="${KUBE_VERSION#v1.}" ld="-s -w" p; minor="${minor%%.*}"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $p.gitVersion=$KUBE_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor"
    ld+=" -X $p.gitTreeState=clean -X $p.buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  done
  echo "$ld"
}

build_kube() {
  local p need=false
  for p in "${KUBE_PROGRAMS[@]}"; do [ -x "$KUBE/$p" ] || need=true; done
  $need || return 0
  "$REPO/scripts/kube-apiserver.sh" build >/dev/null   # fetches the module into $KUBE/src
  exec 9>"$KUBE/.build.lock"; flock 9
  need=false
  for p in "${KUBE_PROGRAMS[@]}"; do [ -x "$KUBE/$p" ] || need=true; done
  $need || { exec 9>&-; return 0; }
  [ -f "$KUBE/src/go.mod" ] || die "no source tree at $KUBE/src (kube-apiserver.sh build left none)"
  log "building ${KUBE_PROGRAMS[*]} $KUBE_VERSION (log: $KUBE/cluster-build.log)"
  local pkgs=() start=$SECONDS out="$KUBE/.cluster-build"
  for p in "${KUBE_PROGRAMS[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$p"); done
  rm -rf "$out"; mkdir -p "$out"
  (cd "$KUBE/src" && CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="-mod=mod -p=2 -trimpath -buildvcs=false" \
     nice -n 10 go build -ldflags "$(kube_ldflags)" -o "$out/" "${pkgs[@]}") \
    >"$KUBE/cluster-build.log" 2>&1 || { tail -n 20 "$KUBE/cluster-build.log" >&2; die "build failed"; }
  for p in "${KUBE_PROGRAMS[@]}"; do mv "$out/$p" "$KUBE/$p"; done
  rmdir "$out"; exec 9>&-
  log "built ${KUBE_PROGRAMS[*]} in $((SECONDS - start))s"
}

# `go install module@version` builds with the module's own go.mod and go.sum, as its authors do.
build_go_program() {   # name package version
  [ -x "$ADDONS/$1" ] && return 0
  mkdir -p "$ADDONS"
  exec 8>"$ADDONS/.build.lock"; flock 8
  [ -x "$ADDONS/$1" ] && { exec 8>&-; return 0; }
  log "building $1 $3 from $2 (log: $ADDONS/$1.build.log)"
  local start=$SECONDS tmp; tmp="$(mktemp -d)"
  GOBIN="$tmp" CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="-p=2 -trimpath" \
    nice -n 10 go install -ldflags "-s -w" "$2@$3" >"$ADDONS/$1.build.log" 2>&1 \
    || { tail -n 20 "$ADDONS/$1.build.log" >&2; die "$1 build failed"; }
  mv "$tmp/$(basename "$2")" "$ADDONS/$1"; rm -rf "$tmp"; exec 8>&-
  log "built $1 in $((SECONDS - start))s"
}

# pause: the program every pod sandbox runs (holds the namespaces, reaps zombies), compiled
# statically from the source the Kubernetes release ships in build/pause.
build_pause() {
  [ -x "$ADDONS/pause" ] && return 0
  local src; src="$(go env GOMODCACHE)/k8s.io/kubernetes@$KUBE_VERSION/build/pause/linux/pause.c"
  [ -f "$src" ] || die "no $src (the k8s.io/kubernetes module is fetched by kube-apiserver.sh build)"
  mkdir -p "$ADDONS"
  gcc -Os -static -Wall -Werror -DVERSION="$KUBE_VERSION-metric-vault" -o "$ADDONS/pause.tmp" "$src"
  strip "$ADDONS/pause.tmp"; mv "$ADDONS/pause.tmp" "$ADDONS/pause"
}

ensure_debian
build_kube
build_go_program coredns github.com/coredns/coredns "$COREDNS_VERSION"
build_go_program metrics-server sigs.k8s.io/metrics-server/cmd/metrics-server "$METRICS_SERVER_VERSION"
build_pause
echo "$KUBE"
