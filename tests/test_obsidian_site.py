"""A real Obsidian vault published faithfully: attachments, embeds, comments, titles, dates, tags, favicon, export."""
from __future__ import annotations

import re
import shutil

import pytest
import yaml

from app.content.frontmatter import split_front_matter
from app.services.garden import get_garden
from tests.obsidian_support import ATTACHMENTS, BARE, BLOCKS, CALLOUTS, EMBEDS, install_vault, publish
from tests.obsidian_support import vault  # noqa: F401
from tests.review_support import clean_garden, make_users
from tests.test_reader import get_page

FILE_URL = re.compile(r'(?:src|href)="(/files/[0-9a-f]{16}/[^"#]+)')


def files_in(html: str) -> list[str]:
    return FILE_URL.findall(html)


# -- attachments ------------------------------------------------------------------------------------
def test_every_embed_form_of_attachments(client, vault):  # noqa: F811
    html = client.get(f"/fr/notes/{ATTACHMENTS}").get_data(as_text=True)
    images = re.findall(r"<img [^>]*>", html)
    assert len(images) == 7
    assert 'alt="facteurs de contraction"' in images[0] and "width" not in images[0]
    assert 'width="300"' in images[1] and "height" not in images[1]
    assert 'width="120" height="80"' in images[2]
    assert 'alt="Courbe des facteurs de contraction"' in images[3]
    assert 'alt="Plan du jardin"' in images[4] and "/assets/sch%C3%A9ma%20jardin.png" in images[4]  # ../../ and %20
    assert 'alt="Photo prise sur place"' in images[5] and "/_notes/Jardin/photo%20locale.png" in images[5]
    assert "/assets/logo.svg" in images[6]
    assert re.search(r'<a class="embed-file embed-pdf" href="/files/[0-9a-f]{16}/assets/programme.pdf">', html)
    assert re.search(r'<audio class="embed-audio" controls="" preload="metadata" src="/files/[0-9a-f]{16}/assets/chant.wav">',
                     html)
    assert re.search(r'<span class="embed missing">Contenu intégré introuvable\s: absente.png</span>', html)
    assert re.search(r'<a class="wikilink" href="/files/[0-9a-f]{16}/assets/programme.pdf"', html)
    assert "<mark>texte surligné</mark>" in html
    for url in set(files_in(html)):
        assert client.get(url).status_code == 200, url


def test_english_pages_show_the_same_attachments(client, vault):  # noqa: F811
    french = client.get(f"/fr/notes/{ATTACHMENTS}").get_data(as_text=True)
    english = client.get(f"/en/notes/{ATTACHMENTS}").get_data(as_text=True)
    assert 'data-translation-state="published"' in english
    assert files_in(english) == files_in(french) and len(files_in(english)) >= 9
    assert 'alt="EN Courbe des facteurs de contraction"' in english  # alt text is translated
    assert 'alt="EN Plan du jardin"' in english


def test_attachment_route_headers_and_caching(client, vault):  # noqa: F811
    html = client.get(f"/fr/notes/{ATTACHMENTS}").get_data(as_text=True)
    png = next(url for url in files_in(html) if url.endswith(".png"))
    response = client.get(png)
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.data.startswith(b"\x89PNG")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    cache = response.cache_control
    assert cache.public and cache.max_age == 365 * 24 * 3600 and cache.immutable
    digest = png.split("/")[2]
    assert response.headers["ETag"] == f'"{digest}"'
    assert client.get(png, headers={"If-None-Match": f'"{digest}"'}).status_code == 304
    stale = client.get(png.replace(digest, "0" * 16))
    assert stale.status_code == 302 and stale.headers["Location"].endswith(png) and stale.cache_control.no_cache
    pdf = client.get(next(url for url in files_in(html) if url.endswith(".pdf")))
    assert pdf.mimetype == "application/pdf" and pdf.headers["Content-Disposition"] == "inline"
    wav = client.get(next(url for url in files_in(html) if url.endswith(".wav")))
    assert wav.mimetype == "audio/wav"


def test_svg_is_served_inert(client, vault):  # noqa: F811
    html = client.get(f"/fr/notes/{ATTACHMENTS}").get_data(as_text=True)
    svg = client.get(next(url for url in files_in(html) if url.endswith(".svg")))
    assert svg.mimetype == "image/svg+xml"
    assert "sandbox" in svg.headers["Content-Security-Policy"] and "script-src" not in svg.headers["Content-Security-Policy"]
    body = svg.get_data(as_text=True)
    assert "<circle" in body and "script" not in body and "onload" not in body


@pytest.mark.parametrize("path", [
    "/files/0000000000000000/../../secret_key", "/files/0000000000000000/%2e%2e/instance/secret_key",
    "/files/0000000000000000/_notes/Callouts.md", "/files/0000000000000000/.obsidian/app.json",
    "/files/0000000000000000/assets/nope.png", "/files/0000000000000000//etc/passwd",
])
def test_only_attachments_of_the_vault_are_served(client, vault, path):  # noqa: F811
    assert client.get(path, follow_redirects=True).status_code == 404


def test_symlinked_and_hidden_files_are_never_attachments(app, client, vault, tmp_path):  # noqa: F811
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG secret")
    assets = vault["content"] / "fr" / "assets"
    (assets / "lien.png").symlink_to(secret)
    (vault["content"] / "fr" / ".cache").mkdir()
    shutil.copy(secret, vault["content"] / "fr" / ".cache" / "cache.png")
    with app.test_request_context():
        garden = get_garden(0)
        assert garden.attachments.resolve("lien.png") is None and garden.attachments.resolve("cache.png") is None


def test_extra_attachments_folder(app_config, paths, tmp_path, migrated_sqlite):
    from app import create_app
    from tests.conftest import prepare_database

    extra = tmp_path / "media"
    extra.mkdir()
    shutil.copy(install_vault(paths) / "assets" / "programme.pdf", extra / "annexe.pdf")
    (paths["content"] / "fr" / "Annexe.md").write_text("Voir ![[annexe.pdf]].\n", encoding="utf-8")
    application = create_app({**app_config, "ATTACHMENTS_DIR": str(extra)})
    prepare_database(application, migrated_sqlite)
    html = application.test_client().get("/fr/notes/annexe").get_data(as_text=True)
    url = files_in(html)[0]
    assert url.endswith("/annexe.pdf") and application.test_client().get(url).data.startswith(b"%PDF")


# -- embeds of notes --------------------------------------------------------------------------------
def test_block_heading_and_whole_note_embeds_in_french(client, vault):  # noqa: F811
    html = client.get(f"/fr/notes/{EMBEDS}").get_data(as_text=True)
    embeds = html.split('<div class="embed embed-note">')[1:]
    assert len(embeds) == 4
    assert "Un paragraphe que l'on cite ailleurs." in embeds[0] and "Introduction" not in embeds[0]
    assert "<table>" in embeds[1] and "Chaleur" in embeds[1] and "cite ailleurs" not in embeds[1]
    assert "Méthode" in embeds[2] and "second point" in embeds[2] and "Résultats" not in embeds[2]
    assert "son titre est son nom de fichier" in embeds[3]
    assert '<span class="embed embed-note"><a class="wikilink" href="/fr/notes/embeds-de-notes"' in html  # the loop


def test_english_embeds_show_english_where_published_else_french(client, vault):  # noqa: F811
    html = client.get(f"/en/notes/{EMBEDS}").get_data(as_text=True)
    embeds = html.split('<div class="embed embed-note">')[1:]
    assert "EN Un paragraphe que l'on cite ailleurs." in embeds[0]
    assert "<h2>EN Méthode</h2>" in embeds[2] and "EN Résultats" not in embeds[2]  # the heading found by its place
    whole = embeds[3]
    assert '<div lang="fr">' in whole and "son titre est son nom de fichier" in whole
    assert 'href="/fr/notes/sans-front-matter" title="Sans front matter" lang="fr" hreflang="fr"' in whole


def test_embed_cycles_and_depth_are_bounded(app, client, paths):
    install_vault(paths)
    notes = paths["content"] / "fr"
    (notes / "A.md").write_text("A début\n\n![[B]]\n", encoding="utf-8")
    (notes / "B.md").write_text("B milieu\n\n![[A]]\n\n![[B#^x]]\n\nbloc ^x\n", encoding="utf-8")
    chain = [f"Chaîne {n}" for n in range(8)]
    for n, name in enumerate(chain):
        following = f"\n\n![[{chain[n + 1]}]]\n" if n + 1 < len(chain) else "\n"
        (notes / f"{name}.md").write_text(f"Maillon {n}{following}", encoding="utf-8")
    html = client.get("/fr/notes/a").get_data(as_text=True)
    assert html.count("A début") == 1 and html.count("B milieu") == 1  # A → B → (A: a link)
    assert html.count(">bloc<") == 2  # B's own block, and embedded in B
    chained = client.get("/fr/notes/chaine-0").get_data(as_text=True)
    assert "Maillon 3" in chained and "Maillon 5" not in chained


# -- comments, titles, dates, tags ------------------------------------------------------------------
def test_comments_never_reach_pages_feeds_search_or_catalogs(app, client, vault):  # noqa: F811
    for url in (f"/fr/notes/{BARE}", f"/fr/notes/{EMBEDS}", f"/en/notes/{EMBEDS}", "/fr/feed.xml", "/fr/",
                "/fr/search?q=commentaire"):
        body = client.get(url).get_data(as_text=True)
        assert "privé, jamais publié" not in body and "Un bloc de commentaire" not in body, url
    assert "Un commentaire" in client.get("/fr/search?q=disparait").get_data(as_text=True)
    assert BARE not in client.get("/fr/search?q=jamais+publie").get_data(as_text=True)
    catalogs = (vault["translations"] / "en" / "notes").glob("*.po")
    assert not any("privé, jamais publié" in path.read_text("utf-8") for path in catalogs)


def test_file_name_title_is_translated_and_published(app, client, vault):  # noqa: F811
    catalog = (vault["translations"] / "en" / "notes" / f"{BARE}.po").read_text("utf-8")
    assert '#. type: title\n#: content/fr/_notes/Sans front matter.md:1\nmsgid "Sans front matter"' in \
        catalog.replace("\u2068", "").replace("\u2069", "")
    publish(app, BARE, lambda msgid: "Without front matter" if msgid == "Sans front matter" else "EN " + msgid)
    published = (vault["content"] / "en" / f"{BARE}.md").read_text("utf-8")
    meta = yaml.safe_load(split_front_matter(published).yaml_text)
    assert meta["title"] == "Without front matter"
    assert "%%" not in published and "privé" not in published and "Un bloc de commentaire" not in published
    page = get_page(client, f"/en/notes/{BARE}")
    assert "Without front matter" in page.text
    assert "Without front matter" in client.get("/en/").get_data(as_text=True)


def test_dates_come_from_front_matter(client, vault):  # noqa: F811
    assert "Modifiée le 1 février 2024" in client.get(f"/fr/notes/{BLOCKS}").get_data(as_text=True)
    feed = client.get("/fr/feed.xml").get_data(as_text=True)
    assert "<updated>2024-02-01T10:30:00Z</updated>" in feed
    sitemap = client.get("/sitemap.xml").get_data(as_text=True)
    assert f"/fr/notes/{BLOCKS}</loc><lastmod>2024-02-01T10:30:00Z</lastmod>" in sitemap


def test_nested_tag_pages_list_their_children(client, vault):  # noqa: F811
    page = client.get("/fr/tags/projet").get_data(as_text=True)
    assert 'href="/fr/tags/projet/jardin"' in page and 'href="/fr/tags/projet/jardin/potager"' in page
    for slug in (EMBEDS, ATTACHMENTS, BARE):
        assert f'href="/fr/notes/{slug}"' in page
    child = client.get("/fr/tags/projet/jardin").get_data(as_text=True)
    assert f'href="/fr/notes/{ATTACHMENTS}"' in child and f'href="/fr/notes/{EMBEDS}"' not in child
    english = client.get("/en/tags/projet").get_data(as_text=True)
    assert f'href="/en/notes/{EMBEDS}"' in english and 'href="/en/tags/projet/jardin"' in english


# -- vault settings, favicon ------------------------------------------------------------------------
def test_strict_line_breaks_follow_the_vault_and_the_override(app, client, vault):  # noqa: F811
    assert "de front matter : son titre est son nom de fichier.<br>" in client.get(f"/fr/notes/{BARE}").get_data(
        as_text=True)
    (vault["content"] / "fr" / ".obsidian" / "app.json").write_text('{"strictLineBreaks": true}', encoding="utf-8")
    get_garden_refresh(app)
    assert "fichier.<br>" not in client.get(f"/fr/notes/{BARE}?strict").get_data(as_text=True)
    app.config["STRICT_LINE_BREAKS"] = "0"
    assert "fichier.<br>" in client.get(f"/fr/notes/{BARE}?override").get_data(as_text=True)


def get_garden_refresh(app) -> None:
    with app.test_request_context():
        get_garden(0)


def test_favicon_shipped_then_the_vaults_own(client, vault):  # noqa: F811
    shipped = client.get("/favicon.ico")
    assert shipped.status_code == 200 and shipped.mimetype == "image/vnd.microsoft.icon"
    assert shipped.data[:4] == b"\x00\x00\x01\x00"
    assert '<link rel="icon" href="/favicon.ico">' in client.get("/fr/").get_data(as_text=True)
    (vault["content"] / "fr" / "favicon.ico").write_bytes(b"\x00\x00\x01\x00vault icon")
    assert client.get("/favicon.ico?again").data == b"\x00\x00\x01\x00vault icon"


# -- export -----------------------------------------------------------------------------------------
def test_export_holds_the_attachments_icons_and_favicon(app, runner, vault, tmp_path):  # noqa: F811
    target = tmp_path / "site"
    result = runner.invoke(args=["export", str(target)])
    assert result.exit_code == 0, result.output
    page = (target / "fr" / "notes" / ATTACHMENTS / "index.html").read_text("utf-8")
    sources = re.findall(r'src="([^"]+)"', page)
    assert sources and all(not s.startswith("/") for s in sources)
    for src in sources:
        assert (target / "fr" / "notes" / ATTACHMENTS / src.replace("%20", " ").replace("%C3%A9", "é")).resolve().is_file()
    svg = next(target.glob("files/*/assets/logo.svg")).read_text("utf-8")
    assert "script" not in svg and "onload" not in svg
    assert (target / "favicon.ico").is_file()
    css = next(target.glob("static/style.css")).read_text("utf-8")  # icons inline: an export works from file://
    assert 'url("data:image/svg+xml,%3Csvg' in css and "callouts/warning.svg" not in css
    english = (target / "en" / "notes" / CALLOUTS / "index.html").read_text("utf-8")
    assert english.count('class="callout ') == 14
    for html in target.rglob("*.html"):
        assert "privé, jamais publié" not in html.read_text("utf-8")


def test_unpublished_vault_has_no_english_embeds(app, client, paths):
    install_vault(paths)
    clean_garden(app)
    make_users(app)
    html = client.get(f"/en/notes/{EMBEDS}").get_data(as_text=True)
    assert 'data-translation-state="unavailable"' in html
