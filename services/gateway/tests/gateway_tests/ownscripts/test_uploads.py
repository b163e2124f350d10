"""Uploads of own scripts read into their files, and every hostile shape refused in words."""

from __future__ import annotations

import tarfile

import pytest

from mv_gateway.core.errors import FieldError, GatewayError
from mv_gateway.ownscripts.uploads import (
    MAX_UPLOAD_BYTES,
    ArchiveRefused,
    UploadTooLarge,
    read_upload,
)

from .archives import link, regular, tar_gz, zipped

MAIN = b'import { a } from "./lib/a.js";\nexport default function () {}\n'


def test_a_pasted_script_is_one_file() -> None:
    assert read_upload(MAIN, None) == ({"script.js": MAIN}, "script.js")
    assert read_upload(MAIN, "load.js") == ({"load.js": MAIN}, "load.js")


@pytest.mark.parametrize("kind", ["tar.gz", "zip"])
def test_an_archive_keeps_its_modules_and_data(kind: str) -> None:
    members = [("main.js", MAIN), ("lib/a.js", b"export const a = 1;\n"), ("data/u.csv", b"a\n")]
    body = tar_gz(*(regular(n, c) for n, c in members)) if kind == "tar.gz" else zipped(*members)
    files, entry = read_upload(body, None)
    assert entry == "main.js"
    assert files == dict(members)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (tar_gz(regular("../evil.js", b"x")), "climbs out"),
        (tar_gz(regular("a/../../evil.js", b"x")), "climbs out"),
        (tar_gz(regular("/etc/evil.js", b"x")), "absolute path"),
        (zipped(("../evil.js", b"x")), "climbs out"),
        (zipped(("/abs.js", b"x")), "absolute path"),
        (tar_gz(regular("main.js", MAIN), link("lib/a.js", "/etc/passwd")), "is a link"),
        (
            tar_gz(regular("main.js", MAIN), link("lib/a.js", "main.js", tarfile.LNKTYPE)),
            "is a link",
        ),
        (zipped(("main.js", MAIN), symlink="lib/a.js"), "is a link"),
        # 10 MiB of zeros deflate to about 10 KiB: a zip bomb, refused by its declared sizes.
        (zipped(("main.js", MAIN), ("zeros.bin", bytes(10 * 1024 * 1024))), "zip bomb"),
        (zipped(("main.js", MAIN), ("zeros.bin", bytes(3 * 1024 * 1024))), "zip bomb"),
        (tar_gz(regular("main.js", MAIN), regular("z.bin", bytes(3 * 1024 * 1024))), "zip bomb"),
        (tar_gz(regular("main.js", MAIN), regular("big.bin", bytes(5 * 1024 * 1024))), "at most"),
        (tar_gz(*(regular(f"f{i}.txt", b"x") for i in range(201)), regular("m.js", MAIN)),
         "more than 200 files"),
        (tar_gz(regular("main.js", MAIN), regular("main.js", MAIN)), "twice"),
        (b"\x1f\x8b\x08\x00garbage", "not a readable tar"),
        (b"PK\x03\x04garbage", "not a readable zip"),
    ],
    ids=[
        "tar-traversal", "tar-nested-traversal", "tar-absolute", "zip-traversal", "zip-absolute",
        "tar-symlink", "tar-hardlink", "zip-symlink", "zip-bomb", "zip-ratio", "tar-ratio",
        "huge-entry", "too-many", "twice", "bad-gzip", "bad-zip",
    ],
)  # fmt: skip
def test_hostile_archives_are_refused_with_the_reason(body: bytes, words: str) -> None:
    with pytest.raises(ArchiveRefused) as refused:
        read_upload(body, "main.js")
    assert refused.value.status_code == 422
    assert words in str(refused.value.detail), refused.value.detail


def test_an_upload_over_the_limit_is_413() -> None:
    with pytest.raises(UploadTooLarge) as refused:
        read_upload(b"x" * (MAX_UPLOAD_BYTES + 1), None)
    assert isinstance(refused.value, GatewayError)
    assert refused.value.status_code == 413


def test_the_entry_must_be_named_when_the_archive_has_no_single_one() -> None:
    body = tar_gz(regular("a.js", MAIN), regular("b.js", MAIN))
    with pytest.raises(FieldError) as refused:
        read_upload(body, None)
    assert "name the file k6 runs" in str(refused.value.detail)
    with pytest.raises(FieldError):
        read_upload(body, "c.js")
    assert read_upload(body, "b.js")[1] == "b.js"
