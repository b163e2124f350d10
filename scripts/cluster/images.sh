# Images of the cluster, made here with no registry: archives cached in $CACHE_ROOT/cluster/images,
# imported into containerd's k8s.io namespace once. Sourced by scripts/cluster.sh.
IMAGES="$CACHE_ROOT/cluster/images"
OCI_IMAGE=(python3 "$REPO/scripts/cluster/oci_image.py")
COREDNS_IMAGE=mv.local/coredns:v1.15.0
METRICS_SERVER_IMAGE=mv.local/metrics-server:v0.9.0
PYTHON_BASE=mv.local/python:3.11-bookworm
NODE_BASE=mv.local/node:20-trixie
NATS_IMAGE=mv.local/nats:2.9-debian.2
INFLUXDB_IMAGE=mv.local/influxdb:1.6-debian.2
POSTGRES_IMAGE=mv.local/postgres:15-debian
K6_IMAGE=mv.local/k6:$(cat "$REPO/services/test-runner/src/mv_test_runner/k6-version.txt")

image_archive() {   # name: the cached archive of an image name
  echo "$IMAGES/$(echo "$1" | tr '/:' '__').tar"
}

# pause: the static program from the Kubernetes source, alone, as nobody.
make_pause() {
  local root; root="$(mktemp -d)"
  install -m 755 "$ADDONS/pause" "$root/pause"
  "${OCI_IMAGE[@]}" --name "$PAUSE_IMAGE" --layer "$root" --entrypoint /pause --user 65535:65535 -o "$1"
  rm -rf "$root"
}

# busybox: Debian's static busybox with its applet links, for smoke tests.
make_busybox() {
  local root a; root="$(mktemp -d)"
  mkdir -p "$root/bin" "$root/tmp" "$root/etc"
  install -m 755 /bin/busybox "$root/bin/busybox"
  for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$root/bin/$a"; done
  echo 'root:x:0:0:root:/:/bin/sh' >"$root/etc/passwd"; echo 'root:x:0:' >"$root/etc/group"
  chmod 1777 "$root/tmp"
  "${OCI_IMAGE[@]}" --name mv.local/busybox:debian --layer "$root" --cmd '["sh"]' -o "$1"
  rm -rf "$root"
}

# A Go program alone in an image (static, CGO off), run as nobody, as the upstream images do.
make_static() {   # out program entrypoint-json (the name is ensure_image's)
  local root; root="$(mktemp -d)"
  install -m 755 "$ADDONS/$2" "$root/$2"
  "${OCI_IMAGE[@]}" --name "$IMAGE_NAME" --layer "$root" --entrypoint "$3" --user 65534:65534 -o "$1"
  rm -rf "$root"
}

# A Debian root filesystem as a tarball, from Debian's packages only (no docs, no apt lists).
debian_rootfs() {   # out suite packages(comma-separated) [extra customize hook]
  local mirror=http://deb.debian.org/debian sources=()
  sources=("deb $mirror $2 main" "deb $mirror $2-updates main" "deb http://deb.debian.org/debian-security $2-security main")
  nice -n 10 mmdebstrap --quiet --variant=minbase --include="$3" \
    --aptopt='APT::Install-Recommends "false"' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias' \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin "$1"/var/cache/debconf/*-old' \
    ${4:+--customize-hook="$4"} "$2" "$1" "${sources[@]}" >/dev/null
}

# Bases of the Dockerfile's stages, standing in for python:3.11-slim-bookworm and
# node:20-bookworm-slim: the same Debian, with `python`/`pip` (installing into /usr/local, as
# that image's pip does) and Node 20 (trixie's: bookworm's Node 18 is older than Vite needs).
# Their root filesystems are cached; on top, a layer with the certificate authorities this
# machine trusts, so the build's RUN steps reach PyPI and npm through whatever TLS proxy the
# machine itself goes through (SSL_CERT_FILE for uv, NODE_EXTRA_CA_CERTS for npm).
cached_rootfs() {   # name suite packages [hook]: prints the path of the cached tarball
  local tar="$IMAGES/rootfs-$1.tar"
  [ -f "$tar" ] || { debian_rootfs "$tar.tmp" "${@:2}" && mv "$tar.tmp" "$tar"; } || die "mmdebstrap $1 failed"
  echo "$tar"
}
trust_layer() {   # dir: the machine's CA bundle and its local CAs
  mkdir -p "$1/etc/ssl/certs" "$1/usr/local/share/ca-certificates"
  cp /etc/ssl/certs/ca-certificates.crt "$1/etc/ssl/certs/"
  cp -r /usr/local/share/ca-certificates/. "$1/usr/local/share/ca-certificates/" 2>/dev/null || true
}
BASE_ENV=(--env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
          --env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
          --env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt)
make_python_base() {
  local tar trust; trust="$(mktemp -d)"; trust_layer "$trust"
  tar="$(cached_rootfs python bookworm python3,python3-venv,python3-pip,python-is-python3,ca-certificates \
    'rm -f "$1"/usr/lib/python3.11/EXTERNALLY-MANAGED; ln -sf pip3 "$1"/usr/bin/pip')"
  "${OCI_IMAGE[@]}" --name "$PYTHON_BASE" --layer "$tar" --layer "$trust" "${BASE_ENV[@]}" \
    --env LANG=C.UTF-8 --cmd '["python3"]' -o "$1"
  rm -rf "$trust"
}
make_node_base() {
  local tar trust; trust="$(mktemp -d)"; trust_layer "$trust"
  tar="$(cached_rootfs node trixie nodejs,npm,ca-certificates)"
  "${OCI_IMAGE[@]}" --name "$NODE_BASE" --layer "$tar" --layer "$trust" "${BASE_ENV[@]}" \
    --cmd '["node"]' -o "$1"
  rm -rf "$trust"
}

# Stand-ins for the official nats, influxdb and postgres images: Debian's servers with an
# entrypoint that reads the same arguments and environment as the chart and docker-compose.yml
# give those images, and the programs of the compose file's health checks (wget, curl,
# pg_isready). The suffix of a tag counts changes of what is in it (the archives are cached).
make_standin() {   # out name packages entrypoint-script [hook] -- oci options...
  local out="$1" name="$2" pkgs="$3" script="$4" hook="$5" tar="$1.rootfs.tar" root
  shift 5
  debian_rootfs "$tar" bookworm "$pkgs" "$hook"
  root="$(mktemp -d)"; mkdir -p "$root/usr/local/bin"
  install -m 755 "$REPO/scripts/cluster/standins/$script" "$root/usr/local/bin/docker-entrypoint.sh"
  "${OCI_IMAGE[@]}" --name "$name" --layer "$tar" --layer "$root" \
    --entrypoint /usr/local/bin/docker-entrypoint.sh "$@" -o "$out"
  rm -rf "$root" "$tar"
}
make_nats() {
  make_standin "$1" "$NATS_IMAGE" nats-server,wget nats-entrypoint.sh '' --port 4222 --port 8222 \
    --cmd '["nats-server"]'
}
make_influxdb() {
  make_standin "$1" "$INFLUXDB_IMAGE" influxdb,influxdb-client,curl influxdb-entrypoint.sh \
    'mkdir -p "$1"/var/lib/influxdb' --port 8086 --cmd '["influxd"]'
}
make_postgres() {
  # Debian's package makes a cluster of its own on install; the entrypoint makes the real one.
  # LLVM (the JIT's, 120 MB) goes: without its provider PostgreSQL runs queries without JIT.
  make_standin "$1" "$POSTGRES_IMAGE" postgresql-15 postgres-entrypoint.sh \
    'rm -rf "$1"/var/lib/postgresql/15 "$1"/etc/postgresql/15 "$1"/usr/lib/postgresql/15/lib/bitcode
     rm -f "$1"/usr/lib/postgresql/15/lib/llvmjit*.so "$1"/usr/lib/x86_64-linux-gnu/libLLVM-*.so*
     for b in "$1"/usr/lib/postgresql/15/bin/*; do ln -sf "${b#"$1"}" "$1/usr/local/bin/"; done' \
    --port 5432 --cmd '["postgres"]' --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env PGDATA=/var/lib/postgresql/data
}

# k6 as the official image has it (/usr/bin/k6, user k6 12345, entrypoint k6), from the k6
# built here: the program and the C library it links, nothing else.
make_k6() {
  local root lib k6; root="$(mktemp -d)"; k6="$(command -v k6)"
  mkdir -p "$root/usr/bin" "$root/etc" "$root/home/k6" "$root/tmp"
  install -m 755 "$k6" "$root/usr/bin/k6"; strip "$root/usr/bin/k6"
  for lib in $(ldd "$k6" | grep -o '/[^ ]*'); do
    mkdir -p "$root$(dirname "$lib")"; cp -L "$lib" "$root$lib"
  done
  printf 'root:x:0:0:root:/root:/sbin/nologin\nk6:x:12345:12345::/home/k6:/sbin/nologin\n' >"$root/etc/passwd"
  printf 'root:x:0:\nk6:x:12345:\n' >"$root/etc/group"
  chmod 1777 "$root/tmp"
  "${OCI_IMAGE[@]}" --name "$K6_IMAGE" --layer "$root" --entrypoint '["k6"]' --user 12345:12345 \
    --workdir /home/k6 --owner home/k6=12345:12345 -o "$1"
  rm -rf "$root"
}

ensure_archive() {   # name maker [args]: the image's archive, made once; prints its path
  local name="$1" maker="$2" archive; shift 2; archive="$(image_archive "$name")"
  if [ ! -f "$archive" ]; then
    mkdir -p "$IMAGES"
    local t; t="$(date +%s)"
    IMAGE_NAME="$name" "$maker" "$archive.tmp" "$@" >&2 || die "could not make image $name"
    mv "$archive.tmp" "$archive"
    log "made $name ($(du -h "$archive" | cut -f1), $(elapsed "$t"))"
  fi
  echo "$archive"
}

ensure_image() {   # name maker [args]: made once, imported into containerd once
  local archive; archive="$(ensure_archive "$@")"
  [ -z "${ARCHIVES_ONLY:-}" ] || return 0
  grep -qxF "$1" <<<"$(ctr_k8s images ls -q 2>/dev/null)" && return 0
  ctr_k8s images import "$archive" >/dev/null || die "could not import $1"
}

# What import_images imports, made or found in the cache; nothing imported.
images_archived() { ARCHIVES_ONLY=1 import_images system && ARCHIVES_ONLY=1 import_images backends; }

import_images() {
  case "$1" in
    system)
      ensure_image "$PAUSE_IMAGE" make_pause
      ensure_image mv.local/busybox:debian make_busybox
      ensure_image "$COREDNS_IMAGE" make_static coredns '["/coredns"]'
      ensure_image "$METRICS_SERVER_IMAGE" make_static metrics-server '["/metrics-server"]' ;;
    backends)
      ensure_image "$NATS_IMAGE" make_nats
      ensure_image "$INFLUXDB_IMAGE" make_influxdb
      ensure_image "$POSTGRES_IMAGE" make_postgres
      ensure_image "$K6_IMAGE" make_k6 ;;
  esac
}
