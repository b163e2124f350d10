# What runs in the cluster: CoreDNS and metrics-server, the project's images built from its own
# Dockerfile, volumes for the chart's claims, the chart installed by Helm as the README tells a
# k3s user (only image values changed), the demo API in the test namespace, and the gateway on
# 127.0.0.1. Sourced by scripts/cluster.sh.
RELEASE=mv
NAMESPACE=metric-vault
TEST_NAMESPACE=metric-vault-tests
APP_VERSION="$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$REPO/deploy/helm/metric-vault/Chart.yaml")"
SERVICE_TARGETS=(gateway spec-analyzer test-runner metrics-aggregator pod-watcher demo-api)
CLUSTER_GATEWAY_PORT="${MV_CLUSTER_GATEWAY_PORT:-18800}"
PODMAN=(podman --runtime runc)
BUILD_LABEL=io.metric-vault.build=cluster   # on every image and stage built here
# The web stage's npm build is the one cached step that outlives a change of the Python sources:
# tagged, it survives the prune of untagged images after a build.
WEB_STAGE_IMAGE=localhost/metric-vault/web-stage:cache

render() {   # manifest: ${NAME} replaced by the shell variable of that name
  local text; text="$(cat "$1")"
  local name
  for name in COREDNS_IMAGE METRICS_SERVER_IMAGE DNS_IP APP_VERSION TEST_NAMESPACE; do
    text="${text//\$\{$name\}/${!name}}"
  done
  printf '%s\n' "$text"
}

addons_up() {
  render "$REPO/scripts/cluster/addons/coredns.yaml" | kubectl apply -f - >/dev/null
  render "$REPO/scripts/cluster/addons/metrics-server.yaml" | kubectl apply -f - >/dev/null
}

addons_ready() {
  kubectl -n kube-system rollout status deployment/coredns --timeout=180s >/dev/null
  kubectl -n kube-system rollout status deployment/metrics-server --timeout=180s >/dev/null
}

podman_bases() {   # the Dockerfile's bases in podman's storage, from their cached archives
  local base
  for base in "$PYTHON_BASE:make_python_base" "$NODE_BASE:make_node_base" "$K6_IMAGE:make_k6"; do
    local name="${base%:*}"
    "${PODMAN[@]}" image exists "$name" \
      || "${PODMAN[@]}" load -q -i "$(ensure_archive "$name" "${base##*:}")" >/dev/null
  done
}
service_image() {   # target: the Dockerfile's stage built as the chart's image of it
  echo "docker.io/metric-vault/$1:$APP_VERSION"
}
build_image() {   # target tag
  local name="$2" start; start="$(date +%s)"
  mkdir -p "$D/logs"
  (cd "$REPO" && nice -n 10 "${PODMAN[@]}" build -q --network host --target "$1" --tag "$name" \
     --label "$BUILD_LABEL" --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 \
     --build-arg PYTHON_IMAGE="$PYTHON_BASE" --build-arg NODE_IMAGE="$NODE_BASE" \
     --build-arg K6_IMAGE="$K6_IMAGE" .) >"$D/logs/image-$1.log" 2>&1 \
    || { tail -n 30 "$D/logs/image-$1.log" >&2; die "podman build --target $1 failed"; }
  log "image $name: $("${PODMAN[@]}" image inspect -f '{{.Size}}' "$name" | numfmt --to=iec) ($(elapsed "$start"))"
}
build_service_image() {   # target
  build_image "$1" "$(service_image "$1")"
}

# The Dockerfile, unchanged, with bases made here: podman builds it (RUN steps with the host's
# network, for PyPI and npm), and the image goes to containerd when it changed.
service_images() {
  local key archive
  mkdir -p "$D/images"
  # Unchanged sources and bases since the last import: nothing to build (a cached podman build
  # of the six targets still takes minutes here).
  podman_bases
  key="$(source_key)"
  if [ -n "$key" ] && [ "$(cat "$D/images/source.key" 2>/dev/null)" = "$key" ] && all_imported; then
    log "images: sources unchanged since the last import"; return 0
  fi
  archive="$(service_archive "$key")"
  ctr_k8s images import "$archive" >/dev/null || die "could not import the service images ($archive)"
  IMAGES_CHANGED=1
  if [ -n "$key" ]; then echo "$key" >"$D/images/source.key"; else rm -f "$archive"; fi
}
# The six in one archive (the layers they share, the Python base, written and read once), kept
# in the cache under their sources' key: a fresh clone or a purged cluster of the same sources
# imports it without building. Only the newest is kept. Prints its path.
service_archive() {   # [key]: source_key's, when already known
  local t key="${1-$(podman_bases && source_key)}" archive names=()
  archive="$IMAGES/services-${key:-uncommitted}.tar"
  if [ -n "$key" ] && [ -f "$archive" ]; then
    log "images: built before from these sources (the cached archive)"
    echo "$archive"; return 0
  fi
  mkdir -p "$IMAGES"
  for t in "${SERVICE_TARGETS[@]}"; do names+=("$(service_image "$t")"); done
  build_image web "$WEB_STAGE_IMAGE"
  for t in "${SERVICE_TARGETS[@]}"; do build_service_image "$t"; done
  # Each build leaves the last one's images and its build stage untagged, gigabytes a run: drop
  # those of ours (by label), never anyone else's.
  "${PODMAN[@]}" image prune -f --filter "label=$BUILD_LABEL" >/dev/null \
    || log "images: could not prune the untagged images of earlier builds"
  "${PODMAN[@]}" save -q --multi-image-archive --format docker-archive -o "$archive.tmp" "${names[@]}"
  rm -f "$IMAGES"/services-*.tar
  mv "$archive.tmp" "$archive"
  echo "$archive"
}
# What the images are built from: the Dockerfile's inputs as committed, their local changes and
# new files, and the bases' ids. The tests stay out, as .dockerignore has it.
BUILD_INPUTS=(Dockerfile .dockerignore pyproject.toml uv.lock libs tools/devstack/pyproject.toml services examples web)
NOT_TESTS=':(exclude,glob)*/*/tests/**'
source_key() {
  git -C "$REPO" rev-parse HEAD >/dev/null 2>&1 || return 0
  {
    git -C "$REPO" ls-tree -r HEAD -- "${BUILD_INPUTS[@]}" | grep -Pv '\t[^/]+/[^/]+/tests/'
    git -C "$REPO" diff HEAD -- "${BUILD_INPUTS[@]}" "$NOT_TESTS"
    git -C "$REPO" ls-files -o --exclude-standard -z -- "${BUILD_INPUTS[@]}" "$NOT_TESTS" \
      | (cd "$REPO" && xargs -0 -r sha256sum)
    "${PODMAN[@]}" image inspect -f '{{.Id}}' "$PYTHON_BASE" "$NODE_BASE" "$K6_IMAGE"
  } | sha256sum | cut -d' ' -f1
}
all_imported() {
  local images t; images="$(ctr_k8s images ls -q)"
  for t in "${SERVICE_TARGETS[@]}"; do
    grep -qxF "$(service_image "$t")" <<<"$images" || return 1
  done
}

# k3s provisions claims with its local-path provisioner; here each claim of the chart gets a
# volume on this machine made for it up front (no StorageClass: they bind by their claimRef).
volumes_up() {
  local claim size
  for claim in "nats:${NATS_SIZE:-2Gi}" "influxdb:${INFLUX_SIZE:-10Gi}" "postgresql:${PG_SIZE:-5Gi}"; do
    local name="data-$RELEASE-metric-vault-${claim%%:*}-0"; size="${claim#*:}"
    mkdir -p "$D/volumes/$name"
    kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: PersistentVolume
metadata: {name: $NAMESPACE-$name}
spec:
  capacity: {storage: $size}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  claimRef: {namespace: $NAMESPACE, name: $name}
  hostPath: {path: $D/volumes/$name, type: DirectoryOrCreate}
EOF
  done
}

# New images under the same tag: the running pods of the release and the demo are restarted,
# as `helm upgrade` alone would not (their specs did not change).
restart_changed() {
  [ "${IMAGES_CHANGED:-0}" = 1 ] || return 0
  local ns
  for ns in "$NAMESPACE" "$TEST_NAMESPACE"; do
    [ -n "$(kubectl -n "$ns" get deployments -o name 2>/dev/null)" ] || continue
    kubectl -n "$ns" rollout restart deployment >/dev/null
    kubectl -n "$ns" rollout status deployment --timeout=300s >/dev/null
  done
}

# The one value besides images: a runner's CPU request. The node has two cores and the
# platform asks for 0.85 of them, so three runners of a split test at the default 500m each
# would leave one Unschedulable; the limit (2 cores) stays.
K6_CPU_REQUEST="${MV_CLUSTER_K6_CPU_REQUEST:-200m}"
chart_up() {
  helm upgrade --install "$RELEASE" "$REPO/deploy/helm/metric-vault" --namespace "$NAMESPACE" \
    --create-namespace --set testNamespace.name="$TEST_NAMESPACE" \
    --set nats.image="$NATS_IMAGE" --set influxdb.image="$INFLUXDB_IMAGE" \
    --set postgresql.image="$POSTGRES_IMAGE" --set testRunner.k6Image="$K6_IMAGE" \
    --set testRunner.env.K6_CPU_REQUEST="$K6_CPU_REQUEST" \
    --wait --timeout 10m >"$D/logs/helm.log" 2>&1 \
    || { tail -n 20 "$D/logs/helm.log" >&2; kubectl -n "$NAMESPACE" get pods >&2; die "helm install failed"; }
}

demo_up() {
  render "$REPO/examples/demo-api/kubernetes.yaml" | kubectl -n "$TEST_NAMESPACE" apply -f - >/dev/null
  kubectl -n "$TEST_NAMESPACE" rollout status deployment/demo-api --timeout=180s >/dev/null
}

# The gateway on 127.0.0.1, as `kubectl port-forward` would give it, without a kubectl running:
# socat to the gateway Service's cluster address (kube-proxy's rules take it from there).
gateway_up() {
  local ip; ip="$(kubectl -n "$NAMESPACE" get service "$RELEASE-metric-vault-gateway" -o jsonpath='{.spec.clusterIP}')"
  [ -n "$(pid_of gateway-forward)" ] && stop_program gateway-forward
  launch gateway-forward socat "TCP-LISTEN:$CLUSTER_GATEWAY_PORT,bind=127.0.0.1,reuseaddr,fork" "TCP:$ip:8000"
  local url="http://127.0.0.1:$CLUSTER_GATEWAY_PORT"
  wait_for gateway-forward 60 curl -fsS --max-time 2 "$url/healthz"
  echo "$url" >"$D/gateway-url"
  local password; password="$(kubectl -n "$NAMESPACE" get secret "$RELEASE-metric-vault-admin" \
    -o jsonpath='{.data.GATEWAY_ADMIN_PASSWORD}' | base64 -d)"
  if [ ! -s "$D/admin-token" ] || ! curl -fsS -o /dev/null -H "Authorization: Bearer $(cat "$D/admin-token")" "$url/auth/me"; then
    admin_token "$url" "$password" >"$D/admin-token.tmp" && mv "$D/admin-token.tmp" "$D/admin-token"
    chmod 600 "$D/admin-token"
  fi
  ADMIN_PASSWORD="$password"
}
admin_token() {   # url password: signs in as admin and makes an admin API token
  python3 - "$1" "$2" <<'EOF'
import http.cookiejar, json, sys, urllib.request
url, password = sys.argv[1], sys.argv[2]
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
def call(path, body, headers={}):
    request = urllib.request.Request(url + path, json.dumps(body).encode(), {"Content-Type": "application/json", **headers})
    return json.load(opener.open(request, timeout=10))
csrf = call("/auth/login", {"username": "admin", "password": password})["csrf_token"]
print(call("/auth/tokens", {"name": "make-cluster", "role": "admin"}, {"X-CSRF-Token": csrf})["token"])
EOF
}
