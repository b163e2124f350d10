"""A loopback HTTP target fast enough for k6 at full speed, for the tests and the benches.

A tiny Go server: Python's own HTTP servers answer a few thousand requests a second, k6 asks for
ten thousand and more. ``GET /fail/<n>`` answers 500 for every fifth ``n``; anything else 200
"ok". Keep-alive, 2-byte bodies, ``GOMAXPROCS`` cores (one by default, so its CPU is measurable
apart from k6's).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TARGET = """\
package main

import ("fmt"; "net"; "net/http"; "os"; "strconv"; "strings")

func main() {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil { panic(err) }
	fmt.Println(listener.Addr().(*net.TCPAddr).Port)
	os.Stdout.Sync()
	http.Serve(listener, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "2")
		if rest, ok := strings.CutPrefix(r.URL.Path, "/fail/"); ok {
			if n, err := strconv.Atoi(rest); err == nil && n%5 == 0 {
				w.WriteHeader(500)
			}
		}
		w.Write([]byte("ok"))
	}))
}
"""


def build_target(folder: Path) -> Path:
    """The target built in ``folder`` (Go's build cache makes a second build quick)."""
    source, binary = folder / "target.go", folder / "target"
    source.write_text(TARGET)
    subprocess.run(["go", "build", "-o", str(binary), str(source)], check=True, cwd=folder)
    return binary


def start_target(binary: Path, cores: int = 1) -> tuple[subprocess.Popen[str], str]:
    """The running target and its base URL; the caller ends the process."""
    env = {**os.environ, "GOMAXPROCS": str(cores)}
    process = subprocess.Popen([str(binary)], stdout=subprocess.PIPE, text=True, env=env)
    assert process.stdout is not None
    return process, f"http://127.0.0.1:{int(process.stdout.readline())}"


@contextmanager
def serve_target(binary: Path, cores: int = 1) -> Iterator[str]:
    """The target's base URL while the block runs."""
    process, url = start_target(binary, cores)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
