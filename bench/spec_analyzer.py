"""Spec-analyzer benchmark: the largest corpus document and the whole corpus, time and memory.

    uv run --no-sync python bench/spec_analyzer.py [--repeat N]

Fetches the corpus into the cache first if needed (see services/spec-analyzer/tests/corpus).
Prints wall time for parsing (JSON/YAML to data) and normalising (data to AnalysedSpec), and
the peak of Python allocations (tracemalloc) while analysing one document (the largest peak
over the set, as the service analyses one document at a time).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import time
import tracemalloc
from pathlib import Path
from types import ModuleType

from mv_contracts.spec import SpecSource
from mv_spec_analyzer.analysing import Analyzer, normalise
from mv_spec_analyzer.isolation import shutdown
from mv_spec_analyzer.parsing import parse_document
from mv_spec_analyzer.settings import Settings

CORPUS = Path(__file__).parent.parent / "services" / "spec-analyzer" / "tests" / "corpus"
MAX_BYTES = 64 * 1024 * 1024


def load_fetch() -> ModuleType:
    spec = importlib.util.spec_from_file_location("corpus_fetch", CORPUS / "fetch.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def analyse(path: Path) -> tuple[int, float, float]:
    """(endpoints, parse seconds, normalise seconds) of one document."""
    raw = path.read_bytes()
    started = time.perf_counter()
    data = parse_document(raw, max_bytes=MAX_BYTES)
    parsed = time.perf_counter()
    spec, _ = normalise(data, "http://bench.test/openapi.json", {})
    done = time.perf_counter()
    return len(spec.endpoints), parsed - started, done - parsed


def measure(paths: list[Path]) -> tuple[int, float, float, float]:
    """Times from a plain run; the peak from a second run under tracemalloc (which is slow)."""
    endpoints = 0
    parse_total = normalise_total = 0.0
    for path in paths:
        count, parse_seconds, normalise_seconds = analyse(path)
        endpoints += count
        parse_total += parse_seconds
        normalise_total += normalise_seconds
    tracemalloc.start()
    peak = 0
    for path in paths:
        tracemalloc.reset_peak()
        analyse(path)
        peak = max(peak, tracemalloc.get_traced_memory()[1])
    tracemalloc.stop()
    return endpoints, parse_total, normalise_total, peak / 1e6


def through_the_service(path: Path) -> tuple[int, float]:
    """The same document as an upload through the Analyzer: worker process, pickling and all."""

    source = SpecSource(document=path.read_text())

    async def run() -> int:
        analysis = await Analyzer(Settings()).analyse(source)
        return len(analysis.spec.endpoints)

    started = time.perf_counter()
    endpoints = asyncio.run(run())
    seconds = time.perf_counter() - started
    shutdown()
    return endpoints, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    corpus: dict[str, Path] = load_fetch().ensure_corpus()
    paths = sorted(corpus.values(), key=lambda p: p.stat().st_size)
    largest = paths[-1]
    size_mb = sum(p.stat().st_size for p in paths) / 1e6
    print(f"corpus: {len(paths)} documents, {size_mb:.1f} MB")
    for run in range(args.repeat):
        endpoints, parse_s, norm_s, peak = measure([largest])
        print(
            f"[{run}] largest ({largest.name}, {largest.stat().st_size / 1e6:.1f} MB, "
            f"{endpoints} endpoints): parse {parse_s:.2f} s, normalise {norm_s:.2f} s, "
            f"total {parse_s + norm_s:.2f} s, peak {peak:.0f} MB"
        )
        endpoints, seconds = through_the_service(largest)
        print(f"[{run}] largest as an upload through the Analyzer: {seconds:.2f} s")
        endpoints, parse_s, norm_s, peak = measure(paths)
        print(
            f"[{run}] whole corpus ({endpoints} endpoints): parse {parse_s:.2f} s, "
            f"normalise {norm_s:.2f} s, total {parse_s + norm_s:.2f} s, "
            f"{endpoints / (parse_s + norm_s):.0f} endpoints/s, peak {peak:.0f} MB"
        )


if __name__ == "__main__":
    main()
