"""HAR → the preview of one journey: a pure function of the recording, the project's endpoints
and the user's choices (which host is the API, what to keep). No I/O."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from pydantic import ValidationError

from mv_contracts.journeys import MAX_STEPS, StatusCheck, Step
from mv_contracts.secrecy import SECRET_MASK, body_secrets, dotted, looks_secret, with_value
from mv_contracts.variables import uses_variables
from mv_gateway.core.errors import FieldError

from .correlating import MIN_CHARS, correlate, extractions
from .drafting import Draft, EndpointOption, draft, match
from .filtering import KEEPABLE, Reason, hosts, main_host, reason_of
from .reading import Entry
from .schemas import (
    Correlation,
    HarPreview,
    ImportedStep,
    PreviewStep,
    SecretToFill,
    SkippedRequest,
)

MAX_THINK_SECONDS = 30.0
"""A longer pause in the recording (the person read the page, went for coffee) is cut to this."""


def _url(entry: Entry) -> str:
    return f"{entry.url.scheme}://{entry.host}{entry.url.path}"[:2000]


def _skip(entry: Entry, reason: Reason, detail: str) -> SkippedRequest:
    return SkippedRequest(
        entry=entry.index,
        method=entry.method[:20],
        url=_url(entry),
        host=entry.host,
        reason=reason,
        detail=detail,
        keepable=reason in KEEPABLE,
    )


def preview(
    entries: Sequence[Entry],
    endpoints: Sequence[EndpointOption],
    *,
    host: str | None = None,
    keep_hosts: Collection[str] = (),
    keep: Collection[int] = (),
) -> HarPreview:
    """The journey the recording shows: its main host's calls to the project's endpoints."""
    counts = hosts(entries)
    main = host.lower() if host else main_host(entries)
    if host and main not in counts:
        raise FieldError("host", message=f"no request of the recording went to {host!r}")
    skipped: list[SkippedRequest] = []
    drafts: list[Draft] = []
    jar: set[str] = set()
    for entry in entries:
        why = reason_of(entry, main or "", {h.lower() for h in keep_hosts}, set(keep))
        found = match(entry.method, entry.url.path, endpoints) if why is None else None
        if why is None and found is None:
            why = (
                Reason.NO_ENDPOINT,
                (
                    "no endpoint of the project's specs has this method and path: analyse the "
                    "API's document first"
                ),
            )
        if why is not None:
            skipped.append(_skip(entry, *why))
            continue
        assert found is not None
        step = draft(entry, found[0], found[1], jar)
        if entry.body_text and entry.body_text.strip() and step.body is None:
            skipped.append(_skip(entry, Reason.BODY_NOT_JSON, "its body is not a JSON object"))
            continue
        problem = _invalid(step)
        if problem is not None:  # before correlation: no later step may need its answer
            skipped.append(_skip(entry, Reason.INVALID, problem))
            continue
        jar.update(step.cookies_set)
        drafts.append(step)
    _name_steps(drafts)
    sources = correlate(drafts)
    steps: list[PreviewStep] = []
    secrets: list[SecretToFill] = []
    for index, item in enumerate(drafts):
        mark = len(secrets)
        built = _step(item, index, drafts, sources, secrets)
        if isinstance(built, SkippedRequest):
            skipped.append(built)
        elif len(steps) >= MAX_STEPS:
            beyond = f"a journey holds at most {MAX_STEPS} steps"
            skipped.append(_skip(item.entry, Reason.TOO_MANY, beyond))
            del secrets[mark:]
        else:
            steps.append(built)
    skipped.sort(key=lambda s: s.entry)
    return HarPreview(
        main_host=main,
        base_url=_base_url(drafts, main),
        entries=len(entries),
        hosts=counts,
        steps=steps,
        skipped=skipped,
        correlations=[
            Correlation(
                variable=f.variable,
                step=drafts[f.step].name,
                source=f.source,
                expression=f.expression,
                used_in=f.used_in,
            )
            for f in sources
        ],
        secrets_to_fill=secrets,
        notes=_notes(drafts),
    )


def _name_steps(drafts: list[Draft]) -> None:
    names: set[str] = set()
    for item in drafts:
        base = f"{item.entry.method} {item.endpoint.path}"[:240]
        name, n = base, 1
        while name in names:
            n += 1
            name = f"{base} ({n})"
        names.add(name)
        item.name = name


def _think(drafts: list[Draft], index: int) -> float:
    if index + 1 >= len(drafts):
        return 0.0
    entry, following = drafts[index].entry, drafts[index + 1].entry
    gap = following.started - (entry.started + entry.seconds)
    return round(min(max(gap, 0.0), MAX_THINK_SECONDS), 2)


def _masked(item: Draft, secrets: list[SecretToFill]) -> tuple[dict[str, str], dict[str, str], Any]:
    """Headers, query and body with each secret value (named like one, not a variable) masked."""
    headers, query, body = dict(item.headers), dict(item.query), item.body
    for where, values in (("headers", headers), ("query", query)):
        for name, value in values.items():
            if looks_secret(name) and not uses_variables(value):
                values[name] = SECRET_MASK
                secrets.append(SecretToFill(step=item.name, field=f"{where}.{name}"))
    for path in body_secrets(body, ()):
        body = with_value(body, path, SECRET_MASK)
        secrets.append(SecretToFill(step=item.name, field=f"body.{dotted(path)}"))
    return headers, query, body


def _step(
    item: Draft,
    index: int,
    drafts: list[Draft],
    sources: list[Any],
    secrets: list[SecretToFill],
) -> PreviewStep | SkippedRequest:
    entry = item.entry
    found: list[SecretToFill] = []
    headers, query, body = _masked(item, found)
    checks = [StatusCheck(statuses=[entry.status])] if 200 <= entry.status < 300 else []
    fields: dict[str, Any] = {
        "name": item.name,
        "endpoint_id": item.endpoint.id,
        "path_params": item.path_params,
        "query": query,
        "headers": headers,
        "body": body,
        "think_time": _think(drafts, index),
        "extract": extractions(sources, index),
        "checks": checks,
    }
    try:
        imported = ImportedStep.model_validate(fields)
    except ValidationError as error:  # checked before (_invalid): a last guard, never a 500
        return _skip(entry, Reason.INVALID, _first(error))
    secrets += found
    return PreviewStep(
        entry=entry.index, method=entry.method, url=_url(entry), status=entry.status, step=imported
    )


def _first(error: ValidationError) -> str:
    first = error.errors(include_url=False)[0]
    return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"[:500]


def _invalid(item: Draft) -> str | None:
    """Why the contract refuses the request as recorded (a header with a line break, a NUL,
    a header name with a space...), or None."""
    call = {
        "method": item.entry.method,
        "path": item.endpoint.path,
        "path_params": item.path_params,
        "query": item.query,
        "headers": item.headers,
        "body": item.body,
    }
    try:
        Step.model_validate({"name": "step", "endpoint": call})
    except ValidationError as error:
        return _first(error)
    return None


def _sent_outside_cookies(item: Draft) -> list[tuple[str, str]]:
    """(field, value) of what the request sends outside its Cookie header."""
    found = [(f"query.{n}", v) for n, v in item.query.items()]
    found += [(f"headers.{n}", v) for n, v in item.headers.items() if n.lower() != "cookie"]
    found += [(f"path_params.{n}", v) for n, v in item.path_params.items()]
    if isinstance(item.body, dict):
        found += [(f"body.{n}", v) for n, v in item.body.items() if isinstance(v, str)]
    return found


def _base_url(drafts: list[Draft], main: str | None) -> str | None:
    if not main:
        return None
    scheme = drafts[0].entry.url.scheme if drafts else "https"
    prefix = drafts[0].endpoint.prefix if drafts else ""
    return f"{scheme}://{main}{prefix}"


def _notes(drafts: list[Draft]) -> list[str]:
    notes: list[str] = []
    set_by: dict[str, tuple[str, str]] = {}  # a cookie's value → (its name, the step)
    for item in drafts:
        for where, value in _sent_outside_cookies(item):
            if value in set_by:
                cookie, step = set_by[value]
                notes.append(
                    f"{item.name}: {where} sends the value of cookie {cookie} (set by {step}); "
                    "a step cannot extract a cookie's value, so the recorded one is sent: "
                    "replace it if the server checks it"
                )
        for cookie, value in item.cookies_set.items():
            if len(value) >= MIN_CHARS:
                set_by.setdefault(value, (cookie, item.name))
        if item.dropped_cookies:
            names = ", ".join(sorted(set(item.dropped_cookies)))[:300]
            notes.append(
                f"{item.name}: cookie {names} left out of its Cookie header: an earlier answer "
                "set it, and k6 keeps a cookie jar per VU that sends it"
            )
    return notes
