#!/bin/sh
# As the official influxdb:1.8 image: INFLUXDB_* variables configure influxd (it reads them
# itself), and INFLUXDB_DB names a database created on the first start.
set -e
case "${1:-}" in ""|-*) set -- influxd "$@" ;; esac
if [ "$1" = influxd ] && [ -n "${INFLUXDB_DB:-}" ] && [ ! -d /var/lib/influxdb/meta ]; then
  INFLUXDB_HTTP_BIND_ADDRESS=127.0.0.1:8086 INFLUXDB_HTTP_HTTPS_ENABLED=false influxd &
  pid=$!
  i=0
  until influx -host 127.0.0.1 -execute "CREATE DATABASE \"$INFLUXDB_DB\"" >/dev/null 2>&1; do
    i=$((i + 1)); [ "$i" -lt 60 ] || { echo "influxdb init: no answer in 30s" >&2; exit 1; }
    sleep 0.5
  done
  kill "$pid"; wait "$pid" || true
fi
exec "$@"
