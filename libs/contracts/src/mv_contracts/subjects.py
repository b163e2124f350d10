"""Every subject of the bus, defined once: its name, message model and transport.

Commands and events go through the JetStream stream ``STREAM_NAME`` (durable, acked, redelivered);
live figures go over core NATS because they are worthless a minute later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from .envelope import Contract, Envelope
from .health import SERVICE_NAMES, HeartbeatEvent
from .lifecycle import TestFinishedEvent, TestStartedEvent, TestWarningEvent
from .metrics import (
    LiveSnapshotEvent,
    PointsCount,
    PointsCountRequested,
    PointsPurgeRequested,
    TestSummariseRequested,
    TestSummaryEvent,
)
from .ownscripts import ScriptInspection, ScriptInspectRequested
from .pods import PodResourcesEvent, ServerDiscoveredEvent
from .runs import ScriptPreview, ScriptPreviewRequested, TestCancelRequested, TestRunRequested
from .spec import SpecAnalysedEvent, SpecAnalysisFailed, SpecAnalysisRequested

STREAM_NAME = "metric-vault"
STREAM_SUBJECTS = ("mv.cmd.>", "mv.evt.>")
STREAM_MAX_AGE = timedelta(days=7)
# How long JetStream de-duplicates a re-published envelope id.
DUPLICATE_WINDOW = timedelta(minutes=2)

# The metrics receiver's durable buffer: each push of k6, as compact line-protocol points, on a
# stream of its own (its limits are the receiver's settings). One subject per test, its last token
# the test id (mv_metrics_aggregator.receiver.journal says how an id that is not a NATS token is
# named and what a message holds). Not envelopes and not in ALL_SUBJECTS: only the receiver
# publishes and reads them; InfluxDB is where other systems read the points.
POINTS_STREAM_NAME = "metric-vault-points"
POINTS_SUBJECT = "mv.points.*"


@dataclass(frozen=True, slots=True)
class Subject:
    name: str
    message: type[Envelope]
    transport: Literal["jetstream", "core"]
    publisher: str
    consumers: tuple[str, ...]
    description: str
    reply: type[Contract] | None = None  # core request/reply: what the consumer answers

    def for_test(self, test_id: str) -> str:
        """The concrete subject of a per-test wildcard subject (``mv.live.metrics.<id>``)."""
        if not self.name.endswith(".*"):
            raise ValueError(f"{self.name} is not a per-test subject")
        return f"{self.name[:-2]}.{test_id}"


ANALYSE_SPEC = Subject(
    "mv.cmd.spec.analyse",
    SpecAnalysisRequested,
    "jetstream",
    "gateway",
    ("spec-analyzer",),
    "Fetch and parse an OpenAPI document.",
)
SPEC_ANALYSED = Subject(
    "mv.evt.spec.analysed",
    SpecAnalysedEvent,
    "jetstream",
    "spec-analyzer",
    ("gateway",),
    "A document was parsed into spec, tags and endpoints.",
)
SPEC_ANALYSIS_FAILED = Subject(
    "mv.evt.spec.failed",
    SpecAnalysisFailed,
    "jetstream",
    "spec-analyzer",
    ("gateway",),
    "A document could not be analysed, and why.",
)
RUN_TEST = Subject(
    "mv.cmd.test.run",
    TestRunRequested,
    "jetstream",
    "gateway",
    ("test-runner",),
    "Generate the k6 script of a test and run it.",
)
CANCEL_TEST = Subject(
    "mv.cmd.test.cancel",
    TestCancelRequested,
    "jetstream",
    "gateway",
    ("test-runner",),
    "Stop a running test.",
)
TEST_STARTED = Subject(
    "mv.evt.test.started",
    TestStartedEvent,
    "jetstream",
    "test-runner",
    ("gateway", "metrics-aggregator"),
    "k6 started for a test.",
)
TEST_WARNING = Subject(
    "mv.evt.test.warning",
    TestWarningEvent,
    "jetstream",
    "test-runner",
    ("gateway",),
    "A test has run longer than SCHEDULER_JOB_WARNING_HOURS.",
)
TEST_FINISHED = Subject(
    "mv.evt.test.finished",
    TestFinishedEvent,
    "jetstream",
    "test-runner",
    ("gateway", "metrics-aggregator"),
    "A test ended; exactly one per test.",
)
TEST_SUMMARY = Subject(
    "mv.evt.metrics.summary",
    TestSummaryEvent,
    "jetstream",
    "metrics-aggregator",
    ("gateway",),
    "Final figures of a test, overall and per scenario.",
)
SUMMARISE_TEST = Subject(
    "mv.cmd.metrics.summarise",
    TestSummariseRequested,
    "jetstream",
    "gateway",
    ("metrics-aggregator",),
    "Make a test's summary again; it comes as a new TEST_SUMMARY envelope that replaces the last.",
)
PURGE_POINTS = Subject(
    "mv.cmd.metrics.purge",
    PointsPurgeRequested,
    "jetstream",
    "gateway",
    ("metrics-aggregator",),
    "Drop every point of the named tests from InfluxDB: the tests were deleted.",
)
COUNT_POINTS = Subject(
    "mv.rpc.metrics.count",
    PointsCountRequested,
    "core",
    "gateway",
    ("metrics-aggregator",),
    "Count the points InfluxDB holds per test; the answer (PointsCount) goes to the request's "
    "reply subject.",
    reply=PointsCount,
)
LIVE_METRICS = Subject(
    "mv.live.metrics.*",
    LiveSnapshotEvent,
    "core",
    "metrics-aggregator",
    ("gateway",),
    "Figures of a running test, every LIVE_INTERVAL.",
)
POD_RESOURCES = Subject(
    "mv.evt.pods.resources",
    PodResourcesEvent,
    "jetstream",
    "pod-watcher",
    ("gateway",),
    "Resource specs and usage of the pods under test.",
)
SERVER_DISCOVERED = Subject(
    "mv.evt.servers.discovered",
    ServerDiscoveredEvent,
    "jetstream",
    "pod-watcher",
    ("spec-analyzer", "gateway"),
    "A server with an API appeared in the namespace.",
)

PREVIEW_SCRIPT = Subject(
    "mv.rpc.test.preview",
    ScriptPreviewRequested,
    "core",
    "gateway",
    ("test-runner",),
    "Generate a test's k6 script without running it; the answer (ScriptPreview) goes to the "
    "request's reply subject.",
    reply=ScriptPreview,
)

INSPECT_SCRIPT = Subject(
    "mv.rpc.test.inspect",
    ScriptInspectRequested,
    "core",
    "gateway",
    ("test-runner",),
    "Read a team's own k6 script with k6 inspect (where k6 is installed); the answer "
    "(ScriptInspection) goes to the request's reply subject.",
    reply=ScriptInspection,
)

HEARTBEAT = Subject(
    "mv.health.heartbeat",
    HeartbeatEvent,
    "core",
    ", ".join(SERVICE_NAMES),
    ("gateway",),
    "A service is alive (every HEARTBEAT_SECONDS) and how its dependencies look; every gateway "
    "replica hears every beat.",
)

ALL_SUBJECTS: tuple[Subject, ...] = (
    ANALYSE_SPEC,
    SPEC_ANALYSED,
    SPEC_ANALYSIS_FAILED,
    RUN_TEST,
    CANCEL_TEST,
    PREVIEW_SCRIPT,
    INSPECT_SCRIPT,
    TEST_STARTED,
    TEST_WARNING,
    TEST_FINISHED,
    TEST_SUMMARY,
    SUMMARISE_TEST,
    PURGE_POINTS,
    COUNT_POINTS,
    LIVE_METRICS,
    POD_RESOURCES,
    SERVER_DISCOVERED,
    HEARTBEAT,
)


def durable_name(service: str, subject: Subject) -> str:
    """One durable consumer per service and subject; NATS names allow no dots."""
    return f"{service}--{subject.name.replace('.', '-').replace('*', 'any')}"
