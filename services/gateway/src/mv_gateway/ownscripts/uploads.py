"""An uploaded own script (one ``.js`` file, a ``.tar.gz`` or a ``.zip``) read into its files,
every hostile shape refused with the reason in words, before any byte reaches k6.

Bounds (one definition each, in :mod:`mv_contracts.ownscripts` and here): the upload itself
(:data:`MAX_UPLOAD_BYTES`, checked on the declared length and on what arrived), the number of
files, each file's size and the total unpacked, and the ratio of unpacked to uploaded bytes
(:data:`MAX_RATIO`: a zip bomb is refused by its declared sizes before anything is inflated,
and every read is bounded, so a lying header inflates no more than the bound). Refused: paths
that are absolute or climb out (``..``), symbolic and hard links, devices and pipes, a file
twice, text that is not UTF-8.
"""

from __future__ import annotations

import io
import stat
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from mv_contracts.ownscripts import MAX_FILE_BYTES, MAX_FILES, MAX_TOTAL_BYTES, safe_path
from mv_gateway.core.errors import FieldError, GatewayError

MAX_UPLOAD_BYTES = 1024 * 1024
MAX_RATIO = 100
"""Unpacked bytes per uploaded byte, at most (text compresses 5-10 times; a bomb thousands)."""
DEFAULT_ENTRY = "script.js"


class ArchiveRefused(FieldError):
    """The upload breaks a rule: 422 naming ``archive`` and why."""

    def __init__(self, why: str) -> None:
        super().__init__("archive", message=why)


class UploadTooLarge(GatewayError):
    status_code = 413

    def __init__(self, size: int | str) -> None:
        super().__init__(f"the script is {size} bytes; the limit is {MAX_UPLOAD_BYTES}")


@dataclass
class _Count:
    upload: int
    files: int = 0
    total: int = 0

    def take(self, name: str, size: int) -> None:
        """Count one more file of ``size`` bytes, refusing it past any bound."""
        self.files += 1
        self.total += size
        if self.files > MAX_FILES:
            raise ArchiveRefused(f"more than {MAX_FILES} files")
        if size > MAX_FILE_BYTES:
            raise ArchiveRefused(f"{name!r} is {size} bytes unpacked; a file may hold at most "
                                 f"{MAX_FILE_BYTES}")  # fmt: skip
        if self.total > MAX_TOTAL_BYTES:
            raise ArchiveRefused(f"more than {MAX_TOTAL_BYTES} bytes unpacked in all")
        if self.total > self.upload * MAX_RATIO:
            raise ArchiveRefused(
                f"unpacks to more than {MAX_RATIO} times its size (a zip bomb?): "
                f"{self.total} bytes from {self.upload}"
            )


def _path(name: str) -> str:
    found = safe_path(name)
    if found is None:
        why = "an absolute path" if name.startswith(("/", "\\")) or name[1:2] == ":" else (
            "a path that climbs out of the archive (..)" if ".." in name.split("/")
            else "not a usable file name")  # fmt: skip
        raise ArchiveRefused(f"{name!r} is {why}")
    return found


def _read(source: IO[bytes], name: str, size: int) -> bytes:
    content = source.read(size + 1)  # a header may lie: never more than one byte past it
    if len(content) != size:
        raise ArchiveRefused(f"{name!r} holds other than the {size} bytes its header says")
    return content


def _tar(body: bytes, count: _Count) -> Iterator[tuple[str, bytes]]:
    try:
        with tarfile.open(fileobj=io.BytesIO(body), mode="r|*") as tar:
            for member in tar:
                if member.isdir():
                    _path(member.name)
                    continue
                if member.issym() or member.islnk():
                    raise ArchiveRefused(f"{member.name!r} is a link; only regular files")
                if not member.isreg():
                    raise ArchiveRefused(f"{member.name!r} is not a regular file")
                name = _path(member.name)
                count.take(name, member.size)
                source = tar.extractfile(member)
                assert source is not None  # a regular file has content
                yield name, _read(source, name, member.size)
    except (tarfile.TarError, EOFError, OSError) as error:
        raise ArchiveRefused(f"not a readable tar archive: {error}") from None


def _zip(body: bytes, count: _Count) -> Iterator[tuple[str, bytes]]:
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            infos = archive.infolist()
            declared = sum(i.file_size for i in infos)
            if declared > MAX_TOTAL_BYTES or declared > count.upload * MAX_RATIO:
                raise ArchiveRefused(
                    f"its entries declare {declared} bytes unpacked from {count.upload} "
                    f"(at most {MAX_TOTAL_BYTES}, and {MAX_RATIO} times the upload): a zip bomb?"
                )
            for info in infos:
                if info.is_dir():
                    _path(info.filename)
                    continue
                mode = info.external_attr >> 16
                if stat.S_ISLNK(mode):
                    raise ArchiveRefused(f"{info.filename!r} is a link; only regular files")
                if stat.S_IFMT(mode) not in (0, stat.S_IFREG):  # 0: made without a Unix mode
                    raise ArchiveRefused(f"{info.filename!r} is not a regular file")
                name = _path(info.filename)
                count.take(name, info.file_size)
                with archive.open(info) as source:
                    yield name, _read(source, name, info.file_size)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as error:
        raise ArchiveRefused(f"not a readable zip archive: {error}") from None


def read_upload(body: bytes, entry: str | None) -> tuple[dict[str, bytes], str]:
    """The files of an upload and the file k6 runs (``entry``; by default the one ``.js`` file
    at the archive's top, or ``script.js`` for a single script)."""
    if len(body) > MAX_UPLOAD_BYTES:
        raise UploadTooLarge(len(body))
    count = _Count(upload=max(len(body), 1))
    if body.startswith(b"PK\x03\x04") or body.startswith(b"PK\x05\x06"):
        pairs = list(_zip(body, count))
    elif body.startswith(b"\x1f\x8b") or body[257:262] == b"ustar":
        pairs = list(_tar(body, count))
    else:
        name = _path(entry or DEFAULT_ENTRY)
        pairs = [(name, body)]
    files: dict[str, bytes] = {}
    for name, content in pairs:
        if name in files:
            raise ArchiveRefused(f"{name!r} is in the archive twice")
        files[name] = content
    if not files:
        raise ArchiveRefused("the archive holds no file")
    if entry is None:
        top = [n for n in files if "/" not in n and n.endswith((".js", ".mjs"))]
        if len(top) != 1:
            raise FieldError("entry", message="name the file k6 runs: the archive's top holds "
                             f"{len(top)} .js files")  # fmt: skip
        entry = top[0]
    entry = _path(entry)
    if entry not in files:
        raise FieldError("entry", message=f"the archive has no file {entry!r}")
    for name, content in files.items():
        if name.endswith((".js", ".mjs")):
            try:
                content.decode("utf-8")
            except UnicodeDecodeError as error:
                raise ArchiveRefused(f"{name!r} is not UTF-8 text: {error}") from None
    return files, entry
