"""Cold start of the one-node cluster from cached builds: `scripts/cluster.sh down`, then `up`,
timed as a whole and per phase (the script reports each phase's seconds on its log lines).

    sudo uv run --no-sync python bench/cluster_start.py [--rounds 1]

Needs root and the builds in the cache (a first `make cluster`); it leaves the cluster up.
Figures (2026-12-06, 2 cores shared with five other test runs, sources unchanged):

    down then up in 40.1 s: containerd 1 s, control plane 6 s, node Ready 0 s,
    CoreDNS and metrics-server 26 s, images 1 s (unchanged), chart and demo 6 s
"""

from __future__ import annotations

import argparse
import re
import subprocess
import time

from mv_devstack.config import REPO_ROOT

SCRIPT = REPO_ROOT / "scripts" / "cluster.sh"
PHASE = re.compile(r"^cluster\.sh: (.+?) \((\d+)s\)$")


def one_round() -> tuple[float, list[tuple[str, int]]]:
    subprocess.run([str(SCRIPT), "down"], check=True, capture_output=True)
    start = time.monotonic()
    result = subprocess.run([str(SCRIPT), "up"], check=True, capture_output=True, text=True)
    total = time.monotonic() - start
    phases = [
        (match.group(1), int(match.group(2)))
        for line in result.stderr.splitlines()
        if (match := PHASE.match(line))
    ]
    return total, phases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    for round_number in range(1, args.rounds + 1):
        total, phases = one_round()
        print(f"round {round_number}: down then up in {total:.1f} s")
        for name, seconds in phases:
            print(f"  {seconds:5d} s  {name}")


if __name__ == "__main__":
    main()
