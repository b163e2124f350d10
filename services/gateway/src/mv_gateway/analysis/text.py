"""Formatting numbers inside finding texts, the same way in both languages."""

from __future__ import annotations


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f} ms"


def pct(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value * 100:.{digits}f} %"


def num(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def change(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:+.1f} %"


def where(scenario: str | None) -> tuple[str, str]:
    """'in scenario X' / '시나리오 X에서', or the whole test."""
    if scenario is None:
        return "across the test", "테스트 전체에서"
    return f"in scenario {scenario!r}", f"시나리오 '{scenario}'에서"
