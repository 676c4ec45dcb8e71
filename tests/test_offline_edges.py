"""Offline work as translators meet it: curl, Poedit's comments and marks, old downloads, plurals, zips."""
from __future__ import annotations

import io
import zipfile

import polib
import pytest
from sqlalchemy import event, select

from app.catalog import minor
from app.catalog.po import read_catalog
from app.extensions import db
from app.models import EntryHistory, SegmentComment
from app.services.garden import get_garden
from tests.review_support import LANG, SLUG, change_french, fill
from tests.test_minor_flow import TYPO_NEW, TYPO_OLD
from tests.test_offline import PO_URL, auth, download, server_catalog, site, translate_text, upload  # noqa: F401


def catalog_bytes(app) -> bytes:
    with app.app_context():
        return get_garden(0).catalog_path(LANG, SLUG).read_bytes()


def edit(text: str, change) -> str:
    """Edit the downloaded file as a PO editor would (polib rewrites it with its own wrapping)."""
    po = polib.pofile(text)
    for entry in po:
        change(entry)
    return str(po)


def test_curl_data_binary_uploads_like_the_docs_say(site):
    """``curl --data-binary @note.po`` sends ``application/x-www-form-urlencoded``: the body is still the file."""
    text = download(site)
    msgid = next(e.msgid for e in polib.pofile(text) if e.msgid)
    body = translate_text(text, {msgid: "Why"}).encode("utf-8")
    response = site.test_client().post(PO_URL, data=body, headers=auth(site),
                                       content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200, response.get_json()
    assert [a["msgid"] for a in response.get_json()["applied"]] == [msgid]


def test_a_file_in_another_language_says_which(site):
    text = download(site).replace('"Language: en\\n"', '"Language: de\\n"')
    before = catalog_bytes(site)
    response = upload(site, text)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert "'de'" in error and "'en'" in error and "not of 'chief of staff.md' in 'en'" not in error
    assert catalog_bytes(site) == before


def _plural_new(text):
    return text + '\nmsgid "one note"\nmsgid_plural "%d notes"\nmsgstr[0] "a note"\nmsgstr[1] "%d notes"\n'


def _plural_existing(text):
    po = polib.pofile(text)
    entry = next(e for e in po if e.msgid)
    entry.msgid_plural, entry.msgstr_plural = entry.msgid + "s", {0: "One", 1: "Many"}
    return str(po)


def _context(text):
    po = polib.pofile(text)
    entry = next(e for e in po if e.msgid)
    entry.msgctxt, entry.msgstr = "menu", "Translated in a context"
    return str(po)


@pytest.mark.parametrize("change", [_plural_new, _plural_existing, _context], ids=["plural", "plural-of-a-segment",
                                                                                   "msgctxt"])
def test_plural_forms_and_contexts_are_refused_not_ignored_or_emptied(site, change):
    fill(site)
    before = catalog_bytes(site)
    response = upload(site, change(download(site)))
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert ("plural" in error or "msgctxt" in error) and "nothing was changed" in error
    assert catalog_bytes(site) == before


def test_an_old_download_applies_to_a_segment_whose_french_changed_only_slightly(site):
    fill(site)
    text = download(site)
    change_french(site, SLUG, TYPO_OLD, TYPO_NEW)  # minor: the server kept the translation
    report = upload(site, translate_text(text, {TYPO_OLD: "leading strategic projects"})).get_json()
    assert report["vanished"] == []
    [applied] = report["applied"]
    assert (applied["msgid"], applied["uploaded_msgid"], applied["msgstr"]) == (TYPO_NEW, TYPO_OLD,
                                                                                "leading strategic projects")
    entry = server_catalog(site)[TYPO_NEW]
    assert entry.msgstr == "leading strategic projects"
    assert minor.pending(entry)  # made against the old French: the corrected one still waits for a look


def test_an_old_download_of_a_segment_changed_in_substance_is_reported(site):
    fill(site)
    text = download(site)
    change_french(site, SLUG, TYPO_OLD, "direction de nombreux projets stratégiques")
    report = upload(site, translate_text(text, {TYPO_OLD: "leading strategic projects"})).get_json()
    assert report["applied"] == [] and [v["msgid"] for v in report["vanished"]] == [TYPO_OLD]


def test_deleting_the_minor_mark_in_poedit_confirms_the_change(site):
    fill(site)
    change_french(site, SLUG, TYPO_OLD, TYPO_NEW)
    text = download(site)
    assert "# passerelle: minor-change" in text

    def unmark(entry):
        if entry.msgid == TYPO_NEW:
            entry.tcomment = ""

    dry = upload(site, edit(text, unmark), dry_run=True).get_json()
    assert [c["msgid"] for c in dry["confirmed"]] == [TYPO_NEW] and minor.pending(server_catalog(site)[TYPO_NEW])
    report = upload(site, edit(text, unmark)).get_json()
    assert [c["msgid"] for c in report["confirmed"]] == [TYPO_NEW] and report["applied"] == []
    assert not minor.pending(server_catalog(site)[TYPO_NEW])
    with site.app_context():
        row = db.session.scalars(select(EntryHistory).where(EntryHistory.action == "confirm")).one()
        assert row.user.username == "translator"


def test_translator_comments_written_in_poedit_join_the_segment_thread(site):
    text = download(site)
    msgid = next(e.msgid for e in polib.pofile(text) if e.msgid)

    def comment(entry):
        if entry.msgid == msgid:
            entry.tcomment = "Check the term COS with the editor\n<b>not bold</b>"

    edited = edit(text, comment)
    dry = upload(site, edited, dry_run=True).get_json()
    assert [c["text"] for c in dry["comments"]] == ["Check the term COS with the editor\n<b>not bold</b>"]
    with site.app_context():
        assert db.session.scalars(select(SegmentComment)).all() == []
    report = upload(site, edited).get_json()
    assert [c["msgid"] for c in report["comments"]] == [msgid]
    again = upload(site, edited).get_json()  # the same file twice: the comment is not posted twice
    assert again["comments"] == []
    with site.app_context():
        [row] = db.session.scalars(select(SegmentComment)).all()
        assert (row.msgid, row.user.username, row.text) == (msgid, "translator",
                                                             "Check the term COS with the editor\n<b>not bold</b>")


def test_a_zip_of_many_catalogs_records_its_downloads_in_one_commit(site):
    commits = []
    with site.app_context():
        engine = db.engine
    listener = lambda conn: commits.append(1)  # noqa: E731
    event.listen(engine, "commit", listener)
    try:
        response = site.test_client().get("/api/v1/po.zip?filter=all&lang=en", headers=auth(site))
    finally:
        event.remove(engine, "commit", listener)
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        names = archive.namelist()
        tokens = {polib.pofile(archive.read(n).decode()).metadata["X-Passerelle-Download"] for n in names}
    assert len(names) >= 2 and len(tokens) == len(names)  # each file its own download
    assert len(commits) == 1
    with site.app_context():
        path = get_garden(0).catalog_path(LANG, SLUG)
        assert "X-Passerelle" not in read_catalog(path).metadata  # the catalog on disk is untouched


def test_the_upload_screen_explains_each_refusal_and_lists_confirmations_and_comments(site):
    from tests.test_offline import login

    fill(site)
    change_french(site, SLUG, TYPO_OLD, TYPO_NEW)
    client = login(site)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    text = client.get(f"/translate/{LANG}/{SLUG}/po").get_data(as_text=True)
    url = f"/translate/{LANG}/{SLUG}/upload"
    for bad, words in ((text.replace('"Language: en\\n"', '"Language: de\\n"'), "traduction en de"),
                       (_plural_new(text), "formes plurielles"), (_context(text), "contexte (msgctxt)")):
        page = client.post(url, data={"mode": "check", "file": (io.BytesIO(bad.encode()), "x.po")})
        assert page.status_code == 400 and words in page.get_data(as_text=True)

    def unmark_and_comment(entry):
        if entry.msgid == TYPO_NEW:
            entry.tcomment = "Relu avec l’éditeur"

    good = edit(text, unmark_and_comment).encode()
    page = client.post(url, data={"mode": "apply", "file": (io.BytesIO(good), "x.po")}).get_data(as_text=True)
    assert "1 modification mineure du français confirmée (sa marque supprimée dans votre fichier)" in page
    assert "1 commentaire de votre fichier ajouté au fil de son segment" in page


def test_a_zip_keeps_every_snapshot_when_reading_a_catalog_settles_an_interrupted_save(site):
    from app.models import CatalogDownload
    from tests.review_support import OTHER, source_of

    with site.app_context():
        for slug in (SLUG, OTHER):  # a save interrupted between its history row and its file, on both notes
            db.session.add(EntryHistory(source=source_of(site, slug), lang=LANG, entry_id="0" * 16, msgid="gone",
                                        action="save", before="", after="never written", pending=True))
        db.session.commit()
    from app.services.translating.offline import catalogs_zip
    from tests.review_support import user

    with site.test_request_context():
        garden = get_garden(0)
        data = catalogs_zip(garden, [(garden.notes.get(SLUG), LANG), (garden.notes.get(OTHER), LANG)], user("translator"))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        tokens = {polib.pofile(archive.read(n).decode()).metadata["X-Passerelle-Download"] for n in archive.namelist()}
    with site.app_context():
        known = set(db.session.scalars(select(CatalogDownload.token)))
        assert len(tokens) == 2 and tokens <= known  # every file can come back
