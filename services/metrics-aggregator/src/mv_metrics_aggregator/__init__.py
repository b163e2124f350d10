"""mv_metrics_aggregator"""
