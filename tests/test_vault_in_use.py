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


# -- dates: each one from the best source that has it ------------------------------------------------
def test_a_note_with_only_created_takes_its_last_change_from_git(client, paths):
    """220 notes of the sklein garden have ``created_at`` only: their last change is git's last commit, as Quartz
    and Hugo take it, not the creation date (which made every edited note look untouched since it was written)."""
    from tests.test_obsidian_content import git

    notes = paths["content"] / "fr"
    git(paths["content"], "init", "-q")
    (notes / "Créée.md").write_text("---\ncreated_at: 2021-03-04 10:00\n---\nPremier jet.\n", encoding="utf-8")
    (notes / "Datée.md").write_text("---\nupdated: 2020-06-01\n---\nMise à jour déclarée.\n", encoding="utf-8")
    git(paths["content"], "add", ".")
    git(paths["content"], "commit", "-qm", "1", date="2021-03-05T09:00:00Z")
    (notes / "Créée.md").write_text("---\ncreated_at: 2021-03-04 10:00\n---\nPremier jet, relu.\n", encoding="utf-8")
    (notes / "Datée.md").write_text("---\nupdated: 2020-06-01\n---\nMise à jour déclarée, relue.\n", encoding="utf-8")
    git(paths["content"], "commit", "-qam", "2", date="2023-09-10T08:00:00Z")
    page = client.get("/fr/notes/creee").get_data(as_text=True)
    assert "Modifiée le 10 septembre 2023" in page
    sitemap = client.get("/sitemap.xml").get_data(as_text=True)
    assert "/fr/notes/creee</loc><lastmod>2023-09-10T08:00:00Z</lastmod>" in sitemap
    # the author's own ``updated`` wins over git's later commits
    assert "/fr/notes/datee</loc><lastmod>2020-06-01T00:00:00Z</lastmod>" in sitemap


def test_dates_per_field_without_git():
    """Without git, a note with only ``created`` was last changed then (Hugo's ``date`` fallback), never "today"
    because a checkout touched the file; with only ``updated``, it was created no later than that."""
    from datetime import datetime, timezone

    from app.content.dates import note_dates

    created, updated = datetime(2021, 1, 1, tzinfo=timezone.utc), datetime(2022, 1, 1, tzinfo=timezone.utc)
    today = datetime(2030, 1, 1, tzinfo=timezone.utc).timestamp()
    git = (datetime(2020, 5, 1, tzinfo=timezone.utc), datetime(2024, 5, 1, tzinfo=timezone.utc))
    def dates(*args):
        found = note_dates(*args)
        return found.created, found.updated

    assert dates((created, None), None, today) == (created, created)
    assert dates((None, updated), None, today) == (updated, updated)
    assert dates((created, None), git, today) == (created, git[1])
    assert dates((None, updated), git, today) == (git[0], updated)
    assert dates((created, updated), git, today) == (created, updated)
    assert dates((None, None), git, today) == git
    assert dates((None, None), None, today) == (datetime(2030, 1, 1, tzinfo=timezone.utc),) * 2
    late = datetime(2025, 1, 1, tzinfo=timezone.utc)
    assert dates((late, None), git, today) == (late, late)  # never changed before it was created
    early = datetime(2019, 1, 1, tzinfo=timezone.utc)
    assert dates((None, early), git, today) == (early, early)  # created no later than the author's update


# -- a renamed note's old addresses keep working in the static export --------------------------------
def renamed_and_exported(app, runner, tmp_path, *args: str):
    """Publish the seed note, rename it as an author would in git, sync, and export (``args`` to the export)."""
    from app.services.garden import get_garden
    from app.services.publishing import approval
    from tests.review_support import LANG, SLUG, ready, user

    clean_garden(app)
    make_users(app)
    ready(app)
    with app.app_context():
        garden = get_garden(0)
        approval.approve_translation(garden, garden.notes.get(SLUG), LANG, user("editor"))
        folder = garden.notes.folder
    (folder / "chief of staff.md").rename(folder / "Bras droit.md")
    assert runner.invoke(args=["sync"]).exit_code == 0
    target = tmp_path / "site"
    result = runner.invoke(args=["export", str(target), *args])
    assert result.exit_code == 0, result.output
    return target, result


def test_export_writes_redirect_pages_for_old_slugs(app, runner, tmp_path):
    """The server answers 301 at a renamed note's old URL; a static host cannot, so the export leaves a page that
    sends readers (``meta refresh``) and search engines (``rel=canonical``) on, as Hugo and Jekyll do for aliases."""
    target, result = renamed_and_exported(app, runner, tmp_path)
    assert "chief-of-staff: 301, not exported" not in result.output
    for lang in ("fr", "en"):
        page = (target / lang / "notes" / "chief-of-staff" / "index.html").read_text("utf-8")
        assert '<meta http-equiv="refresh" content="0; url=../bras-droit/">' in page
        assert '<link rel="canonical" href="../bras-droit/">' in page
        assert '<meta name="robots" content="noindex">' in page
        assert f'<html lang="{lang}">' in page and '<a href="../bras-droit/">' in page
        assert (target / lang / "notes" / "bras-droit" / "index.html").is_file()
    assert "<script" not in page


def test_export_redirect_pages_point_at_the_site_url(app, runner, tmp_path):
    target, _ = renamed_and_exported(app, runner, tmp_path, "--site-url", "https://notes.example.org/jardin")
    page = (target / "en" / "notes" / "chief-of-staff" / "index.html").read_text("utf-8")
    assert '<link rel="canonical" href="https://notes.example.org/jardin/en/notes/bras-droit/">' in page
    assert '<meta http-equiv="refresh" content="0; url=../bras-droit/">' in page  # relative: works before upload too
    sitemap = (target / "sitemap.xml").read_text("utf-8")
    assert "/notes/bras-droit" in sitemap and "/notes/chief-of-staff" not in sitemap


# -- status --json says what the orphaned catalogs hold ----------------------------------------------
def test_status_json_lists_orphaned_catalogs(app, runner):
    """The table listed orphans; ``--json`` (what scripts read) did not. Orphans are extra rows, marked, with the
    file they were made for and their counts; the notes' rows are unchanged, and an orphan is not an error."""
    import json

    from app.services.garden import get_garden
    from tests.review_support import LANG, SLUG

    clean_garden(app)
    fill(app, SLUG, lambda msgid: "EN " + msgid)
    with app.app_context():
        garden = get_garden(0)
        folder, catalog = garden.notes.folder, garden.catalog_path(LANG, SLUG)
    before = json.loads(runner.invoke(args=["status", "--json"]).stdout)
    (folder / "chief of staff.md").unlink()
    (catalog.parent / "broken.po").write_bytes(b'msgid "x"\nmsgstr "unterminated\n')
    assert runner.invoke(args=["sync"]).exit_code == 0
    result = runner.invoke(args=["status", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    notes = [row for row in rows if not row.get("orphaned")]
    assert notes == [row for row in before if row["slug"] != SLUG]
    orphans = {row["slug"]: row for row in rows if row.get("orphaned")}
    assert set(orphans) == {SLUG, "broken"}
    row = orphans[SLUG]
    assert row["source"] is None and row["title"] is None and row["former_source"] == "chief of staff.md"
    counts = row["languages"][LANG]
    assert counts["translated"] > 5 and counts["untranslated"] == 0 and counts["catalog"].endswith("chief-of-staff.po")
    assert "error" in orphans["broken"]["languages"][LANG]


# -- links to a heading land on it in English too ----------------------------------------------------
def test_links_to_a_heading_land_on_it_on_english_pages(client, vault):  # noqa: F811
    """``[[Source des blocs#Méthode]]`` links to ``#methode``; the English page named its heading ``en-methode``, so
    the link went to the top of the page. English headings take the ids of the French ones they translate."""
    from tests.obsidian_support import BLOCKS, EMBEDS

    embeds = client.get(f"/en/notes/{EMBEDS}").get_data(as_text=True)
    fragments = set(re.findall(rf'href="/en/notes/{BLOCKS}#([^"]+)"', embeds))
    assert "user-content-methode" in fragments  # note ids carry the user-content- prefix (tests/test_content_ids.py)
    target = client.get(f"/en/notes/{BLOCKS}").get_data(as_text=True)
    ids = set(re.findall(r' id="([^"]+)"', target))
    assert fragments <= ids, fragments - ids
    assert re.search(r'<h\d id="user-content-methode">EN Méthode</h\d>', target)
    french = client.get(f"/fr/notes/{BLOCKS}").get_data(as_text=True)
    assert re.findall(r'<h\d id="([^"]+)"', french) == re.findall(r'<h\d id="([^"]+)"', target)


# -- hostile forms of the new syntax: every page stays whole, nothing outside the vault is named -------
HOSTILE_EMBEDS = [
    "![[../../../../etc/passwd.png]]", "![[%2e%2e/%2e%2e/instance/secret.png]]", "![[/etc/passwd.png]]",
    "![[..\\\\..\\\\secret.png]]", "![[photo locale.png\x00.png]]", "![[" + "a" * 5000 + ".png]]",
    "![x](../../../../../../etc/hostname.png)", "![x](%2e%2e%2f%2e%2e%2f%2e%2e%2fsecret.png)", "![x](/etc/passwd.png)",
    "![x](file:///etc/passwd.png)", "![x](<../../../secret.png>)",
    "![[facteurs de contraction.png|99999x99999]]", "![[facteurs de contraction.png|-5x-5]]",
    "![[facteurs de contraction.png|\" onerror=\"alert(1)]]", "![[programme.pdf#page=<script>]]",
    "![[Hostile#^nope]]", "![[Hostile]]", "![[Hostile#Hostile]]",
]


def parsed_tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Every start tag of ``html`` with its attributes, as a browser's parser reads them."""
    from html.parser import HTMLParser

    found = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Collector().feed(html)
    return found


def test_hostile_embeds_render_as_notices_and_name_only_vault_files(app, client, paths, tmp_path):
    install_vault(paths)
    (paths["content"] / "secret.png").write_bytes(b"\x89PNG outside the vault")
    (paths["instance"] / "secret.png").write_bytes(b"\x89PNG in the instance")
    body = "\n\n".join(HOSTILE_EMBEDS) + "\n\n# Hostile\n\nUn commentaire jamais fermé %%commence ici\net continue\n"
    (paths["content"] / "fr" / "_notes" / "Hostile.md").write_text(body, encoding="utf-8")
    response = client.get("/fr/notes/hostile")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    main = html.split('<div class="note-body">')[1].split("</article>")[0]
    tags = parsed_tags(main)
    assert not [t for t, attrs in tags if t == "script" or any(name.startswith("on") for name, _ in attrs)]
    assert not [value for _, attrs in tags for name, value in attrs if name in ("src", "href") and
                not (value or "").startswith(("/files/", "/fr/notes/"))]
    assert "commence ici" not in html and "et continue" not in html  # an unclosed comment hides the rest, as in Obsidian
    for url in set(re.findall(r'(?:src|href)="(/files/[^"]+)"', main)):
        served = client.get(url.replace("&amp;", "&"))
        assert served.status_code == 200 and b"outside the vault" not in served.data and b"instance" not in served.data
    assert client.get("/fr/feed.xml").status_code == 200 and client.get("/sitemap.xml").status_code == 200
    with app.app_context():
        from app.services.garden import get_garden

        garden = get_garden(0)
        for name in ("secret.png", "../secret.png", "../../instance/secret.png"):
            assert garden.attachments.resolve(name, "_notes/Hostile.md") is None, name


# -- the first command a new user runs says what it did ----------------------------------------------
def test_first_init_reports_the_catalogs_it_created(paths, runner):
    """``passerelle init`` on a new garden printed "550 unchanged, 0 created": the index refresh had already
    created them, unreported."""
    import shutil

    for folder in paths["translations"].glob("*/notes"):
        shutil.rmtree(folder)
    result = runner.invoke(args=["init"])
    assert result.exit_code == 0, result.output
    assert "catalogs: 0 unchanged, 0 updated, 2 created" in result.stdout


# -- checks know the Obsidian markup a translator can lose ------------------------------------------
def test_markup_check_counts_highlights_and_strikethrough():
    """``Du ==texte surligné== ici.`` translated without its ``==`` passed every check: the highlight was lost."""
    from app.workflow.checks import check_entry

    def kinds(msgid, msgstr):
        return sorted(r.params["kind"] for r in check_entry(msgid, msgstr) if r.id == "markup")

    assert kinds("Du ==texte surligné== ici.", "Some highlighted text here.") == ["highlight"]
    assert kinds("Du ==texte surligné== ici.", "Some ==highlighted text== here.") == []
    assert kinds("Un ~~vieux~~ mot.", "An old word.") == ["strikethrough"]
    assert kinds("a == b et `x == y`, https://ex.org/?a==b", "a == b and `x == y`, https://ex.org/?a==b") == []
    assert kinds("Le ==un== et ==deux==.", "The ==one== and two.") == ["highlight"]
    message = next(r for r in check_entry("==a==.", "a.") if r.id == "markup").format()
    assert "==" in message and "1" in message and "0" in message


# -- a near-duplicate in a sub-folder does not take the original's links ------------------------------
def test_same_named_notes_resolve_to_the_shortest_path(client, paths):
    """Adding ``_notes/Jardin/Zettelkasten.md`` next to ``_notes/Zettelkasten.md`` moved every ``[[Zettelkasten]]``
    (and its backlinks) to the newcomer, because ``J`` sorts before ``Z``. Obsidian resolves a bare name to the
    file closest to the vault's root, as it does attachments; file order must not decide."""
    notes = paths["content"] / "fr"
    (notes / "_notes" / "Jardin").mkdir(parents=True)
    (notes / "_notes" / "Zettelkasten.md").write_text("L'original.\n", encoding="utf-8")
    (notes / "_notes" / "Hub.md").write_text("Voir [[Zettelkasten]] et [[Jardin/Zettelkasten]].\n", encoding="utf-8")
    assert 'href="/fr/notes/zettelkasten"' in client.get("/fr/notes/hub").get_data(as_text=True)
    (notes / "_notes" / "Jardin" / "Zettelkasten.md").write_text("La copie.\n", encoding="utf-8")
    hub = client.get("/fr/notes/hub?again").get_data(as_text=True)
    links = re.findall(r'<a class="wikilink" href="/fr/notes/([^"]+)"', hub)
    assert links == ["zettelkasten", "zettelkasten-2"]  # a path in the link picks the note, as in Obsidian
    assert 'href="/fr/notes/hub"' in client.get("/fr/notes/zettelkasten").get_data(as_text=True)  # its backlink


# -- attachments are cacheable for good, by browsers and shared caches -----------------------------
def test_attachments_and_favicon_are_not_revalidated_on_every_view(client, vault):  # noqa: F811
    """``Cache-Control: no-cache, public, max-age=31536000, immutable``: ``no-cache`` made browsers ask again for
    every image of every page, and ``Vary: Cookie`` split shared caches per visitor, for files that are the same
    for everyone."""
    html = client.get(f"/fr/notes/{ATTACHMENTS}").get_data(as_text=True)
    urls = sorted(set(re.findall(r'(?:src|href)="(/files/[0-9a-f]{16}/[^"#]+)', html)))
    assert any(u.endswith(".png") for u in urls) and any(u.endswith(".svg") for u in urls)
    for url in urls + ["/favicon.ico"]:
        response = client.get(url)
        assert response.status_code == 200, url
        cache = response.cache_control
        assert cache.public and not cache.no_cache and not cache.private, (url, response.headers["Cache-Control"])
        assert "cookie" not in response.headers.get("Vary", "").lower(), url
    assert client.get(urls[0]).cache_control.immutable
