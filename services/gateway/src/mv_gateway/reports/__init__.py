"""Reports of a finished test: one self-contained HTML file and JUnit XML for CI."""

from .html import render_html
from .junit import render_junit
from .model import ReportInput, ReportScenario

__all__ = ["ReportInput", "ReportScenario", "render_html", "render_junit"]
