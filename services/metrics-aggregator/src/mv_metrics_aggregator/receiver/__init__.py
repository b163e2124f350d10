"""A Prometheus remote-write receiver for k6's ``experimental-prometheus-rw`` output.

k6 aggregates its samples itself (cumulative counters, trend stats or native histograms per tag
set) and pushes them every second; this package turns the pushes into compact per-second points
in InfluxDB (:mod:`mv_metrics_aggregator.schema`). Run it with
``python -m mv_metrics_aggregator.receiver``.
"""
