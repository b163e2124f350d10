"""Plans: a load test saved under a name, to run again (from the UI's test builder or the CLI)
with the same endpoints, load and targets."""
