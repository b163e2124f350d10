"""Health: readiness (``GET /``: NATS, the database, InfluxDB and every subscription) and
liveness (``/healthz``)."""
