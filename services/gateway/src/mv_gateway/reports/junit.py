"""JUnit XML for CI: a testcase per scenario and per target, failed when missed."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from mv_gateway.analysis import Finding, Severity
from mv_gateway.core.text import printable

from .model import ReportInput

TARGET_RULES = ("target.response_time", "target.error_rate", "target.tps")


def _case(suite: ET.Element, name: str, classname: str, failures: list[Finding]) -> None:
    case = ET.SubElement(suite, "testcase", name=name, classname=classname)
    for finding in failures:
        failure = ET.SubElement(case, "failure", message=finding.title.en, type=finding.rule)
        failure.text = finding.detail.en


def render_junit(report: ReportInput) -> str:
    findings = report.analysis.findings
    suite = ET.Element("testsuite", name=report.title, id=report.test_id)
    classname = f"metric-vault.{report.test_id}"
    for target in (f for f in findings if f.rule in TARGET_RULES):
        where = target.scenario or "test"
        missed = [target] if target.severity is not Severity.INFO else []
        _case(suite, f"{where}: {target.title.en}", classname, missed)
    for scenario in report.scenarios:
        critical = [
            f
            for f in findings
            if f.scenario == scenario.name
            and f.severity is Severity.CRITICAL
            and f.rule not in TARGET_RULES
        ]
        _case(suite, f"scenario {scenario.name}", classname, critical)
    whole = [
        f
        for f in findings
        if f.scenario is None and f.severity is Severity.CRITICAL and f.rule not in TARGET_RULES
    ]
    _case(suite, "whole test", classname, whole)
    if not report.complete:
        case = ET.SubElement(suite, "testcase", name="figures are whole", classname=classname)
        ET.SubElement(case, "failure", message=report.reason or "incomplete figures")
    cases = suite.findall("testcase")
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(sum(1 for c in cases if c.find("failure") is not None)))
    suite.set("errors", "0")
    ET.indent(suite)
    # ElementTree escapes markup but passes characters XML 1.0 forbids (a name's \x1b) through.
    return printable(ET.tostring(suite, encoding="unicode", xml_declaration=True)) + "\n"
