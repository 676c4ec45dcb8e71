"""Uploaded PO files as editors write them: any declared charset, old Mac line ends, comments on vanished entries."""
from __future__ import annotations

import html
import io
import re

import polib
import pytest

from app.extensions import db
from app.models import SegmentComment
from app.services.garden import get_garden
from app.services.translating.upload_text import UploadTextError, upload_text
from tests.review_support import LANG, SLUG
from tests.test_offline import download, login, server_catalog, site, translate_text, upload  # noqa: F401
from tests.test_offline_edges import catalog_bytes

UPLOAD_URL = f"/translate/{LANG}/{SLUG}/upload"
ACCENTED = "Café déjà vu – l’œuvre"  # in ISO-8859-1 but for the dash and quote, all in windows-1252


def first_msgid(text: str) -> str:
    return next(e.msgid for e in polib.pofile(text) if e.msgid)


def in_charset(text: str, charset: str) -> bytes:
    """The file as a PO editor saves it in ``charset``: the entries it can hold (their references dropped)."""
    po = polib.pofile(text)
    for entry in list(po):
        entry.occurrences = []
        try:
            str(entry).encode(charset)
        except UnicodeEncodeError:
            po.remove(entry)
    po.metadata["Content-Type"] = f"text/plain; charset={charset}"
    po.header = ""
    return str(po).encode(charset)


def encodable_msgid(text: str) -> str:
    return next(e.msgid for e in polib.pofile(text) if e.msgid and e.msgid.isascii() is False
                and all(ord(c) < 256 for c in e.msgid))


@pytest.mark.parametrize("charset,translation", [("ISO-8859-1", "Café déjà vu"), ("windows-1252", ACCENTED),
                                                 ("latin1", "Noël à l'école")])
def test_a_file_in_its_declared_charset_is_read_and_stored_as_utf8(site, charset, translation):
    text = download(site)
    msgid = encodable_msgid(text)
    response = upload(site, in_charset(translate_text(text, {msgid: translation}), charset))
    assert response.status_code == 200, response.get_json()
    assert [a["msgstr"] for a in response.get_json()["applied"]] == [translation]
    assert server_catalog(site)[msgid].msgstr == translation
    stored = catalog_bytes(site)
    assert translation.encode("utf-8") in stored and b"charset=UTF-8" in stored


def test_the_form_checks_and_applies_a_latin1_file(site):
    client = login(site)
    text = client.get(f"/translate/{LANG}/{SLUG}/po").get_data(as_text=True)
    msgid = encodable_msgid(text)
    data = in_charset(translate_text(text, {msgid: "Déjà traduit"}), "ISO-8859-1")
    check = client.post(UPLOAD_URL, data={"mode": "check", "file": (io.BytesIO(data), "x.po")})
    page = check.get_data(as_text=True)
    assert check.status_code == 200 and "1 translation to apply" in page and "Déjà traduit" in page
    po_text = html.unescape(re.search(r'name="po_text" value="([^"]*)"', page).group(1))
    assert "charset=UTF-8" in po_text  # the carried text is UTF-8 now, and says so
    applied = client.post(UPLOAD_URL, data={"mode": "apply", "po_text": po_text})
    assert applied.status_code == 200 and "1 translation applied" in applied.get_data(as_text=True)
    assert server_catalog(site)[msgid].msgstr == "Déjà traduit"


@pytest.mark.parametrize("header,words", [
    (None, "declares no charset"), ("CHARSET", "declares no charset"), ("UTF-8", "declares UTF-8"),
    ("ascii", "not valid ascii"), ("klingon", "'klingon', which is unknown"),
    ("UTF-16", "not ASCII-compatible")])
def test_undeclared_or_unusable_charsets_are_refused_clearly(site, header, words):
    text = download(site)
    text = translate_text(text, {encodable_msgid(text): "Déjà"})
    data = in_charset(text, "latin-1").replace(b"charset=latin-1", f"charset={header}".encode())
    if header is None:
        data = re.sub(rb'"Content-Type: [^"]*"\n', b"", data)
    before = catalog_bytes(site)
    response = upload(site, data)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert words in error and "nothing was changed" in error
    if header != "klingon" and header != "UTF-16":
        first = next(i for i, byte in enumerate(data) if byte >= 0x80)  # the first byte that is not ASCII
        line = data[:first].count(b"\n") + 1
        assert f"line {line} " in error
    assert catalog_bytes(site) == before


def test_the_form_explains_an_unknown_charset_in_french(site):
    client = login(site)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    text = download(site).replace("charset=UTF-8", "charset=klingon", 1)
    page = client.post(UPLOAD_URL, data={"mode": "check", "file": (io.BytesIO(text.encode()), "x.po")})
    assert page.status_code == 400 and "klingon" in page.get_data(as_text=True)
    assert "Enregistrez-le en UTF-8" in page.get_data(as_text=True)


def test_an_old_mac_file_with_bare_cr_line_ends_is_read(site):
    text = download(site)
    msgid = first_msgid(text)
    data = translate_text(text, {msgid: "Why"}).replace("\n", "\r").encode("utf-8")
    response = upload(site, data)
    assert response.status_code == 200, response.get_json()
    assert [a["msgid"] for a in response.get_json()["applied"]] == [msgid]
    page = login(site).post(UPLOAD_URL, data={"mode": "check", "file": (io.BytesIO(data), "x.po")})
    assert page.status_code == 200 and "0 translations to apply" in page.get_data(as_text=True)  # now applied


def test_a_stray_cr_among_lf_line_ends_names_its_line(site):
    text = download(site)
    lines = text.split("\n")
    number = next(i for i, line in enumerate(lines) if line.startswith("msgstr") and i > 20)
    lines[number] = 'msgstr "a\rb"'
    response = upload(site, "\n".join(lines))
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert f"line {number + 1} " in error and "carriage return (CR)" in error
    client = login(site)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    page = client.post(UPLOAD_URL, data={"mode": "check", "file": (io.BytesIO("\n".join(lines).encode()), "x.po")})
    assert page.status_code == 400 and f"ligne {number + 1}" in page.get_data(as_text=True).lower()


def test_upload_text_keeps_a_utf8_file_as_it_is():
    data = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "é"\nmsgstr "e"\n'
    assert upload_text(("\ufeff" + data).encode("utf-8")) == data
    with pytest.raises(UploadTextError):
        upload_text(data.replace("UTF-8", "utf-32").encode("utf-8"))


OLD = "direction de projets stratégiques"


def vanish(app) -> None:
    """Rewrite the French so the segment holding ``OLD`` is gone (a substantive change)."""
    with app.app_context():
        garden = get_garden(0)
        path = garden.note_path(garden.notes.get(SLUG))
        path.write_text(path.read_text().replace(OLD, "direction de nombreux projets"), encoding="utf-8")


def commented(text: str, comment: str, msgstr: str | None = None) -> str:
    po = polib.pofile(text)
    for entry in po:
        if entry.msgid == OLD:
            entry.tcomment = comment
            if msgstr is not None:
                entry.msgstr = msgstr
    return str(po)


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "real"])
def test_a_comment_on_a_vanished_entry_is_reported_not_lost_silently(site, dry_run):
    text = download(site)
    vanish(site)
    report = upload(site, commented(text, "Check the term with Anna"), dry_run=dry_run).get_json()
    assert report["vanished"] == [{"msgid": OLD, "yours": "", "comment": "Check the term with Anna"}]
    assert report["comments"] == [] and report["applied"] == []
    translated = upload(site, commented(text, "Is this right?", "strategic projects"), dry_run=dry_run).get_json()
    assert translated["vanished"] == [{"msgid": OLD, "yours": "strategic projects", "comment": "Is this right?"}]
    with site.app_context():
        assert db.session.query(SegmentComment).count() == 0


def test_the_form_shows_the_comment_of_a_vanished_entry(site):
    client = login(site)
    text = client.get(f"/translate/{LANG}/{SLUG}/po").get_data(as_text=True)
    vanish(site)
    data = commented(text, "Check the term with Anna").encode()
    for mode in ("check", "apply"):
        page = client.post(UPLOAD_URL, data={"mode": mode, "file": (io.BytesIO(data), "x.po")}).get_data(as_text=True)
        assert "1 segment whose French no longer exists: not applied" in page
        assert "Your comment (not added):" in page and "Check the term with Anna" in page
