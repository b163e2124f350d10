"""The one envelope every message on the bus travels in."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar
from uuid import UUID, uuid4, uuid5

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

# The namespace of every derived envelope id; what tells two ids apart is the name.
_DERIVED = UUID("6c1d3f0e-8a4b-4c55-9a57-2f1f6b0d9e11")


def utcnow() -> datetime:
    return datetime.now(UTC)


def derived_id(*name: str) -> UUID:
    """The envelope id of a message that answers or repeats another: the same on every attempt,
    so JetStream's duplicate window drops a re-publish and a consumer applies it once. ``name``
    says what it is (its kind first, then the ids it derives from)."""
    return uuid5(_DERIVED, "/".join(name))


class Contract(BaseModel):
    """Base of every payload: unknown fields are refused so typos fail loudly."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, serialize_by_alias=True, validate_by_name=True
    )
    # Names such as TestRunRequest are not pytest test classes.
    __test__: ClassVar[bool] = False


class Envelope(Contract):
    """id, type, schema version, time and correlation id around a typed payload.

    Subclasses narrow ``type`` to a literal and declare ``payload``; ``id`` doubles as the
    JetStream message id, so a publisher retrying the same envelope is de-duplicated.
    """

    SCHEMA_VERSION: ClassVar[int] = 1

    id: UUID = Field(default_factory=uuid4, description="Unique message id, for idempotency")
    type: str = Field(description="Message type, e.g. test.finished")
    schema_version: int = Field(default=1, ge=1, description="Version of the payload schema")
    time: AwareDatetime = Field(default_factory=utcnow, description="When it was published")
    correlation_id: str = Field(
        min_length=1, max_length=200, description="The test id or analysis id it belongs to"
    )
