#!/usr/bin/env bash
# A real Kubernetes API server (kube-apiserver + etcd) on loopback for tests, run the way
# controller-runtime's envtest runs it. No Docker and no GitHub access here, so kube-apiserver is
# built from the official k8s.io/kubernetes Go module fetched through the Go module proxy.
#
#   scripts/kube-apiserver.sh build        build kube-apiserver once into the cache; ensure etcd
#   scripts/kube-apiserver.sh start [DIR]  certs, etcd, kube-apiserver; waits for /readyz
#   scripts/kube-apiserver.sh stop  [DIR]  stops both
#   scripts/kube-apiserver.sh env   [DIR]  prints `export KUBECONFIG=DIR/kubeconfig`
#
# DIR (default <repo>/.stack/kube) holds certs, etcd data, logs, pid files and the admin kubeconfig;
# data survives stop/start, `rm -rf DIR` gives a fresh cluster.
# Env: MV_KUBE_VERSION (v1.36.4), MV_CACHE_DIR (~/.cache/metric-vault), MV_KUBE_PORT (16443),
# MV_ETCD_PORT (23790), MV_ETCD_PEER_PORT (etcd port + 1); a port of 0 picks a free one.
#
# Without controllers or a kubelet: the ServiceAccount admission plugin is disabled (nothing
# creates the "default" ServiceAccount), Pods stay Pending, Jobs never run; tests drive status via
# the /status subresource. Deleting a namespace leaves it Terminating (no namespace controller).
set -euo pipefail

KUBE_VERSION="${MV_KUBE_VERSION:-v1.36.4}"
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${MV_CACHE_DIR:-$HOME/.cache/metric-vault}/kube/$KUBE_VERSION"
APISERVER="$CACHE/kube-apiserver"
DIR="$(realpath -m "${2:-$REPO/.stack/kube}")"

log() { echo "kube-apiserver.sh: $*" >&2; }
die() { log "$*"; exit 1; }

find_go() {
  command -v go 2>/dev/null || { [ -x /usr/local/go/bin/go ] && echo /usr/local/go/bin/go; } \
    || die "no Go toolchain found (need go >= 1.26 on PATH or in /usr/local/go)"
}

# etcd comes from Debian's etcd-server package (etcd 3.4.23 on bookworm). kube-apiserver v1.36
# works against it over the v3 gRPC API; it only notes that RequestWatchProgress is unsupported
# and then serves consistent lists from etcd instead of its watch cache.
ensure_etcd() {
  command -v etcd >/dev/null && return 0
  local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  log "installing etcd-server (Debian) for /usr/bin/etcd"
  $sudo apt-get install -y etcd-server >/dev/null 2>&1 \
    || { $sudo apt-get update >/dev/null && $sudo apt-get install -y etcd-server >/dev/null; } \
    || die "could not install etcd-server with apt-get"
  # The package's systemd unit may start a default etcd on :2379; we run our own instances.
  $sudo systemctl disable --now etcd >/dev/null 2>&1 || true
}

build() {
  ensure_etcd
  [ -x "$APISERVER" ] && return 0
  local go; go="$(find_go)"
  mkdir -p "$CACHE"
  exec 9>"$CACHE/.build.lock"; flock 9          # concurrent callers wait for one build
  [ -x "$APISERVER" ] && return 0
  log "building kube-apiserver $KUBE_VERSION into $CACHE (takes a while; log: $CACHE/build.log)"
  local src="$CACHE/src"; rm -rf "$src"; mkdir -p "$src"
  # k8s.io/kubernetes's go.mod points every k8s.io/* staging module at ./staging/... and requires
  # them as v0.0.0; replace directives of a dependency are ignored, so a wrapper module repeats
  # them, pointing at the staging modules published for this release (v1.X.Y -> v0.X.Y).
  # `go mod download` checks the module against sum.golang.org (reached through the proxy).
  local kmod stage="v0.${KUBE_VERSION#v1.}"
  kmod="$(cd "$src" && "$go" mod download -json "k8s.io/kubernetes@$KUBE_VERSION" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["GoMod"])')" \
    || die "could not fetch k8s.io/kubernetes@$KUBE_VERSION from the Go module proxy"
  {
    echo "module metric-vault.local/kube-apiserver-build"
    grep -E '^(go|godebug) ' "$kmod"            # same language version and GODEBUG defaults
    echo "require k8s.io/kubernetes $KUBE_VERSION"
    echo "replace ("
    sed -n 's#^\t\(k8s\.io/[a-z0-9-]*\) => \./staging/.*#\t\1 => \1 '"$stage"'#p' "$kmod"
    echo ")"
  } >"$src/go.mod"
  grep -q "k8s.io/apiserver => k8s.io/apiserver $stage" "$src/go.mod" \
    || die "no staging replace block found in $kmod"
  # Version stamps as hack/lib/version.sh sets them, so /version reports the real release.
  local minor="${KUBE_VERSION#v1.}" ld="-s -w" p; minor="${minor%%.*}"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $p.gitVersion=$KUBE_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor"
    ld+=" -X $p.gitTreeState=clean -X $p.buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  done
  # 2 cores: at most 2 packages compile at once; nice keeps the machine usable meanwhile.
  (cd "$src" && CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="-mod=mod -p=2 -trimpath -buildvcs=false" \
     nice -n 10 "$go" build -ldflags "$ld" -o "$APISERVER.tmp" k8s.io/kubernetes/cmd/kube-apiserver) \
    >"$CACHE/build.log" 2>&1 || { tail -n 20 "$CACHE/build.log" >&2; die "build failed"; }
  mv "$APISERVER.tmp" "$APISERVER"
  log "built $APISERVER ($(du -h "$APISERVER" | cut -f1))"
}

# pid of a server we started from DIR, only if that pid still runs that program.
pid_of() {
  local f="$DIR/$1.pid" p
  [ -f "$f" ] && p="$(cat "$f")" && kill -0 "$p" 2>/dev/null \
    && [[ "$(tr '\0' '\n' <"/proc/$p/cmdline" 2>/dev/null | head -n1)" == *"$1" ]] && echo "$p"
}
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
pick_port() {   # $1 requested (0 = any free), $2 what it is for
  local p="$1"; [ "$p" = 0 ] && p="$(free_port)"
  port_busy "$p" && die "port 127.0.0.1:$p ($2) is already in use; set $3 to another port (0 = any free)"
  echo "$p"
}

certs() {
  local d="$DIR/pki" ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
  [ -f "$d/admin.crt" ] && return 0
  mkdir -p "$d"; chmod 700 "$d"
  openssl req -x509 "${ec[@]}" -keyout "$d/ca.key" -out "$d/ca.crt" -days 3650 \
    -subj "/CN=metric-vault-kube-ca" 2>/dev/null
  sign() {   # name subject extensions
    openssl req -new "${ec[@]}" -keyout "$d/$1.key" -subj "$2" 2>/dev/null \
      | openssl x509 -req -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -days 3650 \
          -out "$d/$1.crt" -extfile <(printf '%b' "$3") 2>/dev/null
  }
  local common='subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n'
  sign apiserver "/CN=kube-apiserver" "${common}extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost,IP:10.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\n"
  # Admin identity for tests: client certificate in group system:masters (bypasses RBAC).
  sign admin "/O=system:masters/CN=metric-vault-admin" "${common}extendedKeyUsage=clientAuth\n"
  # Service-account token signing key pair.
  openssl genrsa -out "$d/sa.key" 2048 2>/dev/null
  openssl rsa -in "$d/sa.key" -pubout -out "$d/sa.pub" 2>/dev/null
}

kubeconfig() {   # $1 port
  local d="$DIR/pki"
  cat >"$DIR/kubeconfig.tmp" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: metric-vault
  cluster:
    server: https://127.0.0.1:$1
    certificate-authority-data: $(base64 -w0 "$d/ca.crt")
users:
- name: metric-vault-admin
  user:
    client-certificate-data: $(base64 -w0 "$d/admin.crt")
    client-key-data: $(base64 -w0 "$d/admin.key")
contexts:
- name: metric-vault
  context: {cluster: metric-vault, user: metric-vault-admin, namespace: default}
current-context: metric-vault
EOF
  chmod 600 "$DIR/kubeconfig.tmp"; mv "$DIR/kubeconfig.tmp" "$DIR/kubeconfig"
}

launch() {   # name binary args... ; detached so it outlives this script and the caller's pipes
  setsid "${@:2}" </dev/null >"$DIR/$1.log" 2>&1 &
  echo $! >"$DIR/$1.pid"
}

wait_for() {   # name seconds command... ; fails early, with the log tail, if the server died
  local name="$1" secs="$2" deadline=$((SECONDS + $2)); shift 2
  until "$@" >/dev/null 2>&1; do
    # The pid just launched, alive: on a busy machine it may not have exec'd the server yet, so
    # its command line is not checked here (pid_of does, for pid files left from earlier runs).
    if ! kill -0 "$(cat "$DIR/$name.pid" 2>/dev/null || echo 0)" 2>/dev/null; then
      tail -n 15 "$DIR/$name.log" >&2
      grep -qi "address already in use" "$DIR/$name.log" && die "$name: port already in use"
      die "$name exited during startup (log: $DIR/$name.log)"
    fi
    [ "$SECONDS" -lt "$deadline" ] || die "$name not ready after ${secs}s (log: $DIR/$name.log)"
    sleep 0.2
  done
}

start() {
  mkdir -p "$DIR"
  if [ -n "$(pid_of kube-apiserver)" ] && [ -n "$(pid_of etcd)" ]; then
    log "already running ($(sed -n 's/ *server: //p' "$DIR/kubeconfig")); $(env_line)"; return 0
  fi
  stop >/dev/null                               # clear a half-running or stale previous start
  build
  local ep kp pp peer=0; exec 9>&-              # fd 9 (build lock) must not leak into servers
  trap 'stop >/dev/null 2>&1' EXIT             # a failed start leaves nothing running
  ep="$(pick_port "${MV_ETCD_PORT:-23790}" "etcd client" MV_ETCD_PORT)"
  [ "${MV_ETCD_PORT:-}" = 0 ] || peer=$((ep + 1))
  pp="$(pick_port "${MV_ETCD_PEER_PORT:-$peer}" "etcd peer" MV_ETCD_PEER_PORT)"
  kp="$(pick_port "${MV_KUBE_PORT:-16443}" "kube-apiserver" MV_KUBE_PORT)"
  certs
  launch etcd etcd --name metric-vault --data-dir "$DIR/etcd" \
    --listen-client-urls "http://127.0.0.1:$ep" --advertise-client-urls "http://127.0.0.1:$ep" \
    --listen-peer-urls "http://127.0.0.1:$pp" --initial-advertise-peer-urls "http://127.0.0.1:$pp" \
    --initial-cluster "metric-vault=http://127.0.0.1:$pp" \
    --quota-backend-bytes $((2 * 1024 * 1024 * 1024)) --logger zap
  wait_for etcd 30 curl -fsS --max-time 2 "http://127.0.0.1:$ep/health"
  local d="$DIR/pki"
  launch kube-apiserver "$APISERVER" \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$kp" \
    --etcd-servers="http://127.0.0.1:$ep" --cert-dir="$d" \
    --tls-cert-file="$d/apiserver.crt" --tls-private-key-file="$d/apiserver.key" \
    --client-ca-file="$d/ca.crt" --authorization-mode=RBAC \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$d/sa.pub" --service-account-signing-key-file="$d/sa.key" \
    --service-cluster-ip-range=10.0.0.0/24 --allow-privileged=true \
    --disable-admission-plugins=ServiceAccount --profiling=false
  wait_for kube-apiserver 120 curl -fsS --max-time 2 --cacert "$d/ca.crt" \
    --cert "$d/admin.crt" --key "$d/admin.key" "https://127.0.0.1:$kp/readyz"
  kubeconfig "$kp"
  trap - EXIT
  log "ready at https://127.0.0.1:$kp (etcd 127.0.0.1:$ep) in ${SECONDS}s; $(env_line)"
}

stop() {
  [ -d "$DIR" ] || return 0
  local n p i
  for n in kube-apiserver etcd; do              # API server first: it still writes to etcd
    p="$(pid_of "$n" || true)"
    if [ -n "$p" ]; then
      kill -TERM "$p"
      for i in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
      kill -0 "$p" 2>/dev/null && { log "$n did not stop in 20s; killing"; kill -KILL "$p"; }
      log "stopped $n (pid $p)"
    fi
    rm -f "$DIR/$n.pid"
  done
}

env_line() { printf 'export KUBECONFIG=%q\n' "$DIR/kubeconfig"; }

case "${1:-}" in
  build) build; echo "$APISERVER" ;;
  start) start ;;
  stop) stop ;;
  env) env_line ;;
  *) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
