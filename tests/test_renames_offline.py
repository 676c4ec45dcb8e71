"""A renamed note keeps what issue 15 added: its segment comments, and downloads taken before the rename."""
from __future__ import annotations

import polib
from sqlalchemy import select

from app.extensions import db
from app.models import CatalogDownload, SegmentComment
from app.services.garden import get_garden
from app.services.translating.catalogs import sync_garden
from tests.review_support import LANG, SLUG
from tests.test_offline import auth, download, site, translate_text  # noqa: F401

CHIEF = "chief of staff.md"
NEW = "Le rôle de chief of staff.md"
NEW_SLUG = "le-role-de-chief-of-staff"


def rename(app) -> None:
    with app.app_context():
        garden = get_garden(0)
        (garden.notes.folder / CHIEF).rename(garden.notes.folder / NEW)
        sync_garden(get_garden(0))
        db.session.remove()


def test_comments_and_old_downloads_follow_a_renamed_note(site):  # noqa: F811
    client = site.test_client()
    text = download(site)
    msgid = next(e.msgid for e in polib.pofile(text) if e.msgid)
    ident = client.get(f"/api/v1/notes/{SLUG}/{LANG}/entries", headers=auth(site)).get_json()["entries"][0]["id"]
    posted = client.post(f"/api/v1/notes/{SLUG}/{LANG}/entries/{ident}/comments", json={"text": "Keep “chief of staff”"},
                         headers=auth(site))
    assert posted.status_code == 201
    rename(site)
    thread = client.get(f"/api/v1/notes/{NEW_SLUG}/{LANG}/comments", headers=auth(site)).get_json()
    assert [c["text"] for c in thread["comments"]] == ["Keep “chief of staff”"] and thread["open"] == 1
    with site.app_context():
        assert set(db.session.scalars(select(SegmentComment.source))) == {NEW}
        assert set(db.session.scalars(select(CatalogDownload.source))) == {NEW}
    response = client.post(f"/api/v1/notes/{NEW_SLUG}/{LANG}/po", headers=auth(site),
                           data=translate_text(text, {msgid: "External chief of staff"}).encode())
    assert response.status_code == 200, response.get_json()
    assert [a["msgid"] for a in response.get_json()["applied"]] == [msgid]
