"""``python -m mv_demo_api [--host H] [--port P]``: serve the demo API."""

from __future__ import annotations

import argparse

import uvicorn

from .app import create_app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--flaky-every", type=int, default=5, help="every Nth /inventory fails")
    parser.add_argument("--limited-slots", type=int, default=4, help="/limited at once")
    parser.add_argument("--token-seconds", type=float, default=60.0, help="a token's life")
    args = parser.parse_args()
    uvicorn.run(
        create_app(args.flaky_every, args.limited_slots, token_seconds=args.token_seconds),
        host=args.host,
        port=args.port,
        access_log=False,
    )


if __name__ == "__main__":
    main()
