"""Print the gateway's OpenAPI document, built by the app factory without starting anything
(the engine and the broker connect lazily). scripts/web.sh generates the UI's API types from it."""

from __future__ import annotations

import json
import sys

from mv_gateway.app import create_app
from mv_gateway.core.settings import Settings


def main() -> None:
    document = create_app(Settings()).openapi()
    json.dump(document, sys.stdout, indent=2, sort_keys=True, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
