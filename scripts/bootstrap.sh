#!/usr/bin/env bash
# Installs everything Metric Vault needs on a fresh Debian machine, and nothing twice:
# Debian packages (NATS, InfluxDB 1.x, PostgreSQL, Node.js), uv and the Python workspace, k6,
# and the web UI (npm ci + vite build, scripts/web.sh).
# Downloads and builds are cached under $MV_CACHE_DIR (default ~/.cache/metric-vault).
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE=${MV_CACHE_DIR:-$HOME/.cache/metric-vault}
# --test-tools: also helm and kube-apiserver, which only the tests use (long builds, once).
TEST_TOOLS=false
[ "${1:-}" = "--test-tools" ] && TEST_TOOLS=true
UV_VERSION=0.13.9
# k6 v2 keeps the built-in InfluxDB 1.x output; v2.3.0's source is not served by the module proxy.
K6_MODULE=go.k6.io/k6/v2
K6_VERSION=v$(cat services/test-runner/src/mv_test_runner/k6-version.txt)
# Helm for the chart's lint and template tests, built from its official Go module.
HELM_MODULE=helm.sh/helm/v3
HELM_VERSION=v3.22.0
mkdir -p "$CACHE/bin"
say() { printf '[bootstrap] %s\n' "$*"; }

# --- Debian packages -------------------------------------------------------------------------
apt_missing=()
command -v nats-server >/dev/null || apt_missing+=(nats-server)
command -v influxd >/dev/null || apt_missing+=(influxdb)
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || apt_missing+=(postgresql)
command -v setpriv >/dev/null || apt_missing+=(util-linux)
command -v go >/dev/null || apt_missing+=(golang-go)
command -v npm >/dev/null || apt_missing+=(nodejs npm)
# The browser tests drive Debian's Chromium (Playwright cannot download its own build here);
# CJK fonts so Korean pages render as people see them.
if [ "$TEST_TOOLS" = true ]; then
  command -v chromium >/dev/null || apt_missing+=(chromium)
  [ -d /usr/share/fonts/opentype/noto ] || apt_missing+=(fonts-noto-cjk)
fi
if [ ${#apt_missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${apt_missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${apt_missing[@]}" >/dev/null
fi

# --- uv and the Python workspace ---------------------------------------------------------------
if ! command -v uv >/dev/null || [ "$(uv --version | cut -d' ' -f2)" != "$UV_VERSION" ]; then
  if [ ! -x "$CACHE/uv-venv/bin/uv" ] || [ "$("$CACHE/uv-venv/bin/uv" --version | cut -d' ' -f2)" != "$UV_VERSION" ]; then
    say "installing uv $UV_VERSION"
    python3 -m venv "$CACHE/uv-venv"
    "$CACHE/uv-venv/bin/pip" install -q "uv==$UV_VERSION"
  fi
  export PATH="$CACHE/uv-venv/bin:$PATH"
fi
uv sync --locked --all-packages --quiet

# --- the web UI ---------------------------------------------------------------------------------
# node_modules is cached by the lock file's hash; the build runs only when a source changed.
scripts/web.sh build

# --- k6 ---------------------------------------------------------------------------------------
# A k6 on PATH wins; otherwise build the pinned release from its official Go module.
if ! command -v k6 >/dev/null && [ ! -x "$CACHE/bin/k6" ]; then
  say "building k6 $K6_VERSION from $K6_MODULE (a few minutes, once)"
  build="$CACHE/k6-build/$K6_VERSION"
  mkdir -p "$build"
  # `go install module@version` needs the proxy's version list, which it does not serve for v2;
  # a one-line wrapper module pins the version without it.
  printf 'module metricvault/k6build\n\ngo 1.24\n\nrequire %s %s\n' "$K6_MODULE" "$K6_VERSION" \
    > "$build/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$K6_MODULE" > "$build/tools.go"
  (cd "$build" && GOFLAGS=-mod=mod go mod tidy && go build -trimpath -o "$CACHE/bin/k6.tmp" "$K6_MODULE")
  mv "$CACHE/bin/k6.tmp" "$CACHE/bin/k6"
fi
if [ "$TEST_TOOLS" = false ]; then
  say "ready"
  exit 0
fi

# --- helm ---------------------------------------------------------------------------------------
# A helm on PATH wins; otherwise build the pinned release from its Go module, with the same
# wrapper-module route as k6 and the version stamp its Makefile sets.
if ! command -v helm >/dev/null && [ ! -x "$CACHE/bin/helm" ]; then
  say "building helm $HELM_VERSION from $HELM_MODULE (a few minutes, once)"
  build="$CACHE/helm-build/$HELM_VERSION"
  mkdir -p "$build"
  printf 'module metricvault/helmbuild\n\ngo 1.24\n\nrequire %s %s\n' "$HELM_MODULE" "$HELM_VERSION" \
    > "$build/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "%s/cmd/helm"\n' "$HELM_MODULE" \
    > "$build/tools.go"
  (cd "$build" && GOFLAGS=-mod=mod go mod tidy \
    && kv="$(go list -m -f '{{.Version}}' k8s.io/client-go)" && kv="${kv#v0.}" \
    && ld="-s -w -X $HELM_MODULE/internal/version.version=$HELM_VERSION" \
    && for p in pkg/lint/rules pkg/chartutil; do   # the Kubernetes version helm assumes offline
         ld+=" -X $HELM_MODULE/$p.k8sVersionMajor=1 -X $HELM_MODULE/$p.k8sVersionMinor=${kv%%.*}"
       done \
    && CGO_ENABLED=0 go build -trimpath -ldflags "$ld" -o "$CACHE/bin/helm.tmp" "$HELM_MODULE/cmd/helm")
  mv "$CACHE/bin/helm.tmp" "$CACHE/bin/helm"
fi

# --- kube-apiserver and etcd ---------------------------------------------------------------------
# A real Kubernetes API server for the executor, chart and RBAC tests (built once, cached).
scripts/kube-apiserver.sh build >/dev/null

say "ready"
