"""Prometheus remote write 1.0 bodies: snappy-compressed ``prometheus.WriteRequest`` protobuf.

The message classes are built at import from a descriptor written here (the subset of
Prometheus' ``remote.proto`` / ``types.proto`` that k6's ``experimental-prometheus-rw`` output
sends: labels, float samples, native histograms), so no ``protoc`` step or generated file is
needed; the parsing itself is the ``protobuf`` package's compiled (upb) parser. Field numbers
follow the Prometheus protocol (https://prometheus.io/docs/specs/remote_write_spec/).
"""

from __future__ import annotations

from typing import Any

import cramjam
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.message import DecodeError

CONTENT_TYPE = "application/x-protobuf"
CONTENT_ENCODING = "snappy"
MAX_BODY_BYTES = 32 * 1024 * 1024  # k6 sends a few KB per push; a body past this is refused

_F = descriptor_pb2.FieldDescriptorProto
_OPTIONAL, _REPEATED = _F.LABEL_OPTIONAL, _F.LABEL_REPEATED

# message name -> (field name, number, type, label, message type or None, oneof index or None)
_MESSAGES: dict[str, list[tuple[str, int, int, int, str | None, int | None]]] = {
    "Label": [
        ("name", 1, _F.TYPE_STRING, _OPTIONAL, None, None),
        ("value", 2, _F.TYPE_STRING, _OPTIONAL, None, None),
    ],
    "Sample": [
        ("value", 1, _F.TYPE_DOUBLE, _OPTIONAL, None, None),
        ("timestamp", 2, _F.TYPE_INT64, _OPTIONAL, None, None),
    ],
    "BucketSpan": [
        ("offset", 1, _F.TYPE_SINT32, _OPTIONAL, None, None),
        ("length", 2, _F.TYPE_UINT32, _OPTIONAL, None, None),
    ],
    "Histogram": [
        ("count_int", 1, _F.TYPE_UINT64, _OPTIONAL, None, 0),
        ("count_float", 2, _F.TYPE_DOUBLE, _OPTIONAL, None, 0),
        ("sum", 3, _F.TYPE_DOUBLE, _OPTIONAL, None, None),
        ("schema", 4, _F.TYPE_SINT32, _OPTIONAL, None, None),
        ("zero_threshold", 5, _F.TYPE_DOUBLE, _OPTIONAL, None, None),
        ("zero_count_int", 6, _F.TYPE_UINT64, _OPTIONAL, None, 1),
        ("zero_count_float", 7, _F.TYPE_DOUBLE, _OPTIONAL, None, 1),
        ("negative_spans", 8, _F.TYPE_MESSAGE, _REPEATED, "BucketSpan", None),
        ("negative_deltas", 9, _F.TYPE_SINT64, _REPEATED, None, None),
        ("negative_counts", 10, _F.TYPE_DOUBLE, _REPEATED, None, None),
        ("positive_spans", 11, _F.TYPE_MESSAGE, _REPEATED, "BucketSpan", None),
        ("positive_deltas", 12, _F.TYPE_SINT64, _REPEATED, None, None),
        ("positive_counts", 13, _F.TYPE_DOUBLE, _REPEATED, None, None),
        ("reset_hint", 14, _F.TYPE_INT32, _OPTIONAL, None, None),
        ("timestamp", 15, _F.TYPE_INT64, _OPTIONAL, None, None),
    ],
    "TimeSeries": [
        ("labels", 1, _F.TYPE_MESSAGE, _REPEATED, "Label", None),
        ("samples", 2, _F.TYPE_MESSAGE, _REPEATED, "Sample", None),
        ("histograms", 4, _F.TYPE_MESSAGE, _REPEATED, "Histogram", None),
    ],
    "WriteRequest": [("timeseries", 1, _F.TYPE_MESSAGE, _REPEATED, "TimeSeries", None)],
}
_ONEOFS = {"Histogram": ("count", "zero_count")}


def _build() -> dict[str, Any]:
    file = descriptor_pb2.FileDescriptorProto(
        name="mv_prometheus_remote.proto", package="prometheus", syntax="proto3"
    )
    for name, fields in _MESSAGES.items():
        message = file.message_type.add(name=name)
        for oneof in _ONEOFS.get(name, ()):
            message.oneof_decl.add(name=oneof)
        for field_name, number, kind, label, type_name, oneof_index in fields:
            field = message.field.add(name=field_name, number=number, type=kind, label=label)
            if type_name:
                field.type_name = f".prometheus.{type_name}"
            if oneof_index is not None:
                field.oneof_index = oneof_index
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return {
        name: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"prometheus.{name}"))
        for name in _MESSAGES
    }


_CLASSES = _build()
WriteRequest: Any = _CLASSES["WriteRequest"]
TimeSeries: Any = _CLASSES["TimeSeries"]
Histogram: Any = _CLASSES["Histogram"]


class RemoteWriteError(ValueError):
    """A body that is not a snappy-compressed WriteRequest; the message says which part."""


def decode(body: bytes) -> Any:
    """The ``WriteRequest`` in a remote-write body (snappy block format, as the spec says)."""
    if len(body) > MAX_BODY_BYTES:
        raise RemoteWriteError(f"body: {len(body)} bytes, more than {MAX_BODY_BYTES}")
    try:
        raw = bytes(cramjam.snappy.decompress_raw(body))
    except cramjam.DecompressionError as error:
        raise RemoteWriteError(f"body: not snappy (block format): {error}") from error
    request = WriteRequest()
    try:
        request.ParseFromString(raw)
    except DecodeError as error:
        raise RemoteWriteError(f"body: not a prometheus.WriteRequest: {error}") from error
    return request


def encode(request: Any) -> bytes:
    """A remote-write body for ``request`` (tests and the benchmark send what k6 would)."""
    return bytes(cramjam.snappy.compress_raw(request.SerializeToString()))


def bucket_counts(histogram: Any) -> dict[int, int]:
    """A native histogram's positive buckets as index -> count (spans and deltas unfolded).

    Bucket ``i`` at schema ``s`` holds values in ``(2**((i-1)/2**s), 2**(i/2**s)]``.
    """
    counts: dict[int, int] = {}
    index, count, deltas = 0, 0, iter(histogram.positive_deltas)
    for span in histogram.positive_spans:
        index += span.offset
        for _ in range(span.length):
            count += next(deltas)
            counts[index] = count
            index += 1
    return counts


def histogram_count(histogram: Any) -> int:
    if histogram.WhichOneof("count") == "count_float":
        counted: float = histogram.count_float
        return round(counted)
    count: int = histogram.count_int
    return count
