#!/usr/bin/env bash
# mypy once per workspace member: every member has a `tests` package, which one mypy run over the
# whole tree would see as the same module several times.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
for target in libs/* tools/* services/* examples/*/ tests conftest.py bench; do
  [ -e "$target" ] || continue
  [ -n "$(find "$target" -name '*.py' -print -quit)" ] || continue
  uv run --no-sync mypy "$target" || status=1
done
exit $status
