"""User text that tries to break out of the script: it must arrive byte for byte, and only as data.

One script holds one scenario per corpus entry (1 VU, 1 iteration each); a real k6 run sends
them to a real echo server on loopback, which records the raw bytes of each request.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes

import pytest
from pydantic import ValidationError

from mv_test_runner.script import generate_script

from .conftest import k6_inspect
from .echo import EchoServer
from .requests import make_request, scenario

CORPUS = [
    '"double" \'single\' \\"escaped\\"',
    "back\\slash \\u0041 \\n \\",
    "`backtick` ${globalThis.pwned = 1} ${`nested`}",
    "</script><script>alert(1)</script><!--",
    "'); http.get('http://127.0.0.1:1/evil'); ('",
    "line1\nline2\r\nline3\ttab",
    "😀🚀 emoji 𝄞",
    "한국어 경로 테스트",
    "\u2028 line separators \u2029",
    "{braces} %41 percent ?query #hash &amp",
]


def _scenario(index: int, text: str) -> dict[str, Any]:
    headers = {"X-Case": str(index)}
    if "\n" not in text and "\r" not in text:
        headers["X-Corpus"] = text
    return scenario(
        f"case {index} {text}",
        endpoint={
            "method": "POST",
            "path": f"/c/{text}/{{param}}",
            "path_params": {"param": text},
            "query": {"q": text},
            "headers": headers,
            "body": {"value": text, "list": [text, 1, None, True]},
        },
    )


async def test_corpus_passes_k6_inspect_and_arrives_byte_for_byte(
    k6: str, echo: EchoServer, tmp_path: Path
) -> None:
    request = make_request(
        echo.url,
        *(_scenario(i, text) for i, text in enumerate(CORPUS)),
        title="".join(text[:24] for text in CORPUS),
        description="\n".join(CORPUS),
    )
    generated = generate_script(request)
    script = tmp_path / "script.js"
    script.write_text(generated.text, encoding="utf-8")
    inspected = k6_inspect(k6, script, generated.secrets)
    assert inspected.returncode == 0, inspected.stderr
    assert json.loads(inspected.stdout)["tags"] == {"testid": "t-0001"}

    # The echo server lives on this test's event loop: k6 runs as an awaited subprocess.
    process = await asyncio.create_subprocess_exec(
        k6, "run", "--quiet", "--no-color", str(script),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await process.communicate()
    assert process.returncode == 0, output.decode(errors="replace")

    by_case = {int(r.header("X-Case") or b"-1"): r for r in echo.requests}
    assert sorted(by_case) == list(range(len(CORPUS)))
    for index, text in enumerate(CORPUS):
        received = by_case[index]
        raw = text.encode()
        path, _, query = received.target.partition(b"?")
        assert unquote_to_bytes(path) == b"/c/" + raw + b"/" + raw
        assert unquote_to_bytes(query.replace(b"+", b"%20")) == b"q=" + raw
        if "\n" not in text:
            assert received.header("X-Corpus") == raw
        assert received.header("Content-Type") == b"application/json"
        expected = json.dumps(
            {"value": text, "list": [text, 1, None, True]},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        assert received.body == expected.encode()


@pytest.mark.parametrize(
    "where",
    ["title", "description", "scenario name", "path", "path param", "query", "header"],
)
def test_nul_is_refused_by_the_contract(where: str) -> None:
    text = "before\x00after"
    endpoint: dict[str, Any] = {"method": "GET", "path": "/x"}
    fields: dict[str, Any] = {}
    name = "a"
    match where:
        case "title" | "description":
            fields[where] = text
        case "scenario name":
            name = text
        case "path":
            endpoint["path"] = f"/{text}"
        case "path param":
            endpoint["path_params"] = {"p": text}
        case "query":
            endpoint["query"] = {"q": text}
        case "header":
            endpoint["headers"] = {"X-H": text}
    with pytest.raises(ValidationError, match="NUL"):
        make_request("http://127.0.0.1:9", scenario(name, endpoint=endpoint), **fields)


def test_line_breaks_in_header_values_are_refused() -> None:
    with pytest.raises(ValidationError, match="line breaks"):
        make_request(
            "http://127.0.0.1:9",
            scenario("a", endpoint={"method": "GET", "path": "/", "headers": {"X": "a\r\nB: c"}}),
        )
