"""A Postman collection as a preview of a test: folders → journeys (a collection without
folders is one; nested folders flattened, named by their path), requests → steps on the
project's endpoints, variables read (:mod:`.values`), auth → sign-in (:mod:`.signin`), test
scripts read when trivially simple (:mod:`.scripts`). Nothing runs and nothing is stored.

Every secret value is masked in the preview as in any answer of the platform (the gateway's
own walk over a test's secret fields), and each is named with the places it fills, so the
browser, which holds the files, puts the values back without them crossing the wire again.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from mv_contracts.calls import EndpointCall
from mv_contracts.journeys import MAX_STEPS, Step, UndefinedVariable, check_variables
from mv_contracts.secrecy import SECRET_MASK
from mv_gateway.runs import LoadTestCreate, walk

from .collection import Collection, ImportRefused, Loc, Request, collection, document, environment
from .requests import METHODS, Call, Known, call_of, match
from .schemas import (
    NotCarried,
    PostmanPreview,
    ScriptRead,
    SecretInput,
    SecretPlace,
    VariableRead,
)
from .scripts import Read, read_test
from .signin import Logins, sign_in
from .values import POSTMAN_REFERENCE, variables

# One collection run sends each request once: so does the imported test until the builder
# gives it a load.
DEFAULT_LOAD = {"executor": "per-vu-iterations", "vus": 1, "iterations": 1}


@dataclass
class _Build:
    not_carried: list[NotCarried] = field(default_factory=list)
    templates: dict[Loc, tuple[str, list[str]]] = field(default_factory=dict)
    labels: dict[Loc, str] = field(default_factory=dict)  # where a field is, in words

    def note(self, where: str, what: str, reason: str) -> None:
        self.not_carried.append(NotCarried(where=where, what=what, reason=reason))


def _unique(name: str, taken: set[str]) -> str:
    name = name.strip()[:240] or "request"
    found, n = name, 2
    while found in taken:
        found, n = f"{name} ({n})", n + 1
    taken.add(found)
    return found


def _scripts(col: Collection) -> tuple[list[ScriptRead], dict[int, Read]]:
    listed = [
        ScriptRead(
            where=s.where,
            kind="test" if s.kind == "test" else "prerequest",
            lines=sum(1 for line in s.lines if line.strip()),
            carried_over=False,
        )
        for s in col.scripts
    ]
    reads: dict[int, Read] = {}
    for index, request in enumerate(col.requests):
        for script in request.scripts:
            read = read_test(script.lines) if script.kind == "test" else Read(carried=False)
            if read.carried:
                earlier = reads.setdefault(index, Read(carried=True))
                earlier.statuses += read.statuses
                earlier.extract += read.extract
                earlier.sets += read.sets
            listed.append(
                ScriptRead(
                    where=script.where,
                    kind="test" if script.kind == "test" else "prerequest",
                    lines=sum(1 for x in script.lines if x.strip()),
                    carried_over=read.carried,
                    became=read.became(),
                )
            )
    return listed, reads


def _journeys(requests: list[Request]) -> dict[tuple[str, ...], list[int]]:
    found: dict[tuple[str, ...], list[int]] = {}
    for index, request in enumerate(requests):
        found.setdefault(request.folder, []).append(index)
    return found


def _step(request: Request, call: Call, read: Read | None, name: str) -> dict[str, Any]:
    assert call.endpoint is not None
    step = {"name": name, "endpoint_id": call.endpoint.id, **call.fields()}
    if read is not None:
        step["extract"] = [e.model_dump(mode="json") for e in read.extract]
        step["checks"] = [c.model_dump(mode="json") for c in read.checks()]
    return step


def _contract_step(step: dict[str, Any], call: Call) -> Step:
    fields = {
        k: v for k, v in step.items() if k not in ("endpoint_id", "name", "extract", "checks")
    }
    endpoint = EndpointCall(
        method=call.method, path=call.endpoint.path if call.endpoint else "/", **fields
    )
    return Step(
        name=step["name"],
        endpoint=endpoint,
        extract=step.get("extract", []),
        checks=step.get("checks", []),
    )


def _label(build: _Build, loc: Loc) -> tuple[str, str]:
    """The words for a field of the test: (journey / step or sign-in, the field)."""
    for cut in (4, 3):
        if tuple(loc[:cut]) in build.labels:
            return build.labels[tuple(loc[:cut])], ".".join(str(p) for p in loc[cut:])
    return "test", ".".join(str(p) for p in loc)


def _masked(test: dict[str, Any], build: _Build) -> tuple[dict[str, Any], list[SecretInput]]:
    inputs: dict[str, SecretInput] = {}

    def mask(_key: Any, loc: Loc, _value: Any) -> str:
        template = build.templates.pop(tuple(loc), None)
        variable = template is not None
        if template is None:  # a literal secret: named by its field
            name = ": ".join(_label(build, loc))
            template = ("{{" + name + "}}", [name])
        text, names = template
        entry = inputs.setdefault(
            names[0], SecretInput(name=names[0], variable=variable, places=[])
        )
        entry.places.append(SecretPlace(at=list(loc), template=text))
        return SECRET_MASK

    masked = walk(test, mask)
    for scenario in masked["scenarios"]:  # a journey's requests are its steps': none of its own
        for name in ("path_params", "query", "headers", "body", "secrets"):
            scenario.pop(name, None)
    for loc, (text, _) in build.templates.items():  # a field that takes a variable too
        node: Any = masked
        for part in loc[:-1]:
            node = node[part]
        node[loc[-1]] = POSTMAN_REFERENCE.sub("", text)
        build.note(
            _label(build, loc)[0],
            "variable",
            "a secret in a value that also takes a variable is left out: type it",
        )
    return masked, list(inputs.values())


def _place(build: _Build, at: Loc, templates: dict[Loc, tuple[str, list[str]]]) -> None:
    for loc, template in templates.items():
        build.templates[(*at, *loc)] = template


def convert(
    collection_text: str, environment_text: str | None, endpoints: list[Known], prefixes: list[str]
) -> PostmanPreview:
    """The preview of a collection (and an environment) on the project's ``endpoints``;
    ``prefixes``: the paths of its specs' base URLs. :class:`ImportRefused` when unreadable."""
    col = collection(document(collection_text, "collection"))
    env = environment(document(environment_text, "environment")) if environment_text else []
    scripts, reads = _scripts(col)
    extracted = {name for read in reads.values() for name in read.sets}
    values, listed = variables(col.variables, env, extracted)
    calls = [call_of(r.request, values) for r in col.requests]
    for call in calls:
        match(call, endpoints, prefixes)
    origins = Counter(c.origin for c in calls if c.endpoint is not None) or Counter(
        c.origin for c in calls
    )
    origin = origins.most_common(1)[0][0] if origins else ""
    prefix = Counter(c.prefix for c in calls if c.endpoint and c.origin == origin).most_common(1)
    logins: Logins = {}
    for index, read in reads.items():
        for extraction, name in zip(read.extract, read.sets, strict=True):
            if calls[index].endpoint is not None and calls[index].origin == origin:
                logins.setdefault(name, (calls[index], extraction))

    build = _Build()
    scenarios: list[dict[str, Any]] = []
    journeys = _journeys(col.requests)
    signs = {}
    for folder, indexes in journeys.items():
        auth = col.folder_auth.get(folder)
        if auth is None:
            auth = next((col.requests[i].auth for i in indexes if col.requests[i].own_auth), None)
        signs[folder] = (auth, sign_in(auth, values, logins))
    login_calls = {id(s.login) for _, s in signs.values() if s.login is not None}
    names: set[str] = set()
    signed_noted: set[int] = set()
    steps_count = 0
    for folder, indexes in journeys.items():
        where = " / ".join(folder) or col.name
        auth, signed = signs[folder]
        at: Loc = ("scenarios", len(scenarios))
        steps: list[dict[str, Any]] = []
        taken: set[str] = set()
        contract: list[Step] = []
        for index in indexes:
            request, call = col.requests[index], calls[index]
            label = " / ".join((*request.folder, request.name))
            for what, reason in call.notes:
                build.note(label, what, reason)
            if id(call) in login_calls:
                continue
            if call.origin != origin and call.path:
                build.note(label, "host", f"{call.origin or 'no host'} is not the base URL's host")
                continue
            if call.endpoint is None:
                if call.method in METHODS:
                    build.note(
                        label,
                        "request",
                        f"no endpoint of the project answers "
                        f"{call.method} {call.path[:200]}: analyse its OpenAPI document",
                    )
                continue
            if request.own_auth and request.auth != auth:
                build.note(
                    label,
                    "auth",
                    f"its own auth is not carried over: the journey signs in as {where} does",
                )
            if len(steps) == MAX_STEPS:
                build.note(label, "request", f"a journey has at most {MAX_STEPS} steps")
                continue
            step = _step(request, call, reads.get(index), _unique(request.name, taken))
            try:
                contract.append(_contract_step(step, call))
            except ValidationError as error:
                build.note(label, "request", _first(error))
                continue
            build.labels[(*at, "steps", len(steps))] = label
            _place(build, (*at, "steps", len(steps)), call.templates)
            steps.append(step)
        if not steps:
            continue
        for note in signed.notes:
            build.note(where, "auth", note)
        if signed.value is not None and (why := _unusable(signed.value)):
            build.note(where, "auth", f"the sign-in is left out: {why}")
            signed.value, signed.login = None, None
        if signed.login is not None and id(signed.login) not in signed_noted:
            signed_noted.add(id(signed.login))
            position = next(i for i, c in enumerate(calls) if c is signed.login)
            login = col.requests[position]
            if (login_read := reads.get(position)) and login_read.statuses:
                build.note(
                    " / ".join((*login.folder, login.name)),
                    "checks",
                    "a sign-in has no checks: its status check is not carried over",
                )
        defined = set()
        if signed.value is not None:
            build.labels[(*at, "sign_in")] = f"{where} sign-in"
            _place(
                build,
                (*at, "sign_in"),
                signed.login.templates if signed.login else signed.templates,
            )
            if signed.value["kind"] == "login":
                defined = {signed.value["token"]["variable"]}
            elif signed.value["kind"] == "oauth2_client_credentials":
                defined = {"token"}
        try:
            check_variables(contract, defined)
        except UndefinedVariable as undefined:
            build.note(where, "variable", str(undefined))
        steps_count += len(steps)
        scenarios.append(
            {
                "name": _unique(where, names),
                **DEFAULT_LOAD,
                "steps": steps,
                **({"sign_in": signed.value} if signed.value else {}),
            }
        )
    base_url = origin + ("/" + prefix[0][0] if prefix and prefix[0][0] else "") if origin else None
    test, secrets = _masked(
        {"title": col.name, "base_url": base_url, "scenarios": scenarios}, build
    )
    try:
        loaded = LoadTestCreate.model_validate(test) if scenarios else None
    except ValidationError as error:
        raise ImportRefused(("collection",), _first(error)) from None
    shown = [
        VariableRead(
            name=v.name, value=None if v.secret else v.value, secret=v.secret, source=v.source
        )
        for v in listed
    ]
    shown += [
        VariableRead(name=n, value=None, secret=False, source="script") for n in sorted(extracted)
    ]
    return PostmanPreview(
        collection=col.name,
        base_url=base_url,
        test=loaded,
        requests=len(col.requests),
        steps=steps_count,
        variables=shown,
        secrets=secrets,
        scripts=scripts,
        not_carried=build.not_carried,
    )


def _unusable(sign_in: dict[str, Any]) -> str | None:
    """Why the sign-in is not one the API takes (its secrets masked, as the preview shows it),
    or None: an auth with a field left empty is said, never a refusal of the whole import."""
    scenario = {
        "name": "s",
        **DEFAULT_LOAD,
        "steps": [{"name": "s", "endpoint_id": 1}],
        "sign_in": sign_in,
    }
    test = walk({"title": "t", "scenarios": [scenario]}, lambda _k, _l, _v: SECRET_MASK)
    try:
        LoadTestCreate.model_validate(test)
    except ValidationError as error:
        return _first(error).removeprefix("scenarios.0.")
    return None


def _first(error: ValidationError) -> str:
    first = error.errors()[0]
    return ".".join(str(p) for p in first["loc"]) + ": " + first["msg"]
