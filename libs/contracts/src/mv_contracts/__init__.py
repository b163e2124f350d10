"""The one definition of every subject and message on Metric Vault's bus."""

from .envelope import Contract, Envelope
from .subjects import ALL_SUBJECTS, STREAM_NAME, Subject

__all__ = ["ALL_SUBJECTS", "STREAM_NAME", "Contract", "Envelope", "Subject"]
