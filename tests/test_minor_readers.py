"""Minor changes as readers and translators meet them next to substantive ones on the same note."""
from __future__ import annotations

import re

from app.catalog.po import entry_id
from app.services import accounts
from app.services.garden import get_garden
from app.services.publishing import approval
from tests.review_support import LANG, SLUG, change_french, clean_garden, make_users, ready, user
from tests.test_minor_flow import TYPO_NEW, TYPO_OLD, client_as

import polib
import pytest

WORD_ADDED = ("expertise dans la mise en place", "une expertise dans la mise en place")


@pytest.fixture
def site(app):
    clean_garden(app)
    app.user_ids = make_users(app)
    ready(app)
    with app.app_context():
        approval.approve_translation(get_garden(0), get_garden(0).notes.get(SLUG), LANG, user("editor"))
        app.token = accounts.create_token("translator")
    return app


def test_readers_see_only_the_passages_changed_in_substance(site):
    change_french(site, SLUG, TYPO_OLD, TYPO_NEW)  # minor: kept, not outdated on its own
    change_french(site, SLUG, "**Expertise spécialisée** :", "**Expertise spécialisée**\u00a0:")  # minor too
    change_french(site, SLUG, *WORD_ADDED)  # substantive
    page = site.test_client().get(f"/en/notes/{SLUG}").get_data(as_text=True)
    assert "The passage whose original changed is marked." in page
    assert page.count('class="changed-since-approval"') == 1
    [marked] = re.findall(r'<li class="changed-since-approval"[^>]*>(.*?)</li>', page, re.S)
    assert "expertise dans la mise en place" in marked


def test_a_minor_change_keeps_the_history_of_the_french_it_was_translated_from(site):
    client = site.test_client()
    headers = {"Authorization": f"Bearer {site.token}"}
    ident = entry_id(polib.POEntry(msgid=TYPO_OLD))
    entry = client.get(f"/api/v1/notes/{SLUG}/{LANG}/entries/{ident}", headers=headers).get_json()["entry"]
    saved = client.put(f"/api/v1/notes/{SLUG}/{LANG}/entries/{ident}", headers=headers,
                       json={"msgstr": "leading strategic projects", "base_version": entry["version"]})
    assert saved.status_code == 200
    change_french(site, SLUG, TYPO_OLD, TYPO_NEW)
    screen = client_as(site, "translator").get(f"/translate/{LANG}/{SLUG}").get_data(as_text=True)
    segment = screen[screen.index(f'id="seg-{entry_id(polib.POEntry(msgid=TYPO_NEW))}"'):]
    segment = segment[:segment.index("</article>")] if "</article>" in segment else segment[:20000]
    assert "Confirm: the translation still fits" in segment
    assert "History (1)" in segment and "leading strategic projects" in segment
    new_id = entry_id(polib.POEntry(msgid=TYPO_NEW))
    history = client.get(f"/api/v1/notes/{SLUG}/{LANG}/entries/{new_id}/history", headers=headers).get_json()
    assert [row["after"] for row in history["history"]] == ["leading strategic projects"]
