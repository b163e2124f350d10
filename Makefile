# Everyday targets. `make run` and `make test` work on a fresh machine: both bootstrap first.
SHELL := /bin/bash
CACHE ?= $(or $(MV_CACHE_DIR),$(HOME)/.cache/metric-vault)
export PATH := $(CACHE)/uv-venv/bin:$(CACHE)/bin:$(PATH)
# Python keeps each module it compiled in __pycache__; with PYTHONDONTWRITEBYTECODE set (as in
# some CI images) every process compiles all it imports again: a gateway took 5 to 6 s of CPU
# to start instead of 2.5, pytest 10 s to collect the suite instead of 5.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: bootstrap run up demo down status test lint typecheck format asyncapi bench cluster cluster-down

bootstrap:          ## install Debian packages, uv, the Python workspace and k6 (idempotent)
	@scripts/bootstrap.sh

run: bootstrap      ## start the stack and the demo API, then load-test the demo and print the summary
	@uv run --no-sync python -m mv_devstack up
	@uv run --no-sync python -m mv_devstack demo

up: bootstrap
	@uv run --no-sync python -m mv_devstack up

demo:
	@uv run --no-sync python -m mv_devstack demo

down:               ## stop everything the stack started
	@uv run --no-sync python -m mv_devstack down

status:
	@uv run --no-sync python -m mv_devstack status

cluster:            ## a one-node Kubernetes here, with Metric Vault and the demo in it (root; builds once)
	@scripts/bootstrap.sh --test-tools
	@scripts/cluster.sh up

cluster-down:       ## stop the cluster: processes, containers, mounts, bridge, rules (data kept)
	@scripts/cluster.sh down

test:               ## lint, type-check and run every test against the real servers
	@scripts/bootstrap.sh --test-tools
	@scripts/test.sh

lint:
	uv run --no-sync ruff check .
	uv run --no-sync lint-imports

typecheck:
	uv run --no-sync mypy

format:
	uv run --no-sync ruff format .
	uv run --no-sync ruff check --fix .

asyncapi:           ## regenerate docs/asyncapi.json from libs/contracts
	uv run --no-sync python -m mv_contracts.asyncapi > docs/asyncapi.json

bench: bootstrap   ## every benchmark in bench/ on the local stack (started if down), one after another (minutes)
	@uv run --no-sync python -m mv_devstack up
	@for script in bench/*.py; do name=$$(basename $$script .py); \
	  case $$name in cluster_*) if [ -z "$$MV_BENCH_CLUSTER" ]; then \
	    echo "== $$script skipped: it needs the one-node cluster, as root (MV_BENCH_CLUSTER=1)"; continue; fi;; esac; \
	  echo "== $$script"; uv run --no-sync python -m bench.$$name || exit 1; done
