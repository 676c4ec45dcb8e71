"""Contract tests of the translator API: every endpoint, every error status, roles, conflicts, checks, memory."""
from __future__ import annotations

import functools
import json
import shutil

import pytest
from werkzeug.security import generate_password_hash

from app.catalog.po import read_catalog, write_catalog
from app.extensions import db
from app.models import EntryHistory, User
from app.services import accounts
from app.services.garden import get_garden
from app.services.reviewing.workflow import stored_state

PASSWORD = "a-long-password-1"
LANG = "en"
SEED = "chief-of-staff"
#: A note made for the checks: a wikilink, a URL, a hard break, bold and code, final punctuation.
CHECKS_FILE = "Essai des contrôles.md"
CHECKS_TEXT = (
    "---\ntitle: Essai des contrôles\n---\n"
    "Voir [[chief of staff|le chief of staff]] et https://example.org/page pour tout savoir.\n\n"
    "Première ligne  \ndeuxième ligne avec **gras** et `code` !\n"
)
LINK_FR = "Voir [[chief of staff|le chief of staff]] et https://example.org/page pour tout savoir."
LINK_EN = "See [[chief of staff|the chief of staff]] and https://example.org/page to know everything."
BREAK_FR = "Première ligne  \ndeuxième ligne avec **gras** et `code` !"
BREAK_EN = "First line  \nsecond line with **bold** and `code`!"


# --- helpers shared with the other translator test modules --------------------------------------

def fresh_garden(app, extra: dict[str, str] | None = None) -> None:
    """Start from the seed notes (plus ``extra`` French files) with freshly synced, empty catalogs."""
    garden = app.extensions["garden"]
    for lang in garden.target_langs:
        for path in (garden.content_dir / lang).glob("*.md"):
            path.unlink()
        shutil.rmtree(garden.translations_dir / lang, ignore_errors=True)
    for name, text in {CHECKS_FILE: CHECKS_TEXT, **(extra or {})}.items():
        (garden.content_dir / garden.source_lang / name).write_text(text, encoding="utf-8")
    with app.app_context():
        get_garden(0)
        from app.services.translating.catalogs import sync_garden

        sync_garden(get_garden(0))


@functools.cache
def password_hash() -> str:
    """The scrypt hash of :data:`PASSWORD`, computed once (scrypt is slow on purpose)."""
    return generate_password_hash(PASSWORD, method="scrypt")


def make_accounts(app) -> dict[str, str]:
    """Create a translator and an editor (password :data:`PASSWORD`); return an API token for each."""
    with app.app_context():
        for name in ("translator", "editor"):
            db.session.add(User(username=name, role=name, active=True, password_hash=password_hash()))
        db.session.commit()
        return {name: accounts.create_token(name) for name in ("translator", "editor")}


def bearer(token: str) -> dict[str, str]:
    """The Authorization header for ``token``."""
    return {"Authorization": f"Bearer {token}"}


def slug_of(app, filename: str) -> str:
    """The slug of a French file."""
    with app.app_context():
        return get_garden(0).notes.by_filename(filename).slug


def list_entries(client, token: str, slug: str) -> list[dict]:
    """The entries of a note through the API."""
    response = client.get(f"/api/v1/notes/{slug}/{LANG}/entries", headers=bearer(token))
    assert response.status_code == 200, response.json
    return response.json["entries"]


def entry_for(client, token: str, slug: str, msgid: str) -> dict:
    """The entry of ``slug`` whose French is ``msgid``."""
    return next(e for e in list_entries(client, token, slug) if e["msgid"] == msgid)


def put(client, token: str, slug: str, entry: dict, msgstr, base=None):
    """Save ``msgstr`` on ``entry`` based on its version (or ``base``)."""
    body = {"msgstr": msgstr, "base_version": entry["version"] if base is None else base}
    return client.put(f"/api/v1/notes/{slug}/{LANG}/entries/{entry['id']}", headers=bearer(token), json=body)


def catalog_path(app, slug: str):
    """Where the English catalog of ``slug`` is."""
    return app.extensions["garden"].catalog_path(LANG, slug)


@pytest.fixture
def tokens(app):
    """Fresh catalogs and API tokens of a translator and an editor."""
    fresh_garden(app)
    return make_accounts(app)


@pytest.fixture
def checks_slug(app, tokens):
    """The slug of the note made for the checks."""
    return slug_of(app, CHECKS_FILE)


# --- credentials and roles ----------------------------------------------------------------------

ENDPOINTS = [
    ("get", "/api/v1/notes"),
    ("get", f"/api/v1/notes/{SEED}/{LANG}/entries"),
    ("get", f"/api/v1/notes/{SEED}/{LANG}/entries/0123456789abcdef"),
    ("put", f"/api/v1/notes/{SEED}/{LANG}/entries/0123456789abcdef"),
    ("get", f"/api/v1/notes/{SEED}/{LANG}/entries/0123456789abcdef/history"),
    ("get", f"/api/v1/notes/{SEED}/{LANG}/entries/0123456789abcdef/suggestions"),
    ("post", f"/api/v1/notes/{SEED}/{LANG}/submit"),
]


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_every_endpoint_needs_credentials(client, tokens, method, url):
    response = getattr(client, method)(url, json={})
    assert response.status_code == 401
    assert response.is_json and response.json["status"] == 401 and response.json["error"]


@pytest.mark.parametrize("header", ["Bearer nope", "Basic dXNlcjpwYXNz", "Bearer "])
def test_bad_tokens_are_401(client, tokens, header):
    response = client.get("/api/v1/notes", headers={"Authorization": header})
    assert response.status_code == 401 and response.json["error"]


def test_revoked_token_and_disabled_user_are_401(app, client, tokens):
    assert client.get("/api/v1/notes", headers=bearer(tokens["translator"])).status_code == 200
    with app.app_context():
        accounts.revoke_tokens("translator")
        accounts.disable_user("editor")
    assert client.get("/api/v1/notes", headers=bearer(tokens["translator"])).status_code == 401
    assert client.get("/api/v1/notes", headers=bearer(tokens["editor"])).status_code == 401


@pytest.mark.parametrize("role", ["translator", "editor"])
def test_translators_and_editors_may_translate(client, tokens, role):
    entry = list_entries(client, tokens[role], SEED)[1]
    assert put(client, tokens[role], SEED, entry, "Why work with an external chief of staff?").status_code == 200


def test_a_role_that_may_not_gets_403_json(client, tokens):
    response = client.post(f"/api/v1/notes/{SEED}/{LANG}/approve", headers=bearer(tokens["translator"]))
    assert response.status_code == 403
    assert response.is_json and "translator" in response.json["error"]


# --- listing ------------------------------------------------------------------------------------

def test_notes_lists_progress_state_and_staleness(client, tokens):
    response = client.get("/api/v1/notes", headers=bearer(tokens["translator"]))
    assert response.status_code == 200
    notes = {note["slug"]: note for note in response.json["notes"]}
    seed = notes[SEED]
    assert seed["source"] == "chief of staff.md" and seed["title"]
    assert set(seed["languages"][LANG]) == {"translated", "fuzzy", "untranslated", "state", "outdated", "open_comments"}
    assert seed["languages"][LANG]["state"] == "untranslated" and seed["languages"][LANG]["outdated"] is False
    assert seed["languages"][LANG]["untranslated"] > 0 and seed["languages"][LANG]["translated"] == 0


def test_entries_shape(client, tokens):
    response = client.get(f"/api/v1/notes/{SEED}/{LANG}/entries", headers=bearer(tokens["translator"]))
    assert response.status_code == 200
    assert response.json["state"] == "untranslated"
    first = response.json["entries"][0]
    assert set(first) >= {"id", "msgid", "msgstr", "fuzzy", "previous_msgid", "type", "checks", "version"}
    assert first["type"] == "title" and first["msgstr"] == "" and first["checks"] == []
    ids = [e["id"] for e in response.json["entries"]]
    assert len(ids) == len(set(ids))
    again = client.get(f"/api/v1/notes/{SEED}/{LANG}/entries", headers=bearer(tokens["translator"])).json
    assert [e["id"] for e in again["entries"]] == ids


def test_one_entry(client, tokens):
    entry = list_entries(client, tokens["translator"], SEED)[0]
    response = client.get(f"/api/v1/notes/{SEED}/{LANG}/entries/{entry['id']}", headers=bearer(tokens["translator"]))
    assert response.status_code == 200 and response.json["entry"] == entry


@pytest.mark.parametrize(("method", "url"), [
    ("get", f"/api/v1/notes/nope/{LANG}/entries"),
    ("get", f"/api/v1/notes/{SEED}/de/entries"),
    ("get", f"/api/v1/notes/{SEED}/fr/entries"),
    ("get", f"/api/v1/notes/{SEED}/{LANG}/entries/0123456789abcdef"),
    ("put", f"/api/v1/notes/{SEED}/{LANG}/entries/0123456789abcdef"),
    ("get", f"/api/v1/notes/{SEED}/{LANG}/entries/0123456789abcdef/history"),
    ("get", f"/api/v1/notes/{SEED}/{LANG}/entries/0123456789abcdef/suggestions"),
    ("post", f"/api/v1/notes/nope/{LANG}/submit"),
    ("get", "/api/v1/nothing-here"),
])
def test_unknown_note_language_or_entry_is_404_json(client, tokens, method, url):
    body = {"msgstr": "x", "base_version": "0-x"}
    response = getattr(client, method)(url, headers=bearer(tokens["translator"]), json=body)
    assert response.status_code == 404
    assert response.is_json and response.json["error"]


# --- saving -------------------------------------------------------------------------------------

def test_save_returns_entry_with_new_version_and_writes_file_and_history(app, client, tokens):
    entry = list_entries(client, tokens["translator"], SEED)[1]
    response = put(client, tokens["translator"], SEED, entry, "Why work with an external chief of staff?")
    assert response.status_code == 200
    saved = response.json["entry"]
    assert saved["msgstr"] == "Why work with an external chief of staff?" and saved["id"] == entry["id"]
    assert saved["version"] != entry["version"] and saved["fuzzy"] is False
    po = read_catalog(catalog_path(app, SEED))
    assert any(e.msgstr == saved["msgstr"] for e in po)
    with app.app_context():
        assert db.session.query(EntryHistory).count() == 1
        assert stored_state("chief of staff.md", LANG).value == "in_progress"


def test_saving_the_identical_text_adds_no_history_row(app, client, tokens):
    entry = list_entries(client, tokens["translator"], SEED)[1]
    first = put(client, tokens["translator"], SEED, entry, "Why?").json["entry"]
    before = catalog_path(app, SEED).stat().st_mtime_ns, catalog_path(app, SEED).read_bytes()
    second = put(client, tokens["translator"], SEED, first, "Why?")
    assert second.status_code == 200 and second.json["entry"]["version"] == first["version"]
    assert (catalog_path(app, SEED).stat().st_mtime_ns, catalog_path(app, SEED).read_bytes()) == before
    with app.app_context():
        assert db.session.query(EntryHistory).count() == 1
    stale = put(client, tokens["editor"], SEED, entry, "Why?")  # the same text from a stale base still conflicts
    assert stale.status_code == 409
    third = put(client, tokens["translator"], SEED, first, "Why not?")
    assert third.json["entry"]["version"] != first["version"]
    with app.app_context():
        assert db.session.query(EntryHistory).count() == 2


def test_two_saves_on_the_same_base_one_wins_one_conflicts(app, client, tokens):
    entry = list_entries(client, tokens["translator"], SEED)[1]
    first = put(client, tokens["translator"], SEED, entry, "Mine")
    before = catalog_path(app, SEED).read_bytes()
    second = put(client, tokens["editor"], SEED, entry, "Theirs")
    assert first.status_code == 200 and second.status_code == 409
    assert second.json["error"] and second.json["current"]["msgstr"] == "Mine"
    assert second.json["current"]["version"] == first.json["entry"]["version"]
    assert catalog_path(app, SEED).read_bytes() == before
    with app.app_context():
        assert db.session.query(EntryHistory).count() == 1
    retry = put(client, tokens["editor"], SEED, entry, "Theirs", base=second.json["current"]["version"])
    assert retry.status_code == 200


def test_an_edit_in_a_po_editor_changes_the_version(app, client, tokens):
    entry = list_entries(client, tokens["translator"], SEED)[1]
    path = catalog_path(app, SEED)
    po = read_catalog(path)
    next(e for e in po if e.msgid == entry["msgid"]).msgstr = "Edited in Poedit"
    write_catalog(path, po)
    response = put(client, tokens["translator"], SEED, entry, "From the screen")
    assert response.status_code == 409 and response.json["current"]["msgstr"] == "Edited in Poedit"


def test_a_fuzzy_entry_shows_previous_french_and_saving_clears_it(app, client, tokens):
    entry = list_entries(client, tokens["translator"], SEED)[1]
    put(client, tokens["translator"], SEED, entry, "Why work with an external chief of staff?")
    french = app.extensions["garden"].content_dir / "fr" / "chief of staff.md"
    french.write_text(french.read_text(encoding="utf-8").replace(
        "pourquoi travailler avec un chief of staff externe?",
        "pourquoi travailler avec un chief of staff externe à temps partiel?"), encoding="utf-8")
    with app.app_context():
        get_garden(0)  # the app syncs the changed note
    fuzzy = entry_for(client, tokens["translator"], SEED, "pourquoi travailler avec un chief of staff externe à temps partiel?")
    assert fuzzy["fuzzy"] is True and fuzzy["previous_msgid"] == entry["msgid"]
    assert fuzzy["msgstr"] == "Why work with an external chief of staff?"
    assert put(client, tokens["translator"], SEED, entry, "stale", base="1-x").status_code == 404
    saved = put(client, tokens["translator"], SEED, fuzzy, "Why work with a part-time external chief of staff?").json["entry"]
    assert saved["fuzzy"] is False and saved["previous_msgid"] is None
    stored = next(e for e in read_catalog(catalog_path(app, SEED)) if e.msgid == fuzzy["msgid"])
    assert not stored.fuzzy and stored.previous_msgid is None


@pytest.mark.parametrize(("body", "reason"), [
    (b"{not json", "malformed"),
    (b"[1, 2]", "not an object"),
    (json.dumps({"msgstr": "x"}).encode(), "no base_version"),
    (json.dumps({"base_version": "0-x"}).encode(), "no msgstr"),
    (json.dumps({"msgstr": 3, "base_version": "0-x"}).encode(), "msgstr not a string"),
    (json.dumps({"msgstr": "x", "base_version": 3}).encode(), "base_version not a string"),
    (json.dumps({"msgstr": "bad\x00", "base_version": "0-x"}).encode(), "control character"),
])
def test_malformed_input_is_400_and_writes_nothing(app, client, tokens, body, reason):
    entry = list_entries(client, tokens["translator"], SEED)[1]
    before = catalog_path(app, SEED).read_bytes()
    response = client.put(f"/api/v1/notes/{SEED}/{LANG}/entries/{entry['id']}", data=body,
                          headers={**bearer(tokens["translator"]), "Content-Type": "application/json"})
    assert response.status_code == 400, reason
    assert response.is_json and response.json["error"]
    assert catalog_path(app, SEED).read_bytes() == before


def test_too_long_translation_is_400(app, client, tokens):
    app.config["MAX_TRANSLATION_LENGTH"] = 50
    entry = list_entries(client, tokens["translator"], SEED)[1]
    response = put(client, tokens["translator"], SEED, entry, "x" * 51)
    assert response.status_code == 400 and "too long" in response.json["error"]
    assert put(client, tokens["translator"], SEED, entry, "x" * 50).status_code == 200


def test_line_endings_are_normalised(client, tokens, checks_slug):
    entry = entry_for(client, tokens["translator"], checks_slug, BREAK_FR)
    saved = put(client, tokens["translator"], checks_slug, entry, BREAK_EN.replace("\n", "\r\n")).json["entry"]
    assert saved["msgstr"] == BREAK_EN and saved["checks"] == []


# --- checks -------------------------------------------------------------------------------------

CHECK_CASES = [
    ("wikilinks", "error", LINK_FR, "See [[other note|the chief]] and https://example.org/page to know everything."),
    ("urls", "error", LINK_FR, "See [[chief of staff|the chief of staff]] and https://example.com/page to know everything."),
    ("hard-breaks", "error", BREAK_FR, "First line second line with **bold** and `code`!"),
    ("markup", "warning", BREAK_FR, "First line  \nsecond line with bold and `code`!"),
    ("punctuation", "warning", BREAK_FR, "First line  \nsecond line with **bold** and `code`."),
    ("whitespace", "warning", BREAK_FR, " First line  \nsecond line with **bold** and `code`!"),
    ("double-space", "warning", BREAK_FR, "First  line  \nsecond line with **bold** and `code`!"),
    ("identical", "warning", "Essai des contrôles", "Essai des contrôles"),
]


@pytest.mark.parametrize(("check_id", "severity", "msgid", "msgstr"), CHECK_CASES, ids=[c[0] for c in CHECK_CASES])
def test_each_check_comes_back_from_a_save(client, tokens, checks_slug, check_id, severity, msgid, msgstr):
    entry = entry_for(client, tokens["translator"], checks_slug, msgid)
    saved = put(client, tokens["translator"], checks_slug, entry, msgstr).json["entry"]
    found = {(c["id"], c["severity"]) for c in saved["checks"]}
    assert (check_id, severity) in found
    assert all(c["message"] for c in saved["checks"])
    listed = entry_for(client, tokens["translator"], checks_slug, msgid)
    assert (check_id, severity) in {(c["id"], c["severity"]) for c in listed["checks"]}


@pytest.mark.parametrize(("msgid", "msgstr"), [(LINK_FR, LINK_EN), (BREAK_FR, BREAK_EN), ("Essai des contrôles", "Testing the checks")])
def test_a_good_translation_passes_every_check(client, tokens, checks_slug, msgid, msgstr):
    entry = entry_for(client, tokens["translator"], checks_slug, msgid)
    assert put(client, tokens["translator"], checks_slug, entry, msgstr).json["entry"]["checks"] == []


def test_check_messages_follow_the_interface_language(client, tokens, checks_slug):
    entry = entry_for(client, tokens["translator"], checks_slug, "Essai des contrôles")
    put(client, tokens["translator"], checks_slug, entry, "Essai des contrôles")
    url = f"/api/v1/notes/{checks_slug}/{LANG}/entries/{entry['id']}"
    english = client.get(url, headers={**bearer(tokens["translator"]), "Accept-Language": "en"}).json["entry"]
    assert english["checks"][0]["message"] == "The translation is identical to the French."


# --- history and memory -------------------------------------------------------------------------

def test_history_lists_saves_newest_first(client, tokens):
    entry = list_entries(client, tokens["translator"], SEED)[1]
    first = put(client, tokens["translator"], SEED, entry, "One").json["entry"]
    put(client, tokens["editor"], SEED, first, "Two")
    response = client.get(f"/api/v1/notes/{SEED}/{LANG}/entries/{entry['id']}/history", headers=bearer(tokens["translator"]))
    assert response.status_code == 200
    history = response.json["history"]
    assert [(h["user"], h["before"], h["after"], h["action"]) for h in history] == [
        ("editor", "One", "Two", "save"), ("translator", "", "One", "save")]
    assert all(h["at"].endswith("+00:00") for h in history)


MEMORY_NOTES = {
    "Chats un.md": "---\ntitle: Chats un\n---\nLe chat dort sur le canapé du salon.\n",
    "Chats deux.md": "---\ntitle: Chats deux\n---\nLe chat dort sur le canapé du salon.\n\nLe chat dort sur le grand canapé du salon.\n",
}


def test_memory_suggests_exact_then_fuzzy_across_notes(app, client):
    fresh_garden(app, MEMORY_NOTES)
    token = make_accounts(app)["translator"]
    one, two = slug_of(app, "Chats un.md"), slug_of(app, "Chats deux.md")
    source = entry_for(client, token, one, "Le chat dort sur le canapé du salon.")
    assert put(client, token, one, source, "The cat sleeps on the living-room sofa.").status_code == 200
    exact = entry_for(client, token, two, "Le chat dort sur le canapé du salon.")
    response = client.get(f"/api/v1/notes/{two}/{LANG}/entries/{exact['id']}/suggestions", headers=bearer(token))
    assert response.status_code == 200
    first = response.json["suggestions"][0]
    assert first == {"msgid": "Le chat dort sur le canapé du salon.", "msgstr": "The cat sleeps on the living-room sofa.",
                     "score": 100, "source": one}
    fuzzy = entry_for(client, token, two, "Le chat dort sur le grand canapé du salon.")
    found = client.get(f"/api/v1/notes/{two}/{LANG}/entries/{fuzzy['id']}/suggestions", headers=bearer(token)).json
    assert found["suggestions"] and 60 <= found["suggestions"][0]["score"] < 100
    assert found["suggestions"][0]["msgstr"] == "The cat sleeps on the living-room sofa."


def test_memory_follows_catalog_changes_and_skips_fuzzy(app, client):
    fresh_garden(app, MEMORY_NOTES)
    token = make_accounts(app)["translator"]
    one, two = slug_of(app, "Chats un.md"), slug_of(app, "Chats deux.md")
    target = entry_for(client, token, two, "Le chat dort sur le canapé du salon.")
    url = f"/api/v1/notes/{two}/{LANG}/entries/{target['id']}/suggestions"
    assert client.get(url, headers=bearer(token)).json["suggestions"] == []
    path = catalog_path(app, one)
    po = read_catalog(path)
    entry = next(e for e in po if e.msgid.startswith("Le chat"))
    entry.msgstr, entry.flags = "A fuzzy guess", ["fuzzy"]
    write_catalog(path, po)
    assert client.get(url, headers=bearer(token)).json["suggestions"] == []
    entry.flags = []
    write_catalog(path, po)
    assert client.get(url, headers=bearer(token)).json["suggestions"][0]["msgstr"] == "A fuzzy guess"


# --- submit -------------------------------------------------------------------------------------

def test_submit_names_what_is_missing_then_succeeds(app, client, tokens, checks_slug):
    token = tokens["translator"]
    url = f"/api/v1/notes/{checks_slug}/{LANG}/submit"
    refused = client.post(url, headers=bearer(token))
    assert refused.status_code == 409
    assert refused.json["missing"]["untranslated"] == 3 and refused.json["missing"]["fuzzy"] == 0
    translations = {"Essai des contrôles": "Testing the checks", LINK_FR: LINK_EN.replace("chief of staff|", "cos|"),
                    BREAK_FR: BREAK_EN}
    for msgid, msgstr in translations.items():
        put(client, token, checks_slug, entry_for(client, token, checks_slug, msgid), msgstr)
    refused = client.post(url, headers=bearer(token))
    assert refused.status_code == 409 and refused.json["missing"]["untranslated"] == 0
    assert [e["msgid"] for e in refused.json["missing"]["errors"]] == [LINK_FR]
    assert refused.json["missing"]["errors"][0]["checks"][0]["id"] == "wikilinks"
    put(client, token, checks_slug, entry_for(client, token, checks_slug, LINK_FR), LINK_EN)
    accepted = client.post(url, headers=bearer(token))
    assert accepted.status_code == 200 and accepted.json["state"] == "submitted"
    again = client.post(url, headers=bearer(token))
    assert again.status_code == 409 and again.json["state"] == "submitted"


def test_saving_after_submit_withdraws_the_submission(app, client, tokens, checks_slug):
    token = tokens["translator"]
    for msgid, msgstr in {"Essai des contrôles": "Testing", LINK_FR: LINK_EN, BREAK_FR: BREAK_EN}.items():
        put(client, token, checks_slug, entry_for(client, token, checks_slug, msgid), msgstr)
    assert client.post(f"/api/v1/notes/{checks_slug}/{LANG}/submit", headers=bearer(token)).status_code == 200
    put(client, token, checks_slug, entry_for(client, token, checks_slug, "Essai des contrôles"), "Testing the checks")
    state = client.get(f"/api/v1/notes/{checks_slug}/{LANG}/entries", headers=bearer(token)).json["state"]
    assert state == "in_progress"


def test_a_corrupt_catalog_is_reported_and_left_alone(app, client, tokens):
    path = catalog_path(app, SEED)
    path.write_bytes(b'msgid "broken\n')
    response = client.get(f"/api/v1/notes/{SEED}/{LANG}/entries", headers=bearer(tokens["translator"]))
    assert response.status_code == 500 and ".po:1" in response.json["error"]
    assert put(client, tokens["translator"], SEED, {"id": "0123456789abcdef", "version": "0-x"}, "x").status_code == 500
    assert path.read_bytes() == b'msgid "broken\n'
    assert client.get("/api/v1/notes", headers=bearer(tokens["translator"])).status_code == 200


# --- CSRF and the OpenAPI file ------------------------------------------------------------------

@pytest.fixture
def csrf_app(app):
    """The app with CSRF protection on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def login_with_csrf(client) -> str:
    """Log the translator in through the form; return the session's CSRF token."""
    import re

    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"username": "translator", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    dashboard = client.get("/translate/").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', dashboard).group(1)


def test_session_writes_need_the_csrf_header_bearer_does_not(csrf_app, tokens):
    client = csrf_app.test_client()
    csrf = login_with_csrf(client)
    entry = client.get(f"/api/v1/notes/{SEED}/{LANG}/entries").json["entries"][1]
    url = f"/api/v1/notes/{SEED}/{LANG}/entries/{entry['id']}"
    refused = client.put(url, json={"msgstr": "x", "base_version": entry["version"]})
    assert refused.status_code == 400 and "X-CSRFToken" in refused.json["error"]
    wrong = client.put(url, json={"msgstr": "x", "base_version": entry["version"]}, headers={"X-CSRFToken": "nope"})
    assert wrong.status_code == 400
    ok = client.put(url, json={"msgstr": "x", "base_version": entry["version"]}, headers={"X-CSRFToken": csrf})
    assert ok.status_code == 200
    other = csrf_app.test_client()
    by_token = other.put(url, json={"msgstr": "y", "base_version": ok.json["entry"]["version"]}, headers=bearer(tokens["translator"]))
    assert by_token.status_code == 200


def test_openapi_file_describes_every_endpoint(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.is_json
    spec = response.json
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    for path in ("/notes", "/notes/{slug}/{lang}/entries", "/notes/{slug}/{lang}/entries/{id}",
                 "/notes/{slug}/{lang}/entries/{id}/history", "/notes/{slug}/{lang}/entries/{id}/suggestions",
                 "/notes/{slug}/{lang}/submit"):
        assert path in paths
    assert set(paths["/notes/{slug}/{lang}/entries/{id}"]) >= {"get", "put"}


def test_a_body_over_the_limit_is_413_json(app, client, tokens):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    entry = list_entries(client, tokens["translator"], SEED)[1]
    response = put(client, tokens["translator"], SEED, entry, "x" * 2000)
    assert response.status_code == 413 and response.is_json and response.json["error"]
