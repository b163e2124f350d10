"""The metric-vault command: test plans from files, run through the gateway's HTTP API."""
