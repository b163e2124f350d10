"""Endpoint fingerprints and what a re-analysis changed."""

from __future__ import annotations

import hashlib

from mv_contracts.spec import AnalysedSpec, SpecChanges


def fingerprinted(spec: AnalysedSpec) -> AnalysedSpec:
    """The spec with each endpoint's fingerprint set (a digest of its analysed content)."""
    endpoints = [
        endpoint.model_copy(
            update={
                "fingerprint": hashlib.sha256(
                    endpoint.model_dump_json(exclude={"fingerprint"}).encode()
                ).hexdigest()[:32]
            }
        )
        for endpoint in spec.endpoints
    ]
    return spec.model_copy(update={"endpoints": endpoints})


def compare(spec: AnalysedSpec, known: dict[str, str]) -> SpecChanges:
    """Added, changed and removed endpoints against the stored fingerprints ``known``."""
    current = {e.key: e.fingerprint or "" for e in spec.endpoints}
    if not known:
        return SpecChanges(unchanged=0, added=[]) if not current else SpecChanges()
    return SpecChanges(
        added=[k for k in current if k not in known],
        changed=[k for k, f in current.items() if k in known and known[k] != f],
        removed=[k for k in known if k not in current],
        unchanged=sum(1 for k, f in current.items() if known.get(k) == f),
    )
