"""Translator screens: access, dashboard, note screen, saving and submitting with plain forms."""
from __future__ import annotations

import re
from html import unescape

import pytest

from app.catalog.po import read_catalog
from app.services import accounts
from app.services.garden import get_garden
from app.services.reviewing.workflow import transition
from app.workflow.states import Action
from tests.test_api import (BREAK_EN, BREAK_FR, CHECKS_FILE, LINK_EN, LINK_FR, PASSWORD, SEED, entry_for,
                            fresh_garden, make_accounts, put, slug_of)

LANG = "en"


@pytest.fixture
def setup(app):
    """Fresh catalogs, accounts, and the slug of the checks note."""
    fresh_garden(app)
    tokens = make_accounts(app)
    return tokens, slug_of(app, CHECKS_FILE)


def english_client(app, username: str | None = "translator"):
    """A test client in English, logged in as ``username`` (anonymous with None)."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    if username:
        response = client.post("/login", data={"username": username, "password": PASSWORD})
        assert response.status_code == 302
    return client


def segment_html(html: str, msgid_start: str) -> str:
    """The HTML of the segment whose French starts with ``msgid_start``."""
    for chunk in html.split('<article class="segment')[1:]:
        if msgid_start in unescape(chunk.split("</article>")[0]):
            return chunk.split("</article>")[0]
    raise AssertionError(f"no segment for {msgid_start!r}")


def base_version(chunk: str) -> str:
    """The base_version hidden field of a segment."""
    return re.search(r'name="base_version" value="([^"]+)"', chunk).group(1)


def save_action(chunk: str) -> str:
    """The URL the segment's form posts to."""
    return re.search(r'class="segment-form" method="post" action="([^"]+)"', chunk).group(1)


@pytest.mark.parametrize("url", ["/translate/", f"/translate/{LANG}/{SEED}"])
def test_anonymous_visitors_are_sent_to_login(app, setup, url):
    response = english_client(app, None).get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert url.rstrip("/").split("/")[-1] in response.headers["Location"]


@pytest.mark.parametrize("username", ["translator", "editor"])
def test_screens_render_for_translators_and_editors(app, setup, username):
    client = english_client(app, username)
    _, slug = setup
    for url in ("/translate/", f"/translate/{LANG}/{slug}"):
        response = client.get(url)
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"
        assert 'style="' not in html and "<script>" not in html
        assert "Log out" in html


@pytest.mark.parametrize("url", [f"/translate/de/{SEED}", f"/translate/fr/{SEED}", f"/translate/{LANG}/nope"])
def test_unknown_language_or_note_is_404(app, setup, url):
    assert english_client(app).get(url).status_code == 404


def test_dashboard_shows_progress_state_and_sorts_needs_work_first(app, setup):
    tokens, slug = setup
    client = english_client(app)
    for msgid, msgstr in {"Essai des contrôles": "Testing the checks", LINK_FR: LINK_EN, BREAK_FR: BREAK_EN}.items():
        put(client, tokens["translator"], slug, entry_for(client, tokens["translator"], slug, msgid), msgstr)
    html = client.get("/translate/").get_data(as_text=True)
    assert html.count('<svg class="tr-bar"') == 3
    assert "3 translated, 0 fuzzy, 0 untranslated" in html
    # priority: a note with nothing left but submitting comes before the notes not started
    assert html.index("Essai des contrôles") < html.index("chief of staff externe")
    assert "in progress" in html and "last change" in html
    ready = client.get("/translate/?show=ready").get_data(as_text=True)
    assert "Essai des contrôles" in ready and "chief of staff externe" not in ready
    needs_work = client.get("/translate/?show=needs-work").get_data(as_text=True)
    assert "Essai des contrôles" not in needs_work and "chief of staff externe" in needs_work
    assert "No note matches" in client.get("/translate/?show=outdated").get_data(as_text=True)
    assert '<option value="ready" selected>Ready to submit' in ready


def test_dashboard_and_note_screen_show_the_editors_comment(app, setup):
    tokens, slug = setup
    with app.app_context():
        editor = accounts.find_user("editor")
        transition(CHECKS_FILE, LANG, Action.SUBMIT, editor)
        transition(CHECKS_FILE, LANG, Action.REQUEST_CHANGES, editor, "Keep the link label in English.")
    client = english_client(app)
    dashboard = client.get("/translate/").get_data(as_text=True)
    assert "Keep the link label in English." in dashboard and "changes requested" in dashboard
    assert dashboard.index("Essai des contrôles") < dashboard.index("chief of staff externe")
    screen = client.get(f"/translate/{LANG}/{slug}").get_data(as_text=True)
    assert "Keep the link label in English." in screen


def test_note_screen_shows_both_languages_checks_and_memory(app, setup):
    tokens, slug = setup
    client = english_client(app)
    put(client, tokens["translator"], slug, entry_for(client, tokens["translator"], slug, LINK_FR),
        "See [[other]] and https://example.org/page to know everything.")
    html = client.get(f"/translate/{LANG}/{slug}").get_data(as_text=True)
    chunk = segment_html(html, "Voir [[chief of staff")
    assert 'lang="fr">Voir [[chief of staff|le chief of staff]]' in chunk
    assert "See [[other]] and https://example.org/page" in chunk
    assert "check-error" in chunk and "Wikilink targets" in chunk
    assert 'data-needs-work="true"' in chunk
    assert 'name="csrf_token"' in chunk and 'name="base_version"' in chunk
    assert "Preview of the English draft" in html and 'class="tr-preview-body note-body" lang="en"' in html


def test_note_screen_offers_memory_suggestions_as_text_and_buttons(app, setup):
    tokens, slug = setup
    client = english_client(app)
    put(client, tokens["translator"], slug, entry_for(client, tokens["translator"], slug, LINK_FR), LINK_EN)
    garden = app.extensions["garden"]
    (garden.content_dir / "fr" / "Copie.md").write_text(f"---\ntitle: Copie\n---\n{LINK_FR}\n", encoding="utf-8")
    with app.app_context():
        get_garden(0)
    chunk = segment_html(client.get(f"/translate/{LANG}/{slug_of(app, 'Copie.md')}").get_data(as_text=True), "Voir [[chief")
    assert "Suggestions from the translation memory" in chunk and "100%" in chunk
    assert f'<span class="suggestion-text" lang="en">{LINK_EN}</span>' in unescape(chunk)
    assert re.search(r'<button type="button" class="use-text" data-text="[^"]+" hidden>Use this suggestion', chunk)


def test_fuzzy_segment_shows_word_diff_and_old_english(app, setup):
    tokens, _ = setup
    client = english_client(app)
    msgid = "pourquoi travailler avec un chief of staff externe?"
    put(client, tokens["translator"], SEED, entry_for(client, tokens["translator"], SEED, msgid),
        "Why work with an external chief of staff?")
    french = app.extensions["garden"].content_dir / "fr" / "chief of staff.md"
    french.write_text(french.read_text(encoding="utf-8").replace(msgid, "pourquoi travailler avec un chief of staff à temps partiel?"),
                      encoding="utf-8")
    with app.app_context():
        get_garden(0)
    chunk = segment_html(client.get(f"/translate/{LANG}/{SEED}").get_data(as_text=True), "pourquoi travailler avec un chief of staff à temps")
    assert "segment-fuzzy" in chunk
    assert "<del>externe</del>" in chunk and "<ins>à temps partiel</ins>" in chunk
    assert "Why work with an external chief of staff?</textarea>" in chunk
    assert "History (1)" in chunk and "<ins>Why work with an external chief of staff?</ins>" in chunk


def test_saving_with_the_form_redirects_to_the_next_segment_needing_work(app, setup):
    _, slug = setup
    client = english_client(app)
    html = client.get(f"/translate/{LANG}/{slug}").get_data(as_text=True)
    chunk = segment_html(html, "Voir [[chief")
    response = client.post(save_action(chunk), data={"msgstr": LINK_EN.replace(" and", "\r\nand"), "base_version": base_version(chunk)})
    assert response.status_code == 303
    following = segment_html(html, "Première ligne")
    assert response.headers["Location"].endswith("#" + re.search(r'id="(seg-[0-9a-f]+)"', following).group(1))
    po = read_catalog(app.extensions["garden"].catalog_path(LANG, slug))
    assert next(e for e in po if e.msgid == LINK_FR).msgstr == LINK_EN.replace(" and", "\nand")
    assert "Saved." in client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_stale_form_save_shows_both_versions_and_keeps_the_text(app, setup):
    tokens, slug = setup
    client = english_client(app)
    chunk = segment_html(client.get(f"/translate/{LANG}/{slug}").get_data(as_text=True), "Voir [[chief")
    put(client, tokens["editor"], slug, entry_for(client, tokens["editor"], slug, LINK_FR), "The editor's version")
    path = app.extensions["garden"].catalog_path(LANG, slug)
    before = path.read_bytes()
    response = client.post(save_action(chunk), data={"msgstr": "My version", "base_version": base_version(chunk)})
    assert response.status_code == 409
    again = segment_html(response.get_data(as_text=True), "Voir [[chief")
    assert "The editor&#39;s version" in again and "My version</textarea>" in again
    assert "Nothing was overwritten" in again and "<del>" in again and "<ins>" in again
    assert path.read_bytes() == before
    assert client.post(save_action(again), data={"msgstr": "Merged", "base_version": base_version(again)}).status_code == 303


def test_a_too_long_form_save_is_400_and_keeps_the_text(app, setup):
    _, slug = setup
    app.config["MAX_TRANSLATION_LENGTH"] = 10
    client = english_client(app)
    chunk = segment_html(client.get(f"/translate/{LANG}/{slug}").get_data(as_text=True), "Voir [[chief")
    response = client.post(save_action(chunk), data={"msgstr": "x" * 11, "base_version": base_version(chunk)})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Not saved: the translation is too long (11 characters, at most 10)." in html
    assert "x" * 11 + "</textarea>" in html


def test_submitting_with_the_form(app, setup):
    tokens, slug = setup
    client = english_client(app)
    refused = client.post(f"/translate/{LANG}/{slug}/submit")
    assert refused.status_code == 409 and "Not submitted: 3 untranslated" in refused.get_data(as_text=True)
    for msgid, msgstr in {"Essai des contrôles": "Testing the checks", LINK_FR: LINK_EN, BREAK_FR: BREAK_EN}.items():
        put(client, tokens["translator"], slug, entry_for(client, tokens["translator"], slug, msgid), msgstr)
    accepted = client.post(f"/translate/{LANG}/{slug}/submit")
    assert accepted.status_code == 303
    assert "submitted for review" in client.get(accepted.headers["Location"]).get_data(as_text=True)
    twice = client.post(f"/translate/{LANG}/{slug}/submit")
    assert twice.status_code == 409 and "cannot be submitted now" in twice.get_data(as_text=True)


def test_a_corrupt_catalog_is_reported_without_breaking_the_dashboard(app, setup):
    _, slug = setup
    path = app.extensions["garden"].catalog_path(LANG, slug)
    path.write_bytes(b"\xff\xfe garbage")
    client = english_client(app)
    screen = client.get(f"/translate/{LANG}/{slug}")
    assert screen.status_code == 500 and "cannot be read" in screen.get_data(as_text=True)
    dashboard = client.get("/translate/")
    assert dashboard.status_code == 200 and "Catalog unreadable" in dashboard.get_data(as_text=True)
    assert path.read_bytes() == b"\xff\xfe garbage"


def test_a_stale_csrf_token_keeps_the_text(app, setup):
    _, slug = setup
    client = english_client(app)
    chunk = segment_html(client.get(f"/translate/{LANG}/{slug}").get_data(as_text=True), "Voir [[chief")
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(save_action(chunk), data={"msgstr": "Typed with care", "base_version": base_version(chunk),
                                                      "csrf_token": "stale"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "nothing was saved" in html and "Typed with care</textarea>" in html
    assert client.post(f"/translate/{LANG}/{slug}/submit", data={"csrf_token": "stale"}).status_code == 400
