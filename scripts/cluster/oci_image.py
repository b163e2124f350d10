"""Writes an OCI image archive (what ``ctr images import`` reads) from directories and tarballs.

The cluster's small images (pause, busybox, CoreDNS, metrics-server, k6 and the stand-ins made
from Debian root filesystems) need no build engine: one layer per input, a config with the
entrypoint, and an index naming the image.

    python3 oci_image.py --name mv.local/pause:3.10 --dir ROOTFS --entrypoint /pause -o out.tar
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import tarfile
import tempfile
from pathlib import Path
from typing import Any

LAYER = "application/vnd.oci.image.layer.v1.tar"


def _root_owned(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    return info


def _layer_from_dir(directory: Path, out: Path, owners: dict[str, tuple[int, int]]) -> None:
    """Every file owned by root, except the paths given to ``--owner``."""
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(directory.rglob("*")):
            name = str(path.relative_to(directory))
            info = _root_owned(tar.gettarinfo(path, arcname=name))
            if name in owners:
                info.uid, info.gid = owners[name]
                info.uname = info.gname = ""
            if info.isreg():
                with path.open("rb") as handle:
                    tar.addfile(info, handle)
            else:
                tar.addfile(info)


def _blob(blobs: Path, data: bytes | Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    if isinstance(data, bytes):
        digest.update(data)
        size = len(data)
    else:
        with data.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
        size = data.stat().st_size
    hexdigest = digest.hexdigest()
    target = blobs / hexdigest
    if isinstance(data, bytes):
        target.write_bytes(data)
    else:
        shutil.copyfile(data, target)
    return f"sha256:{hexdigest}", size


def build(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        blobs = work / "blobs" / "sha256"
        blobs.mkdir(parents=True)
        layers: list[dict[str, Any]] = []
        for index, source in enumerate(args.layers):
            path = Path(source)
            if path.is_dir():
                tar_path = work / f"layer{index}.tar"
                owners = {}
                for spec in args.owner or []:
                    where, ids = spec.rsplit("=", 1)
                    uid, gid = ids.split(":")
                    owners[where.strip("/")] = (int(uid), int(gid))
                _layer_from_dir(path, tar_path, owners)
                path = tar_path
            digest, size = _blob(blobs, path)
            layers.append({"mediaType": LAYER, "digest": digest, "size": size})
        config: dict[str, Any] = {
            "Env": args.env or ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]
        }
        if args.entrypoint:
            config["Entrypoint"] = (
                json.loads(args.entrypoint)
                if args.entrypoint.startswith("[")
                else [args.entrypoint]
            )
        if args.cmd:
            config["Cmd"] = json.loads(args.cmd)
        if args.user:
            config["User"] = args.user
        if args.workdir:
            config["WorkingDir"] = args.workdir
        if args.port:
            config["ExposedPorts"] = {f"{port}/tcp": {} for port in args.port}
        image_config = {
            "architecture": "amd64",
            "os": "linux",
            "config": config,
            "rootfs": {"type": "layers", "diff_ids": [layer["digest"] for layer in layers]},
            # Builders (buildah) match history entries to layers: one per layer.
            "history": [
                {"created_by": f"oci_image.py --layer {Path(source).name}"}
                for source in args.layers
            ],
        }
        config_digest, config_size = _blob(blobs, json.dumps(image_config).encode())
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": config_digest,
                "size": config_size,
            },
            "layers": layers,
        }
        manifest_digest, manifest_size = _blob(blobs, json.dumps(manifest).encode())
        index = {
            "schemaVersion": 2,
            "manifests": [
                {
                    "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "digest": manifest_digest,
                    "size": manifest_size,
                    "annotations": {
                        "io.containerd.image.name": args.name,
                        "org.opencontainers.image.ref.name": args.name.rsplit(":", 1)[-1],
                    },
                }
            ],
        }
        (work / "index.json").write_text(json.dumps(index))
        (work / "oci-layout").write_text(json.dumps({"imageLayoutVersion": "1.0.0"}))
        with tarfile.open(args.output, "w") as tar:
            for name in ("oci-layout", "index.json", "blobs"):
                tar.add(work / name, arcname=name, filter=_root_owned)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--name", required=True, help="full image name, e.g. mv.local/pause:3.10")
    parser.add_argument(
        "--layer", dest="layers", action="append", required=True, help="a directory or a tar"
    )
    parser.add_argument("--entrypoint", help="a program, or a JSON list")
    parser.add_argument("--cmd", help="a JSON list")
    parser.add_argument("--env", action="append", help="NAME=value (replaces the default PATH)")
    parser.add_argument("--user")
    parser.add_argument("--workdir")
    parser.add_argument("--port", action="append", type=int)
    parser.add_argument("--owner", action="append", help="PATH=UID:GID inside a directory layer")
    parser.add_argument("-o", "--output", required=True)
    build(parser.parse_args())


if __name__ == "__main__":
    main()
