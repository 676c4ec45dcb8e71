"""Offline work: download, Poedit/msgcat-style edits, upload with a three-way merge; bad files change nothing."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile

import polib
import pytest

from app.catalog.po import read_catalog
from app.catalog.threeway import EntryState, plan_upload
from app.extensions import db
from app.models import EntryHistory
from app.services import accounts
from app.services.garden import get_garden
from tests.auth_support import log_in_as
from tests.review_support import LANG, OTHER, SLUG, clean_garden, make_users

PO_URL = f"/api/v1/notes/{SLUG}/{LANG}/po"


@pytest.fixture
def site(app):
    clean_garden(app)
    app.user_ids = make_users(app)
    with app.app_context():
        app.tokens = {name: accounts.create_token(name) for name in ("translator", "editor")}
    return app


def auth(app, name="translator"):
    return {"Authorization": f"Bearer {app.tokens[name]}"}


def download(app, client=None) -> str:
    response = (client or app.test_client()).get(PO_URL, headers=auth(app))
    assert response.status_code == 200 and response.mimetype == "text/x-gettext-translation"
    assert 'filename="chief-of-staff.en.po"' in response.headers["Content-Disposition"]
    return response.get_data(as_text=True)


def upload(app, text: str | bytes, *, dry_run=False, name="translator"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return app.test_client().post(PO_URL + ("?dry_run=1" if dry_run else ""), data=data, headers=auth(app, name))


def translate_text(text: str, translations: dict[str, str]) -> str:
    """Fill msgstrs as a PO editor would (polib rewrites the file with its own wrapping)."""
    po = polib.pofile(text, wrapwidth=40)
    for entry in po:
        if entry.msgid in translations:
            entry.msgstr = translations[entry.msgid]
    return str(po)


def server_catalog(app):
    with app.app_context():
        return {e.msgid: e for e in read_catalog(get_garden(0).catalog_path(LANG, SLUG)) if not e.obsolete}


def test_the_download_says_which_version_it_was_taken_from(site):
    text = download(site)
    token = re.search(r'"X-Passerelle-Download: ([0-9a-f]+)\\n"', text).group(1)
    assert re.search(r'"X-Passerelle-Downloaded: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\\n"', text)
    assert len(token) == 32 and token not in download(site)  # each download is its own snapshot
    with site.app_context():
        assert "X-Passerelle" not in get_garden(0).catalog_path(LANG, SLUG).read_text()  # the file on disk is untouched


def test_upload_applies_what_changed_in_the_file_only(site):
    text = download(site)
    msgids = [e.msgid for e in polib.pofile(text) if e.msgid][:3]
    report = upload(site, translate_text(text, {m: "EN " + m for m in msgids[:2]})).get_json()
    assert len(report["applied"]) == 2 and report["conflicts"] == [] and report["unchanged"] > 10
    assert {a["msgid"] for a in report["applied"]} == set(msgids[:2])
    catalog = server_catalog(site)
    assert catalog[msgids[0]].msgstr == "EN " + msgids[0] and catalog[msgids[2]].msgstr == ""
    with site.app_context():
        rows = db.session.query(EntryHistory).all()
        assert {(r.action, r.user.username) for r in rows} == {("upload", "translator")} and len(rows) == 2


def test_dry_run_reports_and_changes_nothing(site):
    text = download(site)
    msgid = next(e.msgid for e in polib.pofile(text) if e.msgid)
    with site.app_context():
        before = get_garden(0).catalog_path(LANG, SLUG).read_bytes()
    report = upload(site, translate_text(text, {msgid: "EN"}), dry_run=True).get_json()
    assert report["dry_run"] and [a["msgid"] for a in report["applied"]] == [msgid]
    with site.app_context():
        assert get_garden(0).catalog_path(LANG, SLUG).read_bytes() == before
        assert db.session.query(EntryHistory).count() == 0


@pytest.mark.skipif(not shutil.which("msgcat"), reason="GNU gettext (msgcat) is not installed")
def test_poedit_style_round_trip_loses_nothing_and_reports_exactly_one_conflict(site, tmp_path):
    """Download, msgcat rewrap and re-sort, translate, upload while a colleague saves one of the same entries online."""
    path = tmp_path / "note.po"
    path.write_text(download(site), encoding="utf-8")
    subprocess.run(["msgcat", "--width=30", "--sort-output", "-o", str(path), str(path)], check=True)
    offline = polib.pofile(str(path))
    mine = [e.msgid for e in offline if e.msgid][:4]
    for entry in offline:
        if entry.msgid in mine:
            entry.msgstr = "MINE " + entry.msgid
    offline.metadata["Last-Translator"] = "Someone <someone@example.org>"  # Poedit rewrites the header
    offline.metadata["X-Generator"] = "Poedit 3.4"
    offline.save(str(path))
    # meanwhile a colleague saves one of the same entries online
    client = site.test_client()
    entries = client.get(f"/api/v1/notes/{SLUG}/{LANG}/entries", headers=auth(site, "editor")).get_json()["entries"]
    theirs = next(e for e in entries if e["msgid"] == mine[1])
    saved = client.put(f"/api/v1/notes/{SLUG}/{LANG}/entries/{theirs['id']}", headers=auth(site, "editor"),
                       json={"msgstr": "THEIRS", "base_version": theirs["version"]})
    assert saved.status_code == 200
    report = upload(site, path.read_bytes()).get_json()
    assert [c["msgid"] for c in report["conflicts"]] == [mine[1]]
    assert report["conflicts"][0]["theirs"] == "THEIRS" and report["conflicts"][0]["yours"] == "MINE " + mine[1]
    assert len(report["applied"]) == 3 and report["vanished"] == []
    catalog = server_catalog(site)
    assert catalog[mine[1]].msgstr == "THEIRS"  # never overwritten
    assert all(catalog[m].msgstr == "MINE " + m for m in (mine[0], mine[2], mine[3]))
    again = upload(site, path.read_bytes()).get_json()  # uploading the same file again changes nothing more
    assert again["applied"] == [] and len(again["conflicts"]) == 1 and again["same_on_both_sides"] == 3


def test_vanished_msgids_are_reported_not_applied(site):
    text = download(site)
    old = "direction de projets stratégiques"
    with site.app_context():
        garden = get_garden(0)
        path = garden.note_path(garden.notes.get(SLUG))
        path.write_text(path.read_text().replace(old, "direction de nombreux projets"), encoding="utf-8")
    report = upload(site, translate_text(text, {old: "strategic projects"})).get_json()
    assert report["vanished"] == [{"msgid": old, "yours": "strategic projects"}] and report["applied"] == []


def test_fuzzy_entries_in_the_file_are_drafts_not_applied(site):
    text = download(site)
    po = polib.pofile(text)
    entry = next(e for e in po if e.msgid)
    entry.msgstr, entry.flags = "draft", ["fuzzy"]
    report = upload(site, str(po)).get_json()
    assert report["drafts"] == [{"msgid": entry.msgid, "yours": "draft"}] and report["applied"] == []


BAD_FILES = {
    "not a catalog": b"this is not a PO file\n",
    "bad quoting": b'msgid ""\nmsgstr ""\n\nmsgid "a\nmsgstr "b"\n',
    "invalid UTF-8": b'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "\xff"\nmsgstr "b"\n',
    "no version": b'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "a"\nmsgstr "b"\n',
    "unknown version": b'msgid ""\nmsgstr ""\n"X-Passerelle-Download: 00ff\\n"\n\nmsgid "a"\nmsgstr "b"\n',
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_bad_files_are_refused_whole(site, name):
    with site.app_context():
        before = get_garden(0).catalog_path(LANG, SLUG).read_bytes()
    response = upload(site, BAD_FILES[name])
    assert response.status_code == 400 and "nothing was changed" in response.get_json()["error"] or name in (
        "no version", "unknown version") and response.status_code == 400
    with site.app_context():
        assert get_garden(0).catalog_path(LANG, SLUG).read_bytes() == before


def test_a_file_of_another_note_or_with_a_bad_translation_is_refused(site):
    other = site.test_client().get(f"/api/v1/notes/{OTHER}/{LANG}/po", headers=auth(site)).get_data(as_text=True)
    mismatch = upload(site, other)
    assert mismatch.status_code == 400 and "not of" in mismatch.get_json()["error"]
    text = download(site)
    msgid = next(e.msgid for e in polib.pofile(text) if e.msgid)
    bad = upload(site, translate_text(text, {msgid: "bell\x07"}))
    assert bad.status_code == 400 and "refused" in bad.get_json()["error"]
    assert all(not e.msgstr for e in server_catalog(site).values())


def test_oversized_empty_and_unauthorised_uploads(site):
    site.config["MAX_CONTENT_LENGTH"] = 1000
    big = upload(site, download(site) + "#" * 2000)
    assert big.status_code == 413 and big.is_json
    assert upload(site, b"").status_code == 400
    assert site.test_client().post(PO_URL, data=b"x").status_code == 401
    assert site.test_client().get(PO_URL).status_code == 401
    assert site.test_client().get(f"/api/v1/notes/nope/{LANG}/po", headers=auth(site)).status_code == 404


def test_zip_of_catalogs_needing_work(site):
    response = site.test_client().get("/api/v1/po.zip?filter=needs-work&lang=en", headers=auth(site))
    assert response.status_code == 200 and response.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert f"en/{SLUG}.po" in names and f"en/{OTHER}.po" in names
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert "X-Passerelle-Download" in archive.read(f"en/{SLUG}.po").decode()
    client = site.test_client()
    assert client.get("/api/v1/po.zip?filter=bogus", headers=auth(site)).status_code == 400
    assert client.get("/api/v1/po.zip?lang=xx", headers=auth(site)).status_code == 404


def test_plan_upload_table():
    base = {"a": EntryState("A", False, "1", "v1"), "b": EntryState("B", False, "2", "v1"),
            "c": EntryState("", False, "3", "v1"), "d": EntryState("D", False, "4", "v1")}
    theirs = {"a": EntryState("A", False, "1", "v1"), "b": EntryState("B2", False, "2", "v2"),
              "c": EntryState("C", False, "3", "v2"), "e": EntryState("", False, "5", "v1")}
    yours = {"a": EntryState("A!"), "b": EntryState("B3"), "c": EntryState("C"), "d": EntryState("D!"),
             "e": EntryState("E")}
    plan = plan_upload(base, theirs, yours)
    assert [(m, mine) for m, _, mine in plan.apply] == [("a", "A!"), ("e", "E")]
    assert [c["msgid"] for c in plan.conflicts] == ["b"] and plan.same == 1
    assert plan.vanished == [{"msgid": "d", "yours": "D!"}]


def login(app, name="translator"):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    log_in_as(app, client, app.user_ids[name])
    return client


def test_the_screens_download_check_and_apply(site):
    client = login(site)
    screen = client.get(f"/translate/{LANG}/{SLUG}").get_data(as_text=True)
    assert f"/translate/{LANG}/{SLUG}/po" in screen and "Work offline" in screen
    text = client.get(f"/translate/{LANG}/{SLUG}/po").get_data(as_text=True)
    msgid = next(e.msgid for e in polib.pofile(text) if e.msgid)
    translated = translate_text(text, {msgid: "Why <b>work</b>"}).encode("utf-8")
    check = client.post(f"/translate/{LANG}/{SLUG}/upload",
                        data={"mode": "check", "file": (io.BytesIO(translated), "x.po")})
    page = check.get_data(as_text=True)
    assert check.status_code == 200 and "1 translation to apply" in page and "<b>work</b>" not in page
    assert server_catalog(site)[msgid].msgstr == ""
    po_text = re.search(r'name="po_text" value="([^"]*)"', page).group(1)
    import html
    applied = client.post(f"/translate/{LANG}/{SLUG}/upload", data={"mode": "apply", "po_text": html.unescape(po_text)})
    assert applied.status_code == 200 and "1 translation applied" in applied.get_data(as_text=True)
    assert server_catalog(site)[msgid].msgstr == "Why <b>work</b>"
    refused = client.post(f"/translate/{LANG}/{SLUG}/upload", data={"mode": "apply",
                                                                     "file": (io.BytesIO(b"garbage"), "x.po")})
    assert refused.status_code == 400 and "not a valid PO catalog" in refused.get_data(as_text=True)
    empty = client.post(f"/translate/{LANG}/{SLUG}/upload", data={"mode": "apply"})
    assert empty.status_code == 400
    dashboard = client.get("/translate/?show=needs-work").get_data(as_text=True)
    assert "/translate/catalogs.zip?show=needs-work" in dashboard
    archive = client.get("/translate/catalogs.zip?show=needs-work")
    assert archive.status_code == 200 and f"en/{SLUG}.po" in zipfile.ZipFile(io.BytesIO(archive.data)).namelist()


def test_crlf_files_merge_like_lf_files(site):
    text = download(site)
    msgid = next(e.msgid for e in polib.pofile(text) if e.msgid)
    report = upload(site, translate_text(text, {msgid: "Why"}).replace("\n", "\r\n")).get_json()
    assert [a["msgid"] for a in report["applied"]] == [msgid]
