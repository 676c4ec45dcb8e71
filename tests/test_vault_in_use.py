"""A vault used as its author, translator and editor use it: what broke when we tried issues 11 and 12 from outside."""
from __future__ import annotations

import re

from tests.obsidian_support import ATTACHMENTS, install_vault, publish
from tests.obsidian_support import vault  # noqa: F401
from tests.review_support import PASSWORD, clean_garden, fill, make_users, submit


def logged_in(app, username: str):
    """A client logged in as ``username``, its interface in English."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert client.post("/login", data={"username": username, "password": PASSWORD}).status_code == 302
    return client


# -- the translator's preview and the editor's screen show what readers see -------------------------
def test_preview_and_review_resolve_images_relative_to_the_note(app, paths):
    """``![Plan](../../assets/x.png)`` is relative to the note's folder on every screen, not only on reader pages."""
    install_vault(paths)
    clean_garden(app)
    make_users(app)
    fill(app, ATTACHMENTS, lambda msgid: "EN " + msgid)
    submit(app, ATTACHMENTS)
    screens = {"preview": logged_in(app, "translator").get(f"/translate/en/{ATTACHMENTS}"),
               "review": logged_in(app, "editor").get(f"/review/en/{ATTACHMENTS}")}
    for name, response in screens.items():
        html = response.get_data(as_text=True)
        assert response.status_code == 200, name
        assert "Missing embed: ../../assets" not in html and "Missing embed: photo" not in html, name
        plan = re.search(r'<img [^>]*alt="Plan du jardin"[^>]*>', html)
        assert plan and "/assets/sch%C3%A9ma%20jardin.png" in plan.group(0), (name, re.findall(r"<img [^>]*>", html))
        local = re.search(r'<img [^>]*alt="Photo prise sur place"[^>]*>', html)
        assert local and "/_notes/Jardin/photo%20locale.png" in local.group(0), name


# -- one note with control characters never breaks a feed or the sitemap ----------------------------
CONTROL = "".join(chr(c) for c in range(0x20) if chr(c) not in "\t\n\r") + "\x7f\ufffe\uffff"


def test_control_characters_in_a_note_keep_feeds_and_sitemap_well_formed(client, paths):
    """A NUL in ``![[x\\0.png]]`` (or any C0 control, U+FFFE, U+FFFF) made the Atom feed invalid XML."""
    from xml.etree import ElementTree

    note = paths["content"] / "fr" / "Contrôle.md"
    text = (f"---\ntitle: \"Titre\\x01 \\x1b[31m\"\ntags: [\"a\\x02b\"]\n---\n"
            f"![[photo.jpg\x00.png]] texte{CONTROL}fin\n")
    note.write_text(text, encoding="utf-8")
    for url in ("/fr/feed.xml", "/en/feed.xml", "/sitemap.xml"):
        response = client.get(url)
        assert response.status_code == 200, url
        ElementTree.fromstring(response.data)  # well-formed, or it raises
    feed = client.get("/fr/feed.xml").get_data(as_text=True)
    entry = re.search(r"<entry><title>Titre.*?</entry>", feed, re.S)
    assert entry and "texte" in entry.group(0) and "fin" in entry.group(0) and 'term="ab"' in entry.group(0)
