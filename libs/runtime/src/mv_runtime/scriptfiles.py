"""The normalised archive of a team's own k6 script (:mod:`mv_contracts.ownscripts`): packed by
the gateway from what was uploaded, unpacked by the test-runner into a folder k6 runs in.

Packing is deterministic (sorted names, no times, no owners), so the same files make the same
bytes and the same digest. Unpacking checks again what the gateway checked (regular files only,
paths inside the folder, bounded count and sizes): the archive crossed a bus.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import io
import tarfile
from pathlib import Path

from mv_contracts.ownscripts import MAX_FILE_BYTES, MAX_FILES, MAX_TOTAL_BYTES, safe_path


class BadArchive(ValueError):
    """The archive is not one the platform made, or breaks a bound."""


def pack(files: dict[str, bytes]) -> str:
    """base64 of the tar.gz of ``files`` (relative path → content)."""
    buffer = io.BytesIO()
    with (
        gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as zipped,
        tarfile.open(fileobj=zipped, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for name in sorted(files):
            info = tarfile.TarInfo(name)
            info.size = len(files[name])
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(files[name]))
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def unpack(archive: str) -> dict[str, bytes]:
    """The files of a packed archive; :class:`BadArchive` when it breaks a rule."""
    try:
        raw = base64.b64decode(archive, validate=True)
    except (binascii.Error, ValueError) as error:
        raise BadArchive(f"not base64: {error}") from None
    files: dict[str, bytes] = {}
    total = 0
    try:
        with (
            gzip.GzipFile(fileobj=io.BytesIO(raw)) as zipped,
            tarfile.open(fileobj=zipped, mode="r|") as tar,
        ):
            for member in tar:
                name = safe_path(member.name)
                if not member.isreg() or name is None:
                    raise BadArchive(f"{member.name!r}: only regular files inside the archive")
                if len(files) >= MAX_FILES:
                    raise BadArchive(f"more than {MAX_FILES} files")
                if member.size > MAX_FILE_BYTES or total + member.size > MAX_TOTAL_BYTES:
                    raise BadArchive(f"{name!r}: larger than the bounds allow")
                source = tar.extractfile(member)
                assert source is not None  # a regular file has content
                files[name] = source.read(member.size)
                total += member.size
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BadArchive(f"not a tar.gz: {error}") from None
    return files


def write(files: dict[str, bytes], folder: Path) -> None:
    """Write ``files`` under ``folder`` (which must not hold other files of the same names)."""
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
