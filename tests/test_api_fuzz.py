"""Hostile input thrown at the API with hypothesis: never a 500, always a JSON error, nothing written.

Random JSON values of every type in place of the body or of ``msgstr`` / ``base_version`` /
``comment``; huge strings; unicode, control characters and lone surrogates; raw bytes; deep
nesting; path segments with traversal, encoded slashes and NUL; malformed ``Authorization``
headers. A rejected request (any 4xx) leaves every file and the history exactly as they were; an
accepted save leaves a catalog that still parses and passes ``msgfmt -c``.
"""
from __future__ import annotations

import hashlib
import json
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.catalog.po import read_catalog
from app.extensions import db
from app.models import EntryHistory, Publication, ReviewEvent
from tests.test_api import SEED, bearer, fresh_garden, list_entries, make_accounts
from tests.live_site import msgfmt_check

LANG = "en"
FUZZ = settings(max_examples=100, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])

#: Any JSON value: scalars of every type, nested lists and objects.
json_scalars = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
                | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=40))
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=12)
#: Text a hostile translator might send: any code point (control characters and lone surrogates included).
hostile_text = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=200)
#: Path segments a hostile client might send, already percent-encoded where needed.
hostile_segments = st.one_of(
    st.sampled_from(["..", "%2e%2e", "..%2F..%2Fetc%2Fpasswd", "%2F", "%00", "a%00b", "%2e%2e%2f%2e%2e",
                     "..\\..\\windows", "%C0%AE%C0%AE", "%FF%FE", "chief-of-staff%2F..", "CHIEF-OF-STAFF",
                     "chief-of-staff.po", "..%5c..%5c", "%252e%252e", "~", "*", "%20", "con", "a" * 300]),
    st.text(min_size=1, max_size=30).map(lambda s: quote(s, safe="")),
)


@pytest.fixture
def api(app):
    """The app with fresh catalogs, the seed note's entries and the accounts' tokens."""
    fresh_garden(app)
    tokens = make_accounts(app)
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    entries = list_entries(client, tokens["translator"], SEED)
    return app, client, tokens, entries


def snapshot(app) -> tuple:
    """Every file under content/ and translations/ (by hash) and the counts of the history tables."""
    garden = app.extensions["garden"]
    files = {}
    for folder in (garden.content_dir, garden.translations_dir):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.endswith(".lock"):
                files[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    with app.app_context():
        counts = tuple(db.session.query(model).count() for model in (EntryHistory, ReviewEvent, Publication))
    return files, counts


def assert_refused(response, allowed=(400, 401, 403, 404, 405, 409, 413)) -> None:
    """A clean refusal: a 4xx from ``allowed`` with a JSON ``{"error": "..."}`` body."""
    body = response.get_data(as_text=True)
    assert response.status_code in allowed, f"{response.status_code}: {body[:300]}"
    assert response.is_json, f"not JSON: {body[:300]}"
    assert isinstance(response.json.get("error"), str) and response.json["error"], body[:300]


def put(client, token, ident, body, **kwargs):
    return client.put(f"/api/v1/notes/{SEED}/{LANG}/entries/{ident}", headers={**bearer(token), **kwargs.pop("headers", {})},
                      **{"json": body} if not isinstance(body, bytes) else {"data": body}, **kwargs)


# --- bodies ----------------------------------------------------------------------------------------

@FUZZ
@given(body=json_values)
def test_any_json_body_on_save_is_refused_cleanly(api, body):
    app, client, tokens, entries = api
    before = snapshot(app)
    assert_refused(put(client, tokens["translator"], entries[1]["id"], body), (400, 409))
    assert snapshot(app) == before


@FUZZ
@given(msgstr=json_values, base=json_values, extra=st.dictionaries(st.text(max_size=8), json_values, max_size=3))
def test_wrong_types_for_msgstr_and_base_version_are_refused(api, msgstr, base, extra):
    app, client, tokens, entries = api
    assume(not (isinstance(msgstr, str) and base == entries[1]["version"]))
    before = snapshot(app)
    body = {**extra, "msgstr": msgstr, "base_version": base}
    response = put(client, tokens["translator"], entries[1]["id"], body)
    assert_refused(response, (400, 409))
    if not isinstance(msgstr, str) or not isinstance(base, str):
        assert response.status_code == 400
    assert snapshot(app) == before


@FUZZ
@given(data=st.binary(max_size=300), content_type=st.sampled_from(["application/json", "text/plain",
                                                                    "application/x-www-form-urlencoded", ""]))
def test_raw_bytes_are_refused(api, data, content_type):
    app, client, tokens, entries = api
    before = snapshot(app)
    response = put(client, tokens["translator"], entries[1]["id"], data, headers={"Content-Type": content_type})
    assert_refused(response, (400, 409))
    assert snapshot(app) == before


@pytest.mark.parametrize("body", [
    b"[" * 100_000 + b"]" * 100_000,
    b'{"msgstr": ' + b"[" * 50_000 + b"]" * 50_000 + b', "base_version": "x"}',
    b'{"msgstr": "a\\ud800b", "base_version": "VERSION"}',
    b'{"msgstr": "\\udfff", "base_version": "VERSION"}',
    b'{"msgstr": "a\xed\xa0\x80b", "base_version": "VERSION"}',  # a surrogate encoded in (invalid) UTF-8
    b'{"msgstr": 1e999999, "base_version": "VERSION"}',
    b'{"msgstr": NaN, "base_version": "VERSION"}',
    b'{"msgstr": "x", "msgstr": {"a": 1}, "base_version": "VERSION"}',
    b'\xef\xbb\xbf{"msgstr": "x", "base_version": 0}',
])
def test_pathological_json_is_refused(api, body):
    app, client, tokens, entries = api
    before = snapshot(app)
    body = body.replace(b"VERSION", entries[1]["version"].encode())
    response = put(client, tokens["translator"], entries[1]["id"], body, headers={"Content-Type": "application/json"})
    assert_refused(response, (400,))
    assert snapshot(app) == before


@FUZZ
@given(msgstr=hostile_text)
def test_hostile_text_is_saved_safely_or_refused(api, msgstr):
    """Any string as msgstr: 200 with a catalog that parses, passes msgfmt -c and holds it; or 400, nothing written."""
    app, client, tokens, _entries = api
    normalised = msgstr.replace("\r\n", "\n").replace("\r", "\n")
    assume(normalised == normalised.strip("\n"))  # edge newlines: test_edge_newlines_keep_the_catalog_valid
    current = list_entries(client, tokens["translator"], SEED)[1]
    before = snapshot(app)
    response = put(client, tokens["translator"], current["id"], {"msgstr": msgstr, "base_version": current["version"]})
    if response.status_code == 200:
        saved = response.json["entry"]["msgstr"]
        assert saved == normalised
        path = app.extensions["garden"].catalog_path(LANG, SEED)
        po = read_catalog(path)
        assert next(e for e in po if e.msgid == current["msgid"]).msgstr == saved
        assert msgfmt_check(path) == ""
    else:
        assert_refused(response, (400,))
        assert snapshot(app) == before


@FUZZ
@given(msgstr=st.text(alphabet=st.characters(exclude_categories=("Cs", "Cc")) | st.sampled_from("\n\t\u2028\u2029\\\"%"),
                      min_size=1, max_size=200).map(lambda s: s.strip("\n")).filter(bool))
def test_printable_unicode_is_saved_intact(api, msgstr):
    """Text without control characters (line separators, quotes, backslashes, any script) is accepted as it is."""
    app, client, tokens, _entries = api
    current = list_entries(client, tokens["translator"], SEED)[1]
    response = put(client, tokens["translator"], current["id"], {"msgstr": msgstr, "base_version": current["version"]})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.json["entry"]["msgstr"] == msgstr
    path = app.extensions["garden"].catalog_path(LANG, SEED)
    assert next(e for e in read_catalog(path) if e.msgid == current["msgid"]).msgstr == msgstr
    assert msgfmt_check(path) == ""
    again = client.get(f"/api/v1/notes/{SEED}/{LANG}/entries/{current['id']}", headers=bearer(tokens["translator"]))
    assert again.json["entry"]["msgstr"] == msgstr


@pytest.mark.parametrize("msgstr", ["\n", "Hello\n", "\nHello", "Hello\r\n", "\n\nHello\n\n"])
def test_edge_newlines_keep_the_catalog_valid(api, msgstr):
    """A textarea's stray newline: saved without it (200) or refused (400); never a catalog msgfmt rejects."""
    app, client, tokens, entries = api
    before = snapshot(app)
    response = put(client, tokens["translator"], entries[1]["id"], {"msgstr": msgstr, "base_version": entries[1]["version"]})
    path = app.extensions["garden"].catalog_path(LANG, SEED)
    if response.status_code == 200:
        assert response.json["entry"]["msgstr"] == msgstr.replace("\r\n", "\n").strip("\n")
    else:
        assert_refused(response, (400,))
        assert snapshot(app) == before
    assert msgfmt_check(path) == ""


@pytest.mark.parametrize("size", ["limit", "over", "huge"])
def test_huge_strings(api, size):
    app, client, tokens, entries = api
    limit = app.config["MAX_TRANSLATION_LENGTH"]
    msgstr = {"limit": "é" * limit, "over": "é" * (limit + 1), "huge": "🙂" * (app.config["MAX_CONTENT_LENGTH"] // 3)}[size]
    before = snapshot(app)
    response = put(client, tokens["translator"], entries[1]["id"], {"msgstr": msgstr, "base_version": entries[1]["version"]})
    if size == "limit":
        assert response.status_code == 200
        assert msgfmt_check(app.extensions["garden"].catalog_path(LANG, SEED)) == ""
    else:
        assert_refused(response, (400, 413))
        assert snapshot(app) == before
    base = "v" * (app.config["MAX_CONTENT_LENGTH"] // 2)
    assert_refused(put(client, tokens["translator"], entries[2]["id"], {"msgstr": "x", "base_version": base}), (409,))


@FUZZ
@given(comment=json_values, endpoint=st.sampled_from(["request-changes", "approve", "unpublish", "submit"]))
def test_any_json_on_the_workflow_endpoints_is_refused_cleanly(api, comment, endpoint):
    app, client, tokens, _entries = api
    before = snapshot(app)
    response = client.post(f"/api/v1/notes/{SEED}/{LANG}/{endpoint}", json={"comment": comment},
                           headers=bearer(tokens["editor"]))
    assert_refused(response, (400, 409))  # nothing is submitted, so every decision is refused
    assert snapshot(app) == before


# --- paths -----------------------------------------------------------------------------------------

@FUZZ
@given(slug=hostile_segments, lang=st.one_of(st.just(LANG), hostile_segments), ident=hostile_segments,
       tail=st.sampled_from(["", "/history", "/suggestions"]), method=st.sampled_from(["GET", "PUT"]))
def test_hostile_path_segments_are_404(api, slug, lang, ident, tail, method):
    app, client, tokens, entries = api
    if method == "PUT":
        tail = ""
    before = snapshot(app)
    url = f"/api/v1/notes/{slug}/{lang}/entries/{ident}{tail}"
    response = client.open(url, method=method, headers=bearer(tokens["translator"]),
                           json={"msgstr": "x", "base_version": entries[1]["version"]})
    if response.status_code == 308:  # Werkzeug merging repeated slashes: a redirect to the same API, nothing done
        assert response.headers["Location"].removeprefix("http://localhost").startswith("/api/v1/notes/")
    else:
        assert_refused(response, (404, 405))
    assert snapshot(app) == before


@FUZZ
@given(slug=hostile_segments, action=st.sampled_from(["submit", "approve", "request-changes", "unpublish",
                                                       "publications", "entries"]))
def test_hostile_slugs_on_every_note_endpoint_are_404(api, slug, action):
    app, client, tokens, _entries = api
    before = snapshot(app)
    method = "GET" if action in ("publications", "entries") else "POST"
    response = client.open(f"/api/v1/notes/{slug}/{LANG}/{action}", method=method, headers=bearer(tokens["editor"]),
                           json={"comment": "x"})
    if response.status_code == 308:  # Werkzeug merging repeated slashes: a redirect to the same API, nothing done
        assert response.headers["Location"].removeprefix("http://localhost").startswith("/api/v1/notes/")
    else:
        assert_refused(response, (404, 405))
    assert snapshot(app) == before


# --- credentials -----------------------------------------------------------------------------------

latin1_text = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"),
                      max_size=120)


@FUZZ
@given(header=st.one_of(latin1_text, latin1_text.map(lambda s: "Bearer " + s), latin1_text.map(lambda s: "bearer " + s),
                        st.sampled_from(["Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer psl_", "Token abc",
                                         "Bearer " + "a" * 5000, "Bearer a b c", "Digest x"])),
       method=st.sampled_from(["GET", "PUT", "POST"]))
def test_bad_authorization_headers_are_401(api, header, method):
    app, client, tokens, entries = api
    assume(header.strip().partition(" ")[2].strip() not in tokens.values())
    before = snapshot(app)
    url = {"GET": "/api/v1/notes", "PUT": f"/api/v1/notes/{SEED}/{LANG}/entries/{entries[1]['id']}",
           "POST": f"/api/v1/notes/{SEED}/{LANG}/approve"}[method]
    response = client.open(url, method=method, headers={"Authorization": header},
                           json={"msgstr": "x", "base_version": entries[1]["version"]})
    assert_refused(response, (401,))
    assert snapshot(app) == before


def test_a_token_with_extra_characters_is_not_the_token(api):
    app, client, tokens, _entries = api
    token = tokens["translator"]
    for header in (f"Bearer {token}x", f"Bearer {token[:-1]}", f"Bearer {token.upper()}",
                   f"Bearer {json.dumps(token)}"):
        assert_refused(client.get("/api/v1/notes", headers={"Authorization": header}), (401,))


# --- the reader's inputs (not the API, but as public) ---------------------------------------------------

@FUZZ
@given(lang=st.sampled_from(["fr", "en"]), value=st.text(max_size=60), segment=hostile_segments,
       kind=st.sampled_from(["search", "tag", "note", "switch"]))
def test_reader_inputs_never_crash_nor_redirect_away(api, lang, value, segment, kind):
    app, client, _tokens, _entries = api
    url = {"search": f"/{lang}/search?q={quote(value)}", "tag": f"/{lang}/tags/{segment}",
           "note": f"/{lang}/notes/{segment}", "switch": f"/{lang}/switch?next={quote(value)}"}[kind]
    response = client.get(url)
    assert response.status_code < 500, f"{url}: {response.status_code}"
    if kind == "switch":
        location = response.headers["Location"].removeprefix("http://localhost")
        assert location.startswith("/") and not location.startswith("//") and "\\" not in location[:2], location
