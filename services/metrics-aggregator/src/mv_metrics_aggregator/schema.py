"""The compact schema the receiver writes to InfluxDB: one point per k6 push, test and scenario.

Here, in the aggregator's core, because both of its processes use it: the receiver writes these
measurements, the summaries and live snapshots read them. No other service does (the
test-runner only points k6 at the receiver), so it is no contract between services and stays
out of ``mv_contracts``; the one fact here that does cross, k6's push interval, is there
(``mv_contracts.metrics.PUSH_SECONDS``).

What k6's ``experimental-prometheus-rw`` output sends, and what this module relies on:

- every value is *cumulative since the start of the run*, per series (metric name + tag set);
  a series is pushed only when it got new samples, stamped with its latest sample's time (ms);
- ``k6_http_reqs_total`` (counter) per tag set: the ``expected_response`` tag says whether the
  requests of that series failed (``K6_SYSTEM_TAGS`` must keep it; else failures come from
  ``k6_http_req_failed_rate`` x requests of the same tag set, rounded: exact below 2**52);
- ``k6_http_req_duration_<stat>`` with trend stats (``K6_PROMETHEUS_RW_TREND_STATS``), in
  seconds; k6 scales *every* stat of a time metric by 1/1000, the ``count`` too (7,451 requests
  arrive as 7.451), so counts are ``round(value * 1000)``;
- ``k6_http_req_duration_seconds`` as a native histogram
  (``K6_FEATURES=native-histograms``, k6 1.x: ``K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM``):
  exact count and sum, buckets at k6's schema (3: bucket bounds a factor 2**(1/8) apart), no
  min or max;
- ``k6_vus`` / ``k6_vus_max`` gauges, per test only (no scenario tag);
- ``k6_dropped_iterations_total`` (counter) per scenario, when an arrival-rate executor could
  not start an iteration in time.

Every point carries the test's tags: ``testid`` and, on a test split over several k6 runners,
``runner`` (``mv_contracts.runs.RUNNER_TAG``, the index the runner passes with ``--tag``; absent
with one runner). Each runner's series are kept apart, so two runners' counts add up and the VUs
of a second are summed over the runners.

Measurement ``mv_requests``, tags ``testid``, ``runner``, ``scenario`` (``-`` for requests
outside any scenario: setup and teardown) and, for a journey's requests, ``step`` (a custom tag
of the script, which k6 keeps whatever ``K6_SYSTEM_TAGS`` says), one point per push in which the
scenario (step) had new requests, at the latest sample time of the push (ms, strictly increasing
per series), fields:

================== ======= =============================================================
``requests``       integer requests since the previous point (exact)
``failed``         integer failed requests since the previous point (exact)
``duration_count`` integer response times since the previous point (= requests for HTTP)
``duration_sum``   float   their sum, ms; mean = SUM(duration_sum) / SUM(duration_count)
``duration_min``   float   the smallest *running* minimum of the pushed series, ms: MIN over
                           a test's points is the test's exact minimum (trend stats only)
``duration_max``   float   the same for the maximum (trend stats only)
``duration_p99``   float   k6's running p99 of the scenario's slowest series, ms (trend
                           stats ``p(99)`` only; a chart's figure, never merged)
``duration_hist``  string  native histograms only: the interval's bucket counts,
                           ``"<schema> z:<zero bucket> <index>:<count> ..."`` (bucket ``i``
                           holds ``(2**((i-1)/2**schema), 2**(i/2**schema)]`` seconds),
                           mergeable by adding counts
================== ======= =============================================================

Measurement ``mv_failures``, tags ``testid``, ``runner``, ``scenario``, ``step``, ``status``
(the HTTP status, ``0`` when no response came) and ``error_code`` (k6's, when it set one): field
``failed`` (integer), the failed requests of that kind since the previous point.

Measurement ``mv_dropped``, tags ``testid``, ``runner``, ``scenario``: field ``dropped``
(integer), iterations dropped since the previous point.

Measurement ``mv_checks``, tags ``testid``, ``runner``, ``scenario``, ``step`` and ``check``
(the k6 check's name): field ``rate`` (float), the check's pass rate since the start of the run
(k6's cumulative ``k6_checks_rate``), per push in which it moved. A check runs once per answer
of its step, so its passes are ``rate`` x the step's requests (exact below 2**52).

Measurement ``mv_vus``, tags ``testid`` and ``runner``: fields ``vus`` and ``vus_max``
(integers) per push.

k6 pushes every ``PUSH_SECONDS`` (``K6_PROMETHEUS_RW_PUSH_INTERVAL``), so a point holds about that
long; ``mv_metrics_aggregator.definitions`` says what each figure of a summary is over these
points.

Summing ``requests``/``failed`` over a test's points gives k6's own end-of-test counts
(``tests/metrics_aggregator_tests/test_receiver_k6.py`` checks it against real k6).
"""

from __future__ import annotations

from mv_contracts.runs import RUNNER_TAG, SCENARIO_TAG, STEP_TAG, TEST_ID_TAG

REQUESTS_MEASUREMENT = "mv_requests"
FAILURES_MEASUREMENT = "mv_failures"
DROPPED_MEASUREMENT = "mv_dropped"
VUS_MEASUREMENT = "mv_vus"
CHECKS_MEASUREMENT = "mv_checks"
CHECK_LABEL = "check"
CHECKS_RATE_METRIC = "k6_checks_rate"
TEST_ID_LABEL = TEST_ID_TAG
SCENARIO_LABEL = SCENARIO_TAG
STEP_LABEL = STEP_TAG
RUNNER_LABEL = RUNNER_TAG
NO_SCENARIO = "-"
EXPECTED_LABEL = "expected_response"
STATUS_LABEL, ERROR_CODE_LABEL = "status", "error_code"
NAME_LABEL = "__name__"

REQS_METRIC = "k6_http_reqs_total"
FAILED_RATE_METRIC = "k6_http_req_failed_rate"
DURATION_PREFIX = "k6_http_req_duration_"
DURATION_HISTOGRAM_METRIC = "k6_http_req_duration_seconds"
VUS_METRIC, VUS_MAX_METRIC = "k6_vus", "k6_vus_max"
DROPPED_METRIC = "k6_dropped_iterations_total"
# k6 divides every trend stat of a time metric by 1000 (ms -> s), its count included.
TIME_SCALE = 1000.0
