"""A run message as people read it: a Slack message (its incoming webhooks take ``text`` and
Block Kit ``blocks``) and an e-mail's subject and text, from the JSON of :mod:`.events`."""

from __future__ import annotations

from typing import Any

HEADLINES = {
    "finished": "finished",
    "verdict_failed": "failed its verdict",
    "regression": "regressed against the baseline",
    "figures_incomplete": "finished with incomplete figures",
    "failed_to_start": "failed to start",
    "test_message": "test message",
}
LABELS = {
    "p95_response_time": ("p95", "ms"),
    "p99_response_time": ("p99", "ms"),
    "avg_error_rate": ("error rate", "%"),
    "avg_tps": ("TPS", ""),
}


def _value(value: Any, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "%":
        return f"{value * 100:.2f} %"
    return f"{value:,.1f}{' ' + unit if unit else ''}"


def headline(message: dict[str, Any]) -> str:
    project = (message.get("project") or {}).get("title", "")
    test = message.get("test") or {}
    what = HEADLINES.get(message["event"], message["event"])
    if not test:
        return f"Metric Vault {what}: {project}"
    return f"{test.get('title')} ({project}) {what}"


def figure_lines(message: dict[str, Any]) -> list[str]:
    """Each key figure, with the baseline's beside it when the run was compared."""
    compared = ((message.get("baseline") or {}).get("figures")) or {}
    lines = []
    for name, (label, unit) in LABELS.items():
        now = (message.get("figures") or {}).get(name)
        if now is None and name not in compared:
            continue
        line = f"{label}: {_value(now, unit)}"
        against = compared.get(name)
        if against is not None:
            change = against.get("change")
            moved = "" if change is None else f", {change * 100:+.1f} %"
            line += f" (baseline {_value(against.get('baseline'), unit)}{moved}"
            line += f", {against.get('judgement')})"
        lines.append(line)
    return lines


def plain_text(message: dict[str, Any]) -> str:
    lines = [headline(message)]
    verdict = message.get("verdict")
    if verdict:
        lines.append(f"Verdict: {verdict['outcome']} ({verdict['reason']})")
    lines += figure_lines(message)
    for finding in message.get("findings") or []:
        lines.append(f"[{finding['severity']}] {finding['title']}")
    if message.get("note"):
        lines.append(message["note"])
    lines.append(message["link"])
    return "\n".join(lines)


def slack(message: dict[str, Any]) -> dict[str, Any]:
    verdict = message.get("verdict")
    mark = {"passed": ":white_check_mark:", "failed": ":x:"}.get(
        str((verdict or {}).get("outcome")), ""
    )
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": headline(message)[:150]}},
    ]
    if verdict:
        text = f"{mark} *Verdict: {verdict['outcome']}* — {verdict['reason']}"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}})
    if figures := figure_lines(message):
        text = "\n".join(f"• {line}" for line in figures)
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
    if findings := message.get("findings"):
        text = "\n".join(f"• _{f['severity']}_ {f['title']}" for f in findings)
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}})
    if message.get("note"):
        blocks.append({"type": "section", "text": {"type": "plain_text", "text": message["note"]}})
    link = f"<{message['link']}|Open the result in Metric Vault>"
    blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": link}})
    return {"text": plain_text(message)[:3000], "blocks": blocks}
