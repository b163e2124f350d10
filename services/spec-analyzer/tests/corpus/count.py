"""Write manifest.json: figures counted straight from the raw documents, not by the analyzer.

Operations are the HTTP-method keys of each path item; tags those the operations name (an
operation with none counts under ``default``); the base URL follows the issue's rules with the
document served at ``SOURCE_URL``. Run after changing sources.txt, then read the diff.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any
from urllib.parse import urljoin

import yaml
from fetch import MANIFEST, document_id, ensure_corpus, sources

SOURCE_URL = "http://corpus.test/docs/openapi.json"
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def base_url(doc: dict[str, Any]) -> str | None:
    if "swagger" in doc:
        scheme = (doc.get("schemes") or ["http"])[0]
        url = f"{scheme}://{doc.get('host') or 'corpus.test'}{doc.get('basePath') or ''}"
    else:
        server = (doc.get("servers") or [{"url": "/"}])[0]
        url = server["url"]
        for name, variable in (server.get("variables") or {}).items():
            url = url.replace("{" + name + "}", str(variable["default"]))
        url = urljoin(SOURCE_URL, url)
    return url.rstrip("/") if re.match(r"^\w+://[^/]+/.+", url) or url.count("/") > 2 else url


def main() -> None:
    paths = ensure_corpus(verify=False)
    manifest = {}
    for registry, package, version, inner in sources():
        key = document_id(package, inner)
        raw = paths[key].read_bytes()
        doc = yaml.load(raw, Loader=yaml.CSafeLoader)
        operations = 0
        tags: set[str] = set()
        for item in (doc.get("paths") or {}).values():
            if "$ref" in item:  # a path item by reference: "#/components/pathItems/Name"
                target = doc
                for part in item["$ref"].lstrip("#/").split("/"):
                    target = target[part]
                item = target
            for method, operation in item.items():
                if method in METHODS:
                    operations += 1
                    tags.update(operation.get("tags") or ["default"])
        manifest[key] = {
            "registry": registry,
            "package": package,
            "version": version,
            "path": inner,
            "sha256": hashlib.sha256(raw).hexdigest(),
            "bytes": len(raw),
            "format": "json" if raw.lstrip()[:1] == b"{" else "yaml",
            "openapi": str(doc.get("openapi") or doc.get("swagger")),
            "non_ascii": any(b > 127 for b in raw),
            "operations": operations,
            "tags": sorted(tags),
            "base_url": base_url(doc),
        }
    MANIFEST.write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
