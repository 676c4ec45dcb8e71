"""Bad input gets a clear error and loses nothing; the rest of the site keeps working.

Malformed JSON, oversized bodies, too-long translations, unknown languages, and hostile files
(a note with invalid UTF-8, a note with broken YAML, a corrupt catalog): each is answered with a
JSON ``{"error": ...}`` body for the API or a page in the interface language (French and English
checked) for the screens; broken files are reported with their file and line, never
overwritten, and every other page still answers 200.
"""
from __future__ import annotations

import hashlib
import re

import pytest

from app.services.garden import get_garden
from tests.test_api import PASSWORD, SEED, bearer, fresh_garden, list_entries, make_accounts

LANG = "en"
OTHER = "ceo-noubliez-pas-votre-coo-ou-chief-of-staff"
#: A note whose bytes are not UTF-8 (line 4), and one whose front matter is not YAML (the parser stops on line 3).
BAD_UTF8 = ("Cassée.md", "cassee", b"---\ntitle: ok\n---\nbonjour \xff\xfe tout le monde\n", 4)
BAD_YAML = ("Yaml cassé.md", "yaml-casse", "---\ntitle: [pas fermé\ntags: :\n---\nTexte.\n".encode(), 3)
CORRUPT_CATALOG = b'# a catalog someone broke\nmsgid ""\nmsgstr ""\n\nmsgid "Bonjour"\nmsgstr "Hello\n'
CORRUPT_LINE = 6


@pytest.fixture
def tokens(app):
    fresh_garden(app)
    return make_accounts(app)


def login(app, username: str, language: str = "en"):
    """A client logged in as ``username`` whose interface language is ``language``."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def anonymous(app, language: str = "en"):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    return client


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.is_json, response.headers.get("Content-Type")
    body = response.get_json()
    assert isinstance(body["error"], str) and body["error"].strip() and body["status"] == status
    return body


def page_text(response) -> str:
    """The visible text of an HTML answer (tags dropped, whitespace collapsed)."""
    assert response.mimetype == "text/html", response.mimetype
    html = response.get_data(as_text=True)
    text = re.sub(r"<[^>]+>", " ", re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html))
    return re.sub(r"\s+", " ", text.replace("&#39;", "'").replace("&rsquo;", "’").replace("&amp;", "&"))


def entry_url(slug: str, ident: str, lang: str = LANG) -> str:
    return f"/api/v1/notes/{slug}/{lang}/entries/{ident}"


def catalog_of(app, slug: str):
    return app.extensions["garden"].catalog_path(LANG, slug)


def tree_digest(app) -> dict[str, str]:
    """The SHA-256 of every file under the content and translations folders."""
    garden = app.extensions["garden"]
    found = {}
    for folder in (garden.content_dir, garden.translations_dir):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.endswith(".lock"):
                found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


# --- malformed JSON ------------------------------------------------------------------------------

@pytest.mark.parametrize("body", [b"{not json", b'{"msgstr": "x", "base_version": ', b"\xff\xfe{}", b"[1, 2]",
                                  b'"a string"', b"null", b""])
def test_malformed_json_is_400_with_a_json_error_and_writes_nothing(app, client, tokens, body):
    entry = list_entries(client, tokens["translator"], SEED)[1]
    before = tree_digest(app)
    response = client.put(entry_url(SEED, entry["id"]), data=body, headers={**bearer(tokens["translator"]),
                                                                            "Content-Type": "application/json"})
    assert_json_error(response, 400)
    assert tree_digest(app) == before


@pytest.mark.parametrize("endpoint", ["request-changes", "submit"])
def test_malformed_json_on_post_endpoints_is_400_or_refused_with_json(app, client, tokens, endpoint):
    token = tokens["editor"]
    response = client.post(f"/api/v1/notes/{SEED}/{LANG}/{endpoint}", data=b"{oops",
                           headers={**bearer(token), "Content-Type": "application/json"})
    # request-changes needs its body (400); submit takes none and refuses the unfinished note (409)
    assert_json_error(response, 400 if endpoint == "request-changes" else 409)


# --- oversized bodies ----------------------------------------------------------------------------

@pytest.fixture
def small_limit(app_config):
    """A 64 KiB request limit so the oversized bodies stay small."""
    app_config["MAX_CONTENT_LENGTH"] = 64 * 1024
    return app_config


def test_default_limit_is_a_few_megabytes(app):
    assert 1024 * 1024 <= app.config["MAX_CONTENT_LENGTH"] <= 16 * 1024 * 1024


def test_api_body_over_the_limit_is_413_json(small_limit, app, client, tokens):
    entry = list_entries(client, tokens["translator"], SEED)[1]
    before = tree_digest(app)
    body = b'{"msgstr": "' + b"a" * (65 * 1024) + b'", "base_version": "' + entry["version"].encode() + b'"}'
    response = client.put(entry_url(SEED, entry["id"]), data=body,
                          headers={**bearer(tokens["translator"]), "Content-Type": "application/json"})
    assert_json_error(response, 413)
    assert tree_digest(app) == before


def test_api_body_over_the_default_limit_is_413_json(app, client, tokens):
    entry = list_entries(client, tokens["translator"], SEED)[1]
    body = {"msgstr": "a" * (app.config["MAX_CONTENT_LENGTH"] + 1), "base_version": entry["version"]}
    response = client.put(entry_url(SEED, entry["id"]), json=body, headers=bearer(tokens["translator"]))
    assert_json_error(response, 413)


@pytest.mark.parametrize(("language", "title"), [("en", "Request too large"), ("fr", "Requête trop volumineuse")])
def test_form_over_the_limit_is_413_page_in_the_interface_language(small_limit, app, tokens, language, title):
    client = login(app, "translator", language)
    entry = list_entries(app.test_client(), tokens["translator"], SEED)[1]
    before = tree_digest(app)
    response = client.post(f"/translate/{LANG}/{SEED}/entries/{entry['id']}",
                           data={"msgstr": "a" * (65 * 1024), "base_version": entry["version"]})
    assert response.status_code == 413
    assert title in page_text(response)
    assert tree_digest(app) == before
    login_page = anonymous(app, language).post("/login", data={"username": "x" * (65 * 1024), "password": "y"})
    assert login_page.status_code == 413 and title in page_text(login_page)


# --- too-long translations -----------------------------------------------------------------------

def test_too_long_translation_is_400_json_and_writes_nothing(app, client, tokens):
    entry = list_entries(client, tokens["translator"], SEED)[1]
    before = tree_digest(app)
    too_long = "a" * (app.config["MAX_TRANSLATION_LENGTH"] + 1)
    response = client.put(entry_url(SEED, entry["id"]), json={"msgstr": too_long, "base_version": entry["version"]},
                          headers=bearer(tokens["translator"]))
    body = assert_json_error(response, 400)
    assert "too long" in body["error"]
    assert tree_digest(app) == before
    just_right = "a" * app.config["MAX_TRANSLATION_LENGTH"]
    response = client.put(entry_url(SEED, entry["id"]), json={"msgstr": just_right, "base_version": entry["version"]},
                          headers=bearer(tokens["translator"]))
    assert response.status_code == 200


def test_too_long_translation_on_the_screen_is_400_and_keeps_the_text(app, tokens):
    client = login(app, "translator")
    entry = list_entries(app.test_client(), tokens["translator"], SEED)[1]
    before = tree_digest(app)
    too_long = "word " * (app.config["MAX_TRANSLATION_LENGTH"] // 5 + 1)
    response = client.post(f"/translate/{LANG}/{SEED}/entries/{entry['id']}",
                           data={"msgstr": too_long, "base_version": entry["version"]})
    assert response.status_code == 400
    assert "too long" in page_text(response) and too_long.strip() in response.get_data(as_text=True)
    assert tree_digest(app) == before


# --- unknown languages ---------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/de/", "/de/notes/chief-of-staff", "/xx/tags/", "/de/search?q=a", "/de/feed.xml",
                                 "/de/switch"])
def test_unknown_language_on_the_reader_is_404(app, tokens, url):
    for language, title in (("en", "Page not found"), ("fr", "Page introuvable")):
        response = anonymous(app, language).get(url)
        assert response.status_code == 404
        assert title in page_text(response)


@pytest.mark.parametrize("url", [f"/translate/de/{SEED}", f"/translate/fr/{SEED}", f"/review/de/{SEED}",
                                 f"/review/fr/{SEED}"])
def test_unknown_language_on_the_screens_is_404(app, tokens, url):
    for language, title in (("en", "Page not found"), ("fr", "Page introuvable")):
        response = login(app, "editor", language).get(url)
        assert response.status_code == 404
        assert title in page_text(response)


@pytest.mark.parametrize(("method", "path"), [
    ("get", "entries"), ("get", "entries/0123456789abcdef"), ("put", "entries/0123456789abcdef"),
    ("get", "entries/0123456789abcdef/history"), ("post", "submit"), ("post", "approve"),
    ("post", "request-changes"), ("post", "unpublish"), ("get", "publications"),
])
@pytest.mark.parametrize("lang", ["de", "fr", "EN"])
def test_unknown_language_on_the_api_is_404_json(client, tokens, method, path, lang):
    response = getattr(client, method)(f"/api/v1/notes/{SEED}/{lang}/{path}", headers=bearer(tokens["editor"]),
                                       json={"msgstr": "x", "base_version": "0-x", "comment": "x"})
    assert "language" in assert_json_error(response, 404)["error"]


# --- broken files: reported with file and line, never overwritten, the rest of the site up -------

@pytest.fixture
def broken_garden(app, tokens):
    """The seed notes plus a note with invalid UTF-8, one with broken YAML, and a corrupt catalog of OTHER."""
    garden = app.extensions["garden"]
    for filename, _slug, data, _line in (BAD_UTF8, BAD_YAML):
        (garden.content_dir / "fr" / filename).write_bytes(data)
    catalog_of(app, OTHER).write_bytes(CORRUPT_CATALOG)
    with app.app_context():
        get_garden(0)
    return tokens


def assert_site_still_up(app, client) -> None:
    for url in ("/fr/", "/en/", f"/fr/notes/{SEED}", f"/en/notes/{SEED}", f"/fr/notes/{OTHER}", "/fr/tags/",
                "/fr/search?q=chief", "/fr/feed.xml", "/sitemap.xml"):
        assert client.get(url).status_code == 200, url


def test_sync_reports_broken_files_with_line_and_leaves_them_alone(app, runner, broken_garden):
    before = tree_digest(app)
    result = runner.invoke(args=["sync"])
    assert result.exit_code == 1
    assert f"{BAD_UTF8[0]}:{BAD_UTF8[3]}" in result.output + result.stderr
    assert f"{BAD_YAML[0]}:{BAD_YAML[3]}" in result.output + result.stderr
    assert f"{OTHER}.po:{CORRUPT_LINE}" in result.stderr
    after = tree_digest(app)
    for path in (catalog_of(app, OTHER), *(app.extensions["garden"].content_dir / "fr" / f for f, *_ in (BAD_UTF8, BAD_YAML))):
        assert after[str(path)] == before[str(path)], path
    assert catalog_of(app, SEED).is_file()


def test_status_reports_broken_files_with_line(runner, broken_garden):
    result = runner.invoke(args=["status"])
    assert result.exit_code == 1
    for expected in (f"{BAD_UTF8[0]}:{BAD_UTF8[3]}", f"{BAD_YAML[0]}:{BAD_YAML[3]}", f"{OTHER}.po:{CORRUPT_LINE}"):
        assert expected in result.output, expected


@pytest.mark.parametrize(("language", "heading"), [("en", "This note cannot be displayed"),
                                                    ("fr", "Cette note ne peut pas être affichée")])
def test_reader_reports_broken_notes_with_file_and_line(app, broken_garden, language, heading):
    client = anonymous(app, language)
    for filename, slug, _data, line in (BAD_UTF8, BAD_YAML):
        response = client.get(f"/{language}/notes/{slug}")
        assert response.status_code == 500
        text = page_text(response)
        assert heading in text and filename in text and str(line) in text
    assert_site_still_up(app, client)


def test_api_reports_a_broken_note_with_file_and_line_and_writes_nothing(app, client, broken_garden):
    token = broken_garden["translator"]
    before = tree_digest(app)
    for filename, slug, _data, line in (BAD_UTF8, BAD_YAML):
        for method, path in (("get", "entries"), ("put", "entries/0123456789abcdef"), ("post", "submit")):
            response = getattr(client, method)(f"/api/v1/notes/{slug}/{LANG}/{path}", headers=bearer(token),
                                               json={"msgstr": "Hello", "base_version": "0-x"})
            body = assert_json_error(response, 500)
            assert f"{filename}:{line}" in body["error"], body
    assert tree_digest(app) == before
    assert client.get("/api/v1/notes", headers=bearer(token)).status_code == 200
    assert client.get(f"/api/v1/notes/{SEED}/{LANG}/entries", headers=bearer(token)).status_code == 200


def test_api_reports_a_corrupt_catalog_with_file_and_line_and_never_overwrites_it(app, client, broken_garden):
    token = broken_garden["translator"]
    response = client.get(f"/api/v1/notes/{OTHER}/{LANG}/entries", headers=bearer(token))
    assert f"{OTHER}.po:{CORRUPT_LINE}" in assert_json_error(response, 500)["error"]
    response = client.put(entry_url(OTHER, "0123456789abcdef"), json={"msgstr": "Hello", "base_version": "0-x"},
                          headers=bearer(token))
    assert f"{OTHER}.po:{CORRUPT_LINE}" in assert_json_error(response, 500)["error"]
    assert catalog_of(app, OTHER).read_bytes() == CORRUPT_CATALOG
    response = client.post(f"/api/v1/notes/{OTHER}/{LANG}/submit", headers=bearer(token))
    assert response.status_code in (409, 500) and response.is_json and response.json["error"]
    assert catalog_of(app, OTHER).read_bytes() == CORRUPT_CATALOG
    assert client.get(f"/api/v1/notes/{SEED}/{LANG}/entries", headers=bearer(token)).status_code == 200


@pytest.mark.parametrize(("language", "heading"), [("en", "This note cannot be displayed"),
                                                    ("fr", "Cette note ne peut pas être affichée")])
def test_screens_report_a_broken_note_with_file_and_line(app, broken_garden, language, heading):
    client = login(app, "editor", language)
    before = tree_digest(app)
    for filename, slug, _data, line in (BAD_UTF8, BAD_YAML):
        for method, url in (("get", f"/translate/{LANG}/{slug}"), ("get", f"/review/{LANG}/{slug}"),
                            ("post", f"/translate/{LANG}/{slug}/entries/0123456789abcdef"),
                            ("post", f"/translate/{LANG}/{slug}/submit")):
            response = getattr(client, method)(url, data={"msgstr": "Hello", "base_version": "0-x"})
            assert response.status_code == 500, (url, response.status_code)
            text = page_text(response)
            assert heading in text and filename in text and f"{line}" in text, (url, text[:400])
    assert tree_digest(app) == before
    assert client.get("/translate/").status_code == 200 and client.get("/review/").status_code == 200
    assert_site_still_up(app, client)


@pytest.mark.parametrize(("language", "lead"), [("en", "This note cannot be translated right now."),
                                                 ("fr", None)])
def test_screens_report_a_corrupt_catalog_with_file_and_line_and_never_overwrite_it(app, broken_garden, language, lead):
    client = login(app, "editor", language)
    response = client.get(f"/translate/{LANG}/{OTHER}")
    assert response.status_code == 500
    text = page_text(response)
    assert f"{OTHER}.po:{CORRUPT_LINE}" in text
    if lead:
        assert lead in text
    else:  # the French interface: the lead sentence is not the English one
        assert "This note cannot be translated right now." not in text
    response = client.post(f"/translate/{LANG}/{OTHER}/entries/0123456789abcdef",
                           data={"msgstr": "Hello", "base_version": "0-x"})
    assert response.status_code == 500 and f"{OTHER}.po:{CORRUPT_LINE}" in page_text(response)
    review = client.get(f"/review/{LANG}/{OTHER}")
    assert review.status_code in (200, 500) and f"{OTHER}.po:{CORRUPT_LINE}" in page_text(review)
    approve = client.post(f"/review/{LANG}/{OTHER}/approve")
    assert approve.status_code == 409 and f"{OTHER}.po:{CORRUPT_LINE}" in page_text(approve)
    assert catalog_of(app, OTHER).read_bytes() == CORRUPT_CATALOG
    assert client.get("/translate/").status_code == 200 and client.get("/review/").status_code == 200
    assert_site_still_up(app, client)


def test_a_broken_note_does_not_break_the_dashboards_and_the_notes_list(app, client, broken_garden):
    token = broken_garden["translator"]
    listing = client.get("/api/v1/notes", headers=bearer(token))
    assert listing.status_code == 200
    assert {SEED, OTHER} <= {note["slug"] for note in listing.json["notes"]}
    editor = login(app, "editor")
    assert editor.get("/translate/").status_code == 200
    assert editor.get("/review/").status_code == 200


# --- a hostile note author -----------------------------------------------------------------------

def test_a_symlinked_note_cannot_publish_a_file_from_outside_the_garden(app, tmp_path):
    secret = tmp_path / "outside" / "secret_key"
    secret.parent.mkdir()
    secret.write_text("TOP-SECRET-VALUE\n")
    (app.extensions["garden"].content_dir / "fr" / "leak.md").symlink_to(secret)
    client = anonymous(app)
    for url in ("/fr/notes/leak", "/fr/search?q=top-secret-value", "/fr/feed.xml", "/fr/"):
        response = client.get(url)
        assert "TOP-SECRET-VALUE" not in response.get_data(as_text=True), url
    assert client.get(f"/fr/notes/{SEED}").status_code == 200
