"""JUnit XML for CI: a testcase per target, per scenario and for the whole test, failed by the
critical findings in it; so the file fails exactly when the run's verdict is failed. A journey's
steps are testcases too, their figures and checks as output, never failed on their own."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from mv_contracts.metrics import StepSummary
from mv_gateway.analysis import Finding, Severity
from mv_gateway.core.text import printable

from .model import ReportInput, ReportScenario

TARGET_RULES = ("target.response_time", "target.error_rate", "target.tps")
WHOLE = "quality.incomplete"


def _case(suite: ET.Element, name: str, classname: str, failures: list[Finding]) -> None:
    case = ET.SubElement(suite, "testcase", name=name, classname=classname)
    for finding in failures:
        failure = ET.SubElement(case, "failure", message=finding.title.en, type=finding.rule)
        failure.text = finding.detail.en


def _step_case(
    suite: ET.Element, scenario: ReportScenario, step: StepSummary, classname: str
) -> None:
    """A journey's step as a testcase of its figures and checks, never failed: targets and check
    targets are judged per scenario, in the scenario's testcase."""
    case = ET.SubElement(
        suite, "testcase", name=f"scenario {scenario.name}, step {step.name}", classname=classname
    )
    times = (
        f", response time avg {step.avg_response_time:.1f} ms, max {step.max_response_time:.1f} ms"
        if step.avg_response_time is not None and step.max_response_time is not None
        else ""
    )
    lines = [f"{step.requests:,} requests, {step.failed:,} failed{times}"]
    lines += [
        f"check {c.name}: {c.passes:,} of {c.total:,} passed"
        for c in scenario.checks
        if c.step == step.name
    ]
    ET.SubElement(case, "system-out").text = "\n".join(lines)


def render_junit(report: ReportInput) -> str:
    analysis = report.analysis
    findings = analysis.findings
    critical = [f for f in findings if f.severity is Severity.CRITICAL]
    suite = ET.Element("testsuite", name=report.title, id=report.test_id)
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("state", report.state),
        ("verdict", analysis.verdict.outcome.value),
        ("verdict_reason", analysis.verdict.reason.en),
    ):
        ET.SubElement(properties, "property", name=name, value=value)
    classname = f"metric-vault.{report.test_id}"
    for target in (f for f in findings if f.rule in TARGET_RULES):
        where = target.scenario or "test"
        missed = [target] if target.severity is Severity.CRITICAL else []
        _case(suite, f"{where}: {target.title.en}", classname, missed)
    others = [f for f in critical if f.rule not in TARGET_RULES and f.rule != WHOLE]
    names = {s.name for s in report.scenarios}
    for scenario in report.scenarios:
        _case(
            suite,
            f"scenario {scenario.name}",
            classname,
            [f for f in others if f.scenario == scenario.name],
        )
    for scenario in report.scenarios:
        for step in scenario.steps:
            _step_case(suite, scenario, step, classname)
    whole = [f for f in others if f.scenario is None or f.scenario not in names]
    _case(suite, "whole test", classname, whole)
    incomplete = next((f for f in critical if f.rule == WHOLE), None)
    if not report.complete or incomplete is not None:
        case = ET.SubElement(suite, "testcase", name="figures are whole", classname=classname)
        message = report.reason or (incomplete.title.en if incomplete else "incomplete figures")
        failure = ET.SubElement(case, "failure", message=message, type=WHOLE)
        failure.text = incomplete.detail.en if incomplete else None
    cases = suite.findall("testcase")
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(sum(1 for c in cases if c.find("failure") is not None)))
    suite.set("errors", "0")
    ET.indent(suite)
    # ElementTree escapes markup but passes characters XML 1.0 forbids (a name's \x1b) through.
    return printable(ET.tostring(suite, encoding="unicode", xml_declaration=True)) + "\n"
