#!/usr/bin/env bash
# The web UI (web/): its npm dependencies, its build, its API types and its unit tests.
#   scripts/web.sh build        npm ci when the lock file changed, vite build when a source did
#   scripts/web.sh test         vitest (the UI's own logic)
#   scripts/web.sh types        regenerate web/src/api/schema.d.ts from the gateway's OpenAPI,
#                               and web/src/api/facts.ts (backend facts OpenAPI cannot carry)
#   scripts/web.sh check-types  fail when either committed file is stale
# node_modules lives in the cache, keyed by the lock file's hash, so a fresh clone with a warm
# cache links it in a second and `npm ci` runs only when the dependencies change.
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE=${MV_CACHE_DIR:-$HOME/.cache/metric-vault}
say() { printf '[web] %s\n' "$*"; }

deps() {
  local key dir major
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$major" -lt 20 ]; then
    say "Node.js 20 or newer is needed to build the UI (found: $(node --version 2>/dev/null || echo none))" >&2
    exit 1
  fi
  key=$(sha256sum web/package-lock.json | cut -c1-16)
  dir="$CACHE/web/$key"
  if [ ! -f "$dir/.complete" ]; then
    say "npm ci (dependencies changed; once per lock file)"
    rm -rf "$dir" && mkdir -p "$dir"
    cp web/package.json web/package-lock.json "$dir/"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    touch "$dir/.complete"
  fi
  if [ "$(readlink web/node_modules 2>/dev/null)" != "$dir/node_modules" ]; then
    rm -rf web/node_modules
    ln -s "$dir/node_modules" web/node_modules
  fi
}

# Everything that goes into the bundle; the build is skipped while this hash is unchanged.
sources_hash() {
  (cd web && find src index.html package.json package-lock.json vite.config.ts tsconfig.json \
     scripts -type f | LC_ALL=C sort | xargs sha256sum) | sha256sum | cut -c1-16
}

build() {
  deps
  local hash
  hash=$(sources_hash)
  if [ -f web/dist/index.html ] && [ "$(cat web/dist/.sources 2>/dev/null)" = "$hash" ]; then
    return 0
  fi
  say "building the UI into web/dist"
  (cd web && npm run --silent build)
  echo "$hash" > web/dist/.sources
}

# The document comes from the app factory itself: no server, no database, no NATS.
types_into() {
  deps
  local doc
  doc=$(mktemp --suffix=.json)
  uv run --no-sync python -m mv_gateway.openapi_dump > "$doc"
  (cd web && npx --no-install openapi-typescript "$doc" -o "$1" >/dev/null)
  rm -f "$doc"
  uv run --no-sync python -m mv_gateway.ui_facts > "$2"
}

case "${1:-build}" in
  build) build ;;
  test)
    deps
    [ -t 1 ] || export NO_COLOR=1  # a log file gets plain text, its closing line readable
    (cd web && npx --no-install vitest run) ;;
  types)
    types_into "$PWD/web/src/api/schema.d.ts" "$PWD/web/src/api/facts.ts"
    say "wrote web/src/api/schema.d.ts and web/src/api/facts.ts" ;;
  check-types)
    fresh=$(mktemp -d)
    types_into "$fresh/schema.d.ts" "$fresh/facts.ts"
    for file in schema.d.ts facts.ts; do
      if ! diff -q "$fresh/$file" "web/src/api/$file" >/dev/null; then
        diff -u "web/src/api/$file" "$fresh/$file" | head -40 >&2 || true
        say "web/src/api/$file is stale: run scripts/web.sh types and commit it" >&2
        rm -rf "$fresh"; exit 1
      fi
    done
    rm -rf "$fresh" ;;
  *) echo "usage: $0 build|test|types|check-types" >&2; exit 2 ;;
esac
