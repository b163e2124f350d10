"""The JavaScript a journey's script adds: constant functions only, no user text (every user
value reaches them as a JSON literal argument, built once per VU at module scope)."""

from __future__ import annotations

from mv_contracts.data import DATA_EXHAUSTED

EXTRACTION_FAILURES = "mv_extraction_failures"

JOURNEY_HELPERS = """\
// Journeys: steps in order, values taken from answers into this iteration's variables.
import { check } from "k6";
import { Counter } from "k6/metrics";

// An extraction that finds nothing ends the iteration: counted here, tagged with its step.
const extractionFailures = new Counter("%(failures)s");

// A URL split at each variable's marker (percent-encoded as the URL holds it), once per VU.
function urlParts(url, markers) {
  const parts = [];
  let rest = url;
  for (;;) {
    let first = -1;
    let found = null;
    for (const marker of Object.keys(markers)) {
      const at = rest.indexOf(marker);
      if (at >= 0 && (first < 0 || at < first)) {
        first = at;
        found = marker;
      }
    }
    if (found === null) {
      break;
    }
    if (first > 0) {
      parts.push(rest.slice(0, first));
    }
    parts.push(markers[found]);
    rest = rest.slice(first + found.length);
  }
  if (rest) {
    parts.push(rest);
  }
  return parts;
}

// Generated values (mv_contracts.variables.GENERATORS): a fresh one at every use.
const ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const FIRST_NAMES = ["Ada", "Alan", "Grace", "Linus", "Margaret", "Dennis", "Barbara", "Ken"];
const LAST_NAMES = ["Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Ritchie", "Liskov"];
const counters = { sequence: 0, email: 0 };

function randomInt(min, max) {
  return min + Math.floor(Math.random() * (max - min + 1));
}

function randomString(length) {
  let text = "";
  for (let i = 0; i < length; i++) {
    text += ALPHABET[randomInt(0, ALPHABET.length - 1)];
  }
  return text;
}

function pick(list) {
  return list[randomInt(0, list.length - 1)];
}

const generators = {
  $uuid: () =>
    "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".replace(/[xy]/g, (c) => {
      const r = randomInt(0, 15);
      return (c === "x" ? r : (r & 3) | 8).toString(16);
    }),
  $int: randomInt,
  $string: randomString,
  $timestamp: () => Date.now(),
  $sequence: () => ++counters.sequence,
  $name: () => pick(FIRST_NAMES) + " " + pick(LAST_NAMES),
  $email: () => `mv-${__VU}-${++counters.email}-${randomString(6).toLowerCase()}@example.com`,
};

// part: [variable] or [generator, ...its arguments].
function valueOf(part, vars) {
  const generate = generators[part[0]];
  return generate === undefined ? vars[part[0]] : generate(...part.slice(1));
}

// parts: literal text and [variable]; a URL's variables are percent-encoded.
function fill(parts, vars, encode) {
  let text = "";
  for (const part of parts) {
    if (typeof part === "string") {
      text += part;
    } else {
      const value = valueOf(part, vars);
      text += encode ? encodeURIComponent(value) : String(value);
    }
  }
  return text;
}

// A body field that is one variable keeps the variable's type (a number stays a number).
function fillBody(body, templates, vars) {
  const copy = JSON.parse(body);
  for (const [path, parts] of templates) {
    let node = copy;
    for (const part of path.slice(0, -1)) {
      node = node[part];
    }
    const whole = parts.length === 1 && typeof parts[0] !== "string";
    node[path[path.length - 1]] = whole ? valueOf(parts[0], vars) : fill(parts, vars, false);
  }
  return JSON.stringify(copy);
}

function withHeaders(params, templates, vars) {
  const headers = Object.assign({}, params.headers);
  for (const name of Object.keys(templates)) {
    headers[name] = fill(templates[name], vars, false);
  }
  return Object.assign({}, params, { headers });
}

function jsonAt(r, path) {
  let node;
  try {
    node = r.json();
  } catch (e) {
    return undefined;
  }
  for (const part of path) {
    if (node === null || typeof node !== "object" || !(part in node)) {
      return undefined;
    }
    node = node[part];
  }
  return node;
}

function headerOf(r, lowerName) {
  for (const name of Object.keys(r.headers)) {
    if (name.toLowerCase() === lowerName) {
      return r.headers[name];
    }
  }
  return undefined;
}

function extracted(r, source, expression) {
  if (source === "header") {
    return headerOf(r, expression);
  }
  if (source === "regex") {
    const found = typeof r.body === "string" ? expression.exec(r.body) : null;
    return found === null ? undefined : found.length > 1 ? found[1] : found[0];
  }
  return jsonAt(r, expression);
}

function extractInto(r, extractions, vars, tags) {
  for (const [variable, source, expression] of extractions) {
    const value = extracted(r, source, expression);
    if (value === undefined || value === null) {
      extractionFailures.add(1, tags);
      return false;
    }
    vars[variable] = value;
  }
  return true;
}

function sameJson(a, b) {
  if (a === b) {
    return true;
  }
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
    return false;
  }
  if (Array.isArray(a) !== Array.isArray(b) || Object.keys(a).length !== Object.keys(b).length) {
    return false;
  }
  const has = (k) => Object.prototype.hasOwnProperty.call(b, k);
  return Object.keys(a).every((k) => has(k) && sameJson(a[k], b[k]));
}

const checks = {
  status_in: (statuses) => (r) => statuses.includes(r.status),
  json_equals: (path, value) => (r) => sameJson(jsonAt(r, path), value),
  json_exists: (path) => (r) => jsonAt(r, path) !== undefined,
  body_contains: (text) => (r) => typeof r.body === "string" && r.body.includes(text),
  header_present: (name) => (r) => headerOf(r, name) !== undefined,
  duration_under: (ms) => (r) => r.timings.duration < ms,
};
""".replace("%(failures)s", EXTRACTION_FAILURES)

SIGN_IN_HELPERS = """\
// A login's token, per VU: taken before the first iteration and again once it is as old as
// the scenario's refresh_seconds; a login whose answer holds none ends the iteration.
function signedIn(state, login) {
  const fresh = login.refreshMs === null || Date.now() - state.at < login.refreshMs;
  if (state.token !== null && fresh) {
    return true;
  }
  const r = login.send();
  const vars = {};
  if (!extractInto(r, [login.token], vars, login.tags)) {
    state.token = null;
    return false;
  }
  state.token = vars[login.token[0]];
  state.vars = vars;
  state.at = Date.now();
  state.params = login.params.map((each) => withHeaders(each, login.header, vars));
  return true;
}
"""

OAUTH_HELPERS = """\
// OAuth2 client credentials, per VU: a token taken before the first iteration and again
// shortly before the expires_in of its answer (a tenth of its life, at most 10 s, early).
function oauthSignedIn(state, oauth) {
  if (state.token !== null && Date.now() < state.until) {
    return true;
  }
  const r = http.post(oauth.url, oauth.body, oauth.params);
  const token = jsonAt(r, ["access_token"]);
  if (typeof token !== "string") {
    extractionFailures.add(1, oauth.tags);
    state.token = null;
    return false;
  }
  const life = jsonAt(r, ["expires_in"]);
  const seconds = typeof life === "number" ? life : 3600;
  state.token = token;
  state.until = Date.now() + (seconds - Math.min(10, seconds / 10)) * 1000;
  state.vars = { token };
  const header = { Authorization: ["Bearer ", ["token"]] };
  state.params = oauth.steps.map((each) => withHeaders(each, header, state.vars));
  return true;
}
"""

DATA_HELPERS = """\
// Test data: a file's rows, read once per runner into memory every VU shares (never inlined).
import { SharedArray } from "k6/data";

// Iterations that found every row taken (unique mode): counted, nothing sent.
const dataExhausted = new Counter("%(exhausted)s");

function dataFile(name) {
  return new SharedArray(name, () => JSON.parse(open("./" + name)).rows);
}

// The variables of this iteration's row, or null when unique rows ran out. A VU that would
// loop at once (rest: constant-vus, ramping-vus) rests a second first, not to spin.
function dataRow(data) {
  const rows = data.rows;
  let index;
  if (data.mode === "per_vu") {
    index = (exec.vu.idInTest - 1) % rows.length;
  } else if (data.mode === "per_iteration") {
    index = exec.scenario.iterationInTest % rows.length;
  } else if (data.mode === "random") {
    index = randomInt(0, rows.length - 1);
  } else {
    // unique: k6 numbers the test's iterations once over every runner of a split test.
    index = exec.scenario.iterationInTest;
    if (index >= rows.length) {
      dataExhausted.add(1);
      if (data.rest) {
        sleep(1);
      }
      return null;
    }
  }
  const row = rows[index];
  const vars = {};
  for (let i = 0; i < data.columns.length; i++) {
    vars[data.columns[i]] = row[i];
  }
  return vars;
}
""".replace("%(exhausted)s", DATA_EXHAUSTED)
