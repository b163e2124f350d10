"""The local stack: real NATS, InfluxDB and PostgreSQL on loopback, then the five services."""
