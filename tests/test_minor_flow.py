"""Minor changes of the French end to end: kept translations, no outdated banner, confirm in one click or in bulk."""
from __future__ import annotations

import re

import pytest

from app.catalog import minor
from app.catalog.po import read_catalog
from app.extensions import db
from app.models import EntryHistory
from app.services.garden import get_garden
from app.services import accounts
from app.services.publishing import approval
from app.services.reviewing.workflow import stored_state
from tests.auth_support import log_in_as
from tests.review_support import LANG, SLUG, change_french, clean_garden, fake_english, make_users, ready, source_of, user

TYPO_OLD = "direction de projets stratégiques"
TYPO_NEW = "direction de projets stratègiques"  # an accent changed: minor
SUBSTANTIVE_NEW = "direction de nombreux projets stratégiques"  # a word added


@pytest.fixture
def site(app):
    clean_garden(app)
    app.user_ids = make_users(app)
    ready(app)
    with app.app_context():
        approval.approve_translation(get_garden(0), get_garden(0).notes.get(SLUG), LANG, user("editor"))
    return app


def client_as(app, name):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    log_in_as(app, client, app.user_ids[name])
    return client


def pending_entries(app):
    with app.app_context():
        po = read_catalog(get_garden(0).catalog_path(LANG, SLUG))
        return [e for e in po if not e.obsolete and minor.pending(e)]


def test_a_minor_fix_keeps_the_translation_and_the_published_english_current(site):
    change_french(site, SLUG, TYPO_OLD, TYPO_NEW)
    [entry] = pending_entries(site)
    assert entry.msgid == TYPO_NEW and entry.previous_msgid == TYPO_OLD and entry.msgstr == fake_english(TYPO_OLD)
    page = site.test_client().get(f"/en/notes/{SLUG}").get_data(as_text=True)
    assert "changed since" not in page  # no outdated banner for readers
    with site.app_context():
        assert stored_state(source_of(site, SLUG), LANG).value == "published"
    home = client_as(site, "translator").get("/translate/").get_data(as_text=True)
    assert "tr-state-outdated" not in home and "0 outdated" in home  # no note is outdated, the totals say 0
    assert "1 minor French change to confirm" in home
    queue = client_as(site, "editor").get("/review/").get_data(as_text=True)
    assert "Minor changes of the French" in queue and "(1)" in queue


def test_a_substantive_change_is_fuzzy_and_outdated(site):
    change_french(site, SLUG, TYPO_OLD, SUBSTANTIVE_NEW)
    assert pending_entries(site) == []
    page = site.test_client().get(f"/en/notes/{SLUG}").get_data(as_text=True)
    assert "changed since" in page


def test_fuzzy_mode_keeps_msgmerge_strictness(app_config, app):
    """``PASSERELLE_MINOR_CHANGES=fuzzy``: the same fix is fuzzy and the English outdated (same database as ``app``)."""
    from app import create_app

    strict = create_app({**app_config, "MINOR_CHANGES": "fuzzy"})
    clean_garden(strict)
    strict.user_ids = make_users(strict)
    ready(strict)
    with strict.app_context():
        approval.approve_translation(get_garden(0), get_garden(0).notes.get(SLUG), LANG, user("editor"))
    change_french(strict, SLUG, TYPO_OLD, TYPO_NEW)
    assert pending_entries(strict) == []
    assert "changed since" in strict.test_client().get(f"/en/notes/{SLUG}").get_data(as_text=True)
    minor.configure("keep")


def test_the_translator_confirms_in_one_click(site):
    change_french(site, SLUG, TYPO_OLD, TYPO_NEW)
    client = client_as(site, "translator")
    screen = client.get(f"/translate/{LANG}/{SLUG}").get_data(as_text=True)
    assert "Confirm: the translation still fits" in screen and "<del>" in screen
    [entry] = pending_entries(site)
    form = re.search(r'action="(/translate/en/[^"]+/confirm)"[^>]*>\s*<input[^>]+>\s*<input type="hidden" name="confirm_version" '
                     r'value="([^"]+)"', screen)
    stale = client.post(form.group(1), data={"confirm_version": "0-000000000000"})
    assert stale.status_code == 303 and pending_entries(site)  # a stale version confirms nothing
    done = client.post(form.group(1), data={"confirm_version": form.group(2)})
    assert done.status_code == 303 and pending_entries(site) == []
    with site.app_context():
        row = db.session.query(EntryHistory).filter_by(action="confirm").one()
        assert (row.before, row.after, row.user.username) == (entry.msgstr, entry.msgstr, "translator")
        assert stored_state(source_of(site, SLUG), LANG).value == "published"  # a confirm is no edit


def test_the_api_confirms_and_refuses_what_is_not_minor(site):
    change_french(site, SLUG, TYPO_OLD, TYPO_NEW)
    with site.app_context():
        token = accounts.create_token("translator")
    headers = {"Authorization": f"Bearer {token}"}
    entries = site.test_client().get(f"/api/v1/notes/{SLUG}/{LANG}/entries", headers=headers).get_json()["entries"]
    [pending] = [e for e in entries if e["minor_change"]]
    assert pending["previous_msgid"] == TYPO_OLD and not pending["fuzzy"]
    other = next(e for e in entries if not e["minor_change"])
    url = f"/api/v1/notes/{SLUG}/{LANG}/entries/{{}}/confirm"
    client = site.test_client()
    assert client.post(url.format(other["id"]), json={"base_version": other["version"]}, headers=headers).status_code == 400
    assert client.post(url.format(pending["id"]), json={}, headers=headers).status_code == 400
    conflict = client.post(url.format(pending["id"]), json={"base_version": "9-x"}, headers=headers)
    assert conflict.status_code == 409 and conflict.get_json()["current"]["id"] == pending["id"]
    assert client.post(url.format("nope"), json={"base_version": "1"}, headers=headers).status_code == 404
    done = client.post(url.format(pending["id"]), json={"base_version": pending["version"]}, headers=headers)
    assert done.status_code == 200 and done.get_json()["entry"]["minor_change"] is False
    assert client.post(url.format(pending["id"]), json={"base_version": pending["version"]}).status_code == 401


def test_the_editor_sees_and_confirms_in_bulk(site):
    change_french(site, SLUG, TYPO_OLD, TYPO_NEW)
    change_french(site, SLUG, "pourquoi travailler avec", "Pourquoi travailler avec")
    assert len(pending_entries(site)) == 2
    editor = client_as(site, "editor")
    assert client_as(site, "translator").get("/review/minor-changes").status_code == 403
    page = editor.get("/review/minor-changes").get_data(as_text=True)
    keys = re.findall(r'name="change" value="([^"]+)"', page)
    assert len(keys) == 2 and "<del>" in page
    assert editor.post("/review/minor-changes/confirm", data={"change": ["bad"]}).status_code == 303
    assert len(pending_entries(site)) == 2
    done = editor.post("/review/minor-changes/confirm", data={"change": keys})
    assert done.status_code == 303 and pending_entries(site) == []
    again = editor.post("/review/minor-changes/confirm", data={"change": keys}, follow_redirects=True)
    assert "not confirmed" in again.get_data(as_text=True)


def test_the_editor_api_lists_and_confirms(site):
    change_french(site, SLUG, TYPO_OLD, TYPO_NEW)
    with site.app_context():
        tokens = {name: accounts.create_token(name) for name in ("translator", "editor")}
    client = site.test_client()
    assert client.get("/api/v1/minor-changes", headers={"Authorization": f"Bearer {tokens['translator']}"}).status_code == 403
    headers = {"Authorization": f"Bearer {tokens['editor']}"}
    [change] = client.get("/api/v1/minor-changes", headers=headers).get_json()["changes"]
    assert change["previous_msgid"] == TYPO_OLD
    for bad in ({}, {"changes": []}, {"changes": ["x"]}, {"changes": [{"lang": "en"}]}):
        assert client.post("/api/v1/minor-changes/confirm", json=bad, headers=headers).status_code == 400
    body = {"changes": [{k: change[k] for k in ("lang", "slug", "id", "version")}]}
    result = client.post("/api/v1/minor-changes/confirm", json=body, headers=headers).get_json()
    assert len(result["confirmed"]) == 1 and result["refused"] == []
    assert client.get("/api/v1/minor-changes", headers=headers).get_json()["changes"] == []


def test_an_unknown_mode_stops_the_app(app_config):
    from app import create_app

    with pytest.raises(ValueError, match="PASSERELLE_MINOR_CHANGES"):
        create_app({**app_config, "MINOR_CHANGES": "sometimes"})
    minor.configure("keep")
