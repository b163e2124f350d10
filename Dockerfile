# One image per service: `docker build --target gateway .` (or spec-analyzer, test-runner,
# metrics-aggregator, pod-watcher, and demo-api, the example API to load-test). Each carries a
# virtualenv of its own package and what it depends on, nothing of the others' (the gateway's
# SciPy, the test-runner's Kubernetes client); the third-party part is synced before the sources
# are copied, so a source change rebuilds only the last layers. The Helm chart expects them as
# <repository>/<target>:<tag>.
# Every base is a build argument, so images can be built from bases made elsewhere
# (scripts/cluster.sh passes bases made from Debian's packages); uv comes from PyPI.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG NODE_IMAGE=node:20-bookworm-slim
ARG K6_IMAGE=grafana/k6:2.2.0
ARG UV_VERSION=0.13.9

# The k6 of the Jobs' image. A FROM cannot read a file: this default repeats
# mv_test_runner/k6-version.txt, and tests/test_k6_version.py holds the two together.
FROM ${K6_IMAGE} AS k6

# The web UI, built once (npm ci from the committed lock file) and copied into the gateway.
FROM ${NODE_IMAGE} AS web
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

FROM ${PYTHON_IMAGE} AS base
ARG UV_VERSION
RUN python -m pip install --no-cache-dir --disable-pip-version-check "uv==${UV_VERSION}"
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never PATH=/app/.venv/bin:$PATH
WORKDIR /app

FROM base AS build
COPY pyproject.toml uv.lock ./
COPY libs/contracts/pyproject.toml libs/contracts/
COPY libs/runtime/pyproject.toml libs/runtime/
COPY tools/devstack/pyproject.toml tools/devstack/
COPY services/gateway/pyproject.toml services/gateway/
COPY services/spec-analyzer/pyproject.toml services/spec-analyzer/
COPY services/test-runner/pyproject.toml services/test-runner/
COPY services/metrics-aggregator/pyproject.toml services/metrics-aggregator/
COPY services/pod-watcher/pyproject.toml services/pod-watcher/
COPY examples/demo-api/pyproject.toml examples/demo-api/
# One virtualenv per service, each made at /app/.venv (where its scripts' first lines point)
# and kept under /venvs/<target> until its image copies it back.
ENV TARGETS="gateway spec-analyzer test-runner metrics-aggregator pod-watcher demo-api"
RUN --mount=type=cache,target=/root/.cache/uv \
    for t in $TARGETS; do \
      uv sync --frozen --no-dev --package "mv-$t" --no-install-workspace && mkdir -p /venvs \
      && mv /app/.venv "/venvs/$t" || exit 1; \
    done
COPY libs libs
COPY services services
COPY examples examples
RUN --mount=type=cache,target=/root/.cache/uv \
    for t in $TARGETS; do \
      mv "/venvs/$t" /app/.venv && uv sync --frozen --no-dev --package "mv-$t" --no-editable \
      && mv /app/.venv "/venvs/$t" || exit 1; \
    done

FROM ${PYTHON_IMAGE} AS runtime
RUN useradd --system --uid 10001 --home-dir /app metricvault
WORKDIR /app
ENV PATH=/app/.venv/bin:$PATH PYTHONUNBUFFERED=1
USER 10001

FROM runtime AS gateway
COPY --from=build /venvs/gateway /app/.venv
COPY --from=web /web/dist /app/web/dist
EXPOSE 8000
ENV GATEWAY_HOST=0.0.0.0 UI_DIST_DIR=/app/web/dist
CMD ["python", "-m", "mv_gateway"]

FROM runtime AS spec-analyzer
COPY --from=build /venvs/spec-analyzer /app/.venv
CMD ["python", "-m", "mv_spec_analyzer"]

FROM runtime AS test-runner
COPY --from=k6 /usr/bin/k6 /usr/bin/k6
COPY --from=build /venvs/test-runner /app/.venv
CMD ["python", "-m", "mv_test_runner"]

FROM runtime AS metrics-aggregator
COPY --from=build /venvs/metrics-aggregator /app/.venv
CMD ["python", "-m", "mv_metrics_aggregator"]

FROM runtime AS pod-watcher
COPY --from=build /venvs/pod-watcher /app/.venv
CMD ["python", "-m", "mv_pod_watcher"]

FROM runtime AS demo-api
COPY --from=build /venvs/demo-api /app/.venv
EXPOSE 8080
CMD ["python", "-m", "mv_demo_api", "--host", "0.0.0.0", "--port", "8080"]
