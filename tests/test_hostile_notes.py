"""One note can never harm the others: deep, huge, aliased or simply unreadable notes are broken notes.

A broken note is reported with its file and reason (in the log, by ``passerelle init``, ``sync``
and ``status``, and on its own URL as the broken-note page); every other page stays whole; fixing
or deleting the file heals the site without a restart. Each reproduction of issue 10 ("No note can
take the site down") is here; the growth of every parser with the size of a note is checked in
``tests/test_linear_time.py``, generated hostile notes in ``tests/test_fuzz_notes.py`` and several
gunicorn workers in ``tests/test_hostile_workers.py``.
"""
from __future__ import annotations

import logging
import re

import pytest

from app.catalog.segment import FrontMatterError, segment_note
from app.config import load_config
from app.content.index import NoteIndex
from app.content.limits import DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH, NoteLimits
from app.content.notes import NoteReadError, parse_note
from app.services.garden import get_garden

SEED = "chief-of-staff"
OTHER = "ceo-noubliez-pas-votre-coo-ou-chief-of-staff"
#: ``title: [[[[…]]]]`` 10,000 levels deep: a RecursionError nobody caught (issue 10).
DEEP_YAML = ("---\ntitle: " + "[" * 10_000 + "]" * 10_000 + "\n---\nTexte.\n").encode()
#: Lists and block quotes thousands deep in the body.
DEEP_LIST = ("---\ntitle: Liste profonde\n---\n" + "".join("  " * i + "- niveau\n" for i in range(200))).encode()
DEEP_QUOTE = ("---\ntitle: Citation profonde\n---\n" + "> " * 5000 + "fond\n").encode()
DEEP_MIXED = ("> - " * 3000 + "fond\n").encode()
#: 300 bytes of anchors and aliases that expand into millions of strings.
ALIAS_BOMB = ("---\n" + 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
              + "".join(f"{b}: &{b} [{', '.join(['*' + a] * 9)}]\n" for a, b in zip("abcd", "bcde"))
              + "title: *e\n---\nTexte.\n").encode()
HOSTILE = {
    "deep YAML": DEEP_YAML,
    "deep list": DEEP_LIST,
    "deep quote": DEEP_QUOTE,
    "deep quote and list": DEEP_MIXED,
    "alias bomb": ALIAS_BOMB,
    "anchor": b"---\ntitle: &t Titre\nx: *t\n---\nTexte.\n",
    "deep flow mapping": ("---\ntitle: " + "{a: " * 5000 + "}" * 5000 + "\n---\n").encode(),
    "deep block sequence": ("---\ntitle:\n" + "".join(" " * i + "- \n" for i in range(1, 300)) + "---\n").encode(),
}


def write_french(app, filename: str, data: bytes) -> None:
    (app.extensions["garden"].content_dir / "fr" / filename).write_bytes(data)


def assert_site_whole(client) -> None:
    """Every other page answers 200 and the home page still lists both seed notes."""
    home = client.get("/fr/")
    assert home.status_code == 200
    for slug in (SEED, OTHER):
        assert f"/fr/notes/{slug}" in home.get_data(as_text=True), slug
    for url in (f"/fr/notes/{SEED}", f"/fr/notes/{OTHER}", f"/en/notes/{SEED}", "/en/", "/fr/tags/",
                "/fr/search?q=chief", "/fr/feed.xml", "/sitemap.xml"):
        assert client.get(url).status_code == 200, url


def assert_broken_page(client, slug: str, filename: str, reason: str) -> str:
    response = client.get(f"/fr/notes/{slug}")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "This note cannot be displayed" in text or "Cette note ne peut pas" in text, text[:500]
    assert filename in text and re.search(reason, text), text[:2000]
    return text


# --- the reproductions of issue 10 ----------------------------------------------------------------

@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_a_hostile_note_is_a_broken_note_and_every_other_page_stays_whole(app, client, kind):
    write_french(app, "Hostile.md", HOSTILE[kind])
    assert_broken_page(client, "hostile", "Hostile.md", r"nested|deep|anchors|aliases")
    assert_site_whole(client)


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_a_fresh_index_reads_every_other_note(tmp_path, kind):
    """The hostile file comes first in file-name order: the notes after it used to vanish."""
    (tmp_path / "A hostile.md").write_bytes(HOSTILE[kind])
    for name in ("B.md", "C.md"):
        (tmp_path / name).write_text(f"---\ntitle: {name}\n---\nTexte.\n", encoding="utf-8")
    index = NoteIndex(tmp_path)
    index.refresh()
    assert [note.filename for note in index.notes()] == ["B.md", "C.md"]
    assert [error.filename for error in index.errors()] == ["A hostile.md"]
    assert re.search(r"nested|deep|anchors|aliases", index.errors()[0].reason)


def test_a_note_whose_parsing_was_cut_short_is_read_again(tmp_path, monkeypatch):
    """Stamps are recorded once a note is parsed: an interrupted parse is retried, not forgotten."""
    (tmp_path / "A.md").write_text("---\ntitle: A\n---\nTexte.\n", encoding="utf-8")
    (tmp_path / "B.md").write_text("---\ntitle: B\n---\nTexte.\n", encoding="utf-8")
    index = NoteIndex(tmp_path)
    import app.content.index as index_module

    real = index_module.parse_note

    def interrupted(data, filename, *args, **kwargs):
        raise KeyboardInterrupt  # what no `except Exception` catches (a worker told to stop)

    monkeypatch.setattr(index_module, "parse_note", interrupted)
    with pytest.raises(KeyboardInterrupt):
        index.refresh()
    monkeypatch.setattr(index_module, "parse_note", real)
    index.refresh()
    assert [note.title for note in index.notes()] == ["A", "B"]


def test_fixing_or_deleting_a_broken_note_heals_without_a_restart(app, client):
    write_french(app, "Hostile.md", DEEP_YAML)
    assert client.get("/fr/notes/hostile").status_code == 500
    write_french(app, "Hostile.md", b"---\ntitle: Enfin lisible\n---\nTexte repris.\n")
    response = client.get("/fr/notes/hostile")
    assert response.status_code == 200 and "Texte repris" in response.get_data(as_text=True)
    assert "Enfin lisible" in client.get("/fr/").get_data(as_text=True)
    write_french(app, "Hostile.md", DEEP_QUOTE)
    assert client.get("/fr/notes/hostile").status_code == 500
    (app.extensions["garden"].content_dir / "fr" / "Hostile.md").unlink()
    assert client.get("/fr/notes/hostile").status_code == 404
    assert_site_whole(client)


def test_init_sync_and_status_report_the_broken_note_without_a_traceback(app, runner):
    write_french(app, "Hostile.md", DEEP_YAML)
    write_french(app, "Bombe.md", ALIAS_BOMB)
    for args in (["init"], ["sync"], ["status"], ["sync", "--check"]):
        result = runner.invoke(args=args)
        output = result.output + result.stderr
        assert result.exit_code == 1, (args, output, result.exception)
        assert not isinstance(result.exception, RecursionError) and "Traceback" not in output, (args, output)
        assert re.search(r"Hostile\.md.*nested", output), (args, output)
        assert re.search(r"Bombe\.md.*(anchors|aliases)", output), (args, output)
    garden = app.extensions["garden"]
    assert garden.catalog_path("en", SEED).is_file() and garden.catalog_path("en", OTHER).is_file()
    assert not garden.catalog_path("en", "hostile").exists()


def test_the_broken_note_is_in_the_log(app, client, caplog):
    caplog.set_level(logging.WARNING)
    write_french(app, "Hostile.md", DEEP_YAML)
    client.get("/fr/")
    assert re.search(r"Hostile\.md.*nested", caplog.text)


def test_status_json_names_the_broken_note(app, runner):
    write_french(app, "Hostile.md", DEEP_QUOTE)
    result = runner.invoke(args=["status", "--json"])
    assert result.exit_code == 1
    assert re.search(r"Hostile\.md.*nested", result.output)


# --- limits ---------------------------------------------------------------------------------------

def test_default_limits():
    assert DEFAULT_MAX_BYTES == 1024 * 1024
    assert NoteLimits().max_bytes == DEFAULT_MAX_BYTES and NoteLimits().max_depth == DEFAULT_MAX_DEPTH
    config = load_config("/tmp/instance", {})
    assert config["MAX_NOTE_BYTES"] == DEFAULT_MAX_BYTES and config["MAX_NOTE_DEPTH"] == DEFAULT_MAX_DEPTH
    config = load_config("/tmp/instance", {"PASSERELLE_MAX_NOTE_BYTES": "5000", "PASSERELLE_MAX_NOTE_DEPTH": "6"})
    assert config["MAX_NOTE_BYTES"] == 5000 and config["MAX_NOTE_DEPTH"] == 6


@pytest.mark.parametrize("value", ["0", "-1", "lots"])
def test_a_nonsense_limit_is_refused_at_start(value):
    with pytest.raises(ValueError, match="PASSERELLE_MAX_NOTE"):
        load_config("/tmp/instance", {"PASSERELLE_MAX_NOTE_BYTES": value})


@pytest.fixture
def small_limits(app_config):
    app_config["MAX_NOTE_BYTES"] = 10_000
    app_config["MAX_NOTE_DEPTH"] = 4
    return app_config


def test_a_note_over_the_size_limit_is_broken(small_limits, app, client, runner):
    write_french(app, "Trop long.md", b"---\ntitle: Trop long\n---\n" + b"Texte. " * 2000)
    write_french(app, "Juste.md", b"---\ntitle: Juste\n---\n" + b"Texte. " * 1000)
    assert_broken_page(client, "trop-long", "Trop long.md", r"10000|10,000|10 000")
    assert client.get("/fr/notes/juste").status_code == 200
    assert_site_whole(client)
    result = runner.invoke(args=["sync"])
    assert result.exit_code == 1 and "Trop long.md" in result.output + result.stderr


@pytest.mark.parametrize(("body", "deep"), [
    ("- a\n  - b\n    - c\n      - d\n", False),
    ("- a\n  - b\n    - c\n      - d\n        - e\n", True),
    ("> > > > quatre\n", False),
    ("> > > > > cinq\n", True),
    ("> - > - quatre\n", False),
    ("> - > - > cinq\n", True),
    ("[^x]: > > > quatre\n", False),
    ("[^x]: > > > > cinq\n", True),
    ("```\n> > > > > > > > dans le code\n```\n", False),
    ("    > > > > > > > > code indenté\n", False),
])
def test_the_depth_limit_counts_quotes_list_items_and_footnotes(small_limits, app, client, body, deep):
    write_french(app, "Profondeur.md", f"---\ntitle: Profondeur\n---\n{body}".encode())
    response = client.get("/fr/notes/profondeur")
    assert response.status_code == (500 if deep else 200), response.get_data(as_text=True)[:800]
    if deep:
        assert "nested more than 4" in response.get_data(as_text=True)


def test_a_note_within_the_depth_limit_is_rendered_whole(app, client):
    """markdown-it used to drop silently what was nested more than 20 levels deep."""
    depth = DEFAULT_MAX_DEPTH
    body = "".join("  " * i + f"- niveau{i}\n" for i in range(depth))
    write_french(app, "Profonde.md", f"---\ntitle: Profonde\n---\n{body}".encode())
    text = client.get("/fr/notes/profonde").get_data(as_text=True)
    assert f"niveau{depth - 1}" in text
    assert [s.msgid for s in segment_note(f"---\ntitle: Profonde\n---\n{body}")][-1] == f"niveau{depth - 1}"


# --- a note may not render to more than a fixed multiple of itself --------------------------------

#: A reference defined once with a 50 KB URL and used 20,000 times: 130 KB that rendered to 1 GB.
REFERENCE_BOMB = ("[a]: http://example.org/" + "x" * 50_000 + "\n\n" + "[a] " * 20_000 + "\n").encode()
#: Tables whose rows markdown-it pads to a 128-column header: 30 KB made 2 million tokens.
TABLE_BOMB = (("|" + "a|" * 128 + "\n|" + "-|" * 128 + "\n" + "x\n" * 127 + "\n") * 40).encode()


@pytest.mark.parametrize(("data", "reason"), [(REFERENCE_BOMB, "render to more than"),
                                              (TABLE_BOMB, "too many blocks")])
def test_a_note_that_would_render_to_gigabytes_is_a_broken_note(app, client, runner, data, reason):
    write_french(app, "Bombe.md", data)
    assert_broken_page(client, "bombe", "Bombe.md", reason)
    assert_site_whole(client)
    result = runner.invoke(args=["sync"])
    assert result.exit_code == (1 if data is TABLE_BOMB else 0), result.output + result.stderr
    rendered = runner.invoke(args=["render", "--lang", "en", "--out", str(app.instance_path + "/out")])
    assert rendered.exit_code == (1 if data is TABLE_BOMB else 0) and "Traceback" not in rendered.output


def test_the_screens_of_a_note_that_cannot_be_rendered_say_so(app, client):
    from tests.test_api import make_accounts
    from tests.test_bad_input import login

    make_accounts(app)
    write_french(app, "Bombe.md", REFERENCE_BOMB)
    editor = login(app, "editor")
    review = editor.get("/review/en/bombe")
    text = review.get_data(as_text=True)
    assert review.status_code == 500 and "Bombe.md" in text and "render to more than" in text, text[:1000]
    assert editor.get("/translate/en/bombe").status_code == 200  # its preview is left out, the work goes on
    assert editor.get("/review/").status_code == 200 and editor.get("/translate/").status_code == 200
    assert_site_whole(client)


def test_long_lists_and_tables_are_no_bombs(app, client):
    write_french(app, "Liste.md", ("- élément\n" * 5_000 + "\n|a|b|\n|-|-|\n" + "|c|d|\n" * 2_000).encode())
    response = client.get("/fr/notes/liste")
    assert response.status_code == 200 and len(re.findall(r"<li[ >]", response.get_data(as_text=True))) >= 5_000


# --- any exception, wherever it happens, breaks only its note --------------------------------------

def test_any_exception_reading_a_note_makes_it_a_broken_note(app, client, monkeypatch):
    import app.content.notes as notes

    real = notes.find_wikilinks

    def flaky(markdown):
        if "PIÈGE" in markdown:
            raise ZeroDivisionError("un bogue que personne n'attendait")
        return real(markdown)

    monkeypatch.setattr(notes, "find_wikilinks", flaky)
    write_french(app, "Piege.md", "---\ntitle: Piège\n---\nPIÈGE\n".encode())
    assert_broken_page(client, "piege", "Piege.md", "ZeroDivisionError")
    assert_site_whole(client)


def test_any_exception_rendering_a_note_shows_its_broken_page_and_spares_the_others(app, client, monkeypatch):
    import app.services.reading.note_pages as note_pages

    real = note_pages.render_note_body

    def flaky(text, options):
        if "PIÈGE" in text:
            raise RecursionError("maximum recursion depth exceeded")
        return real(text, options)

    monkeypatch.setattr(note_pages, "render_note_body", flaky)
    import app.services.reading.embeds as embeds

    monkeypatch.setattr(embeds, "render_note_body", flaky)
    write_french(app, "Piege.md", "---\ntitle: Piège\n---\nPIÈGE\n".encode())
    write_french(app, "Hote.md", "---\ntitle: Hôte\n---\nAvant ![[Piege]] après.\n".encode())
    assert_broken_page(client, "piege", "Piege.md", "RecursionError")
    host = client.get("/fr/notes/hote")  # the embed falls back to a link
    assert host.status_code == 200 and "/fr/notes/piege" in host.get_data(as_text=True)
    assert_site_whole(client)


def test_any_exception_segmenting_a_note_is_reported_by_sync_and_status(app, runner, monkeypatch):
    import app.catalog.note_catalog as sync

    real = sync.segment_note

    def flaky(text, *args, **kwargs):
        if "PIÈGE" in text:
            raise IndexError("list index out of range")
        return real(text, *args, **kwargs)

    monkeypatch.setattr(sync, "segment_note", flaky)
    write_french(app, "Piege.md", "---\ntitle: Piège\n---\nPIÈGE\n".encode())
    result = runner.invoke(args=["sync"])
    assert result.exit_code == 1 and re.search(r"Piege\.md.*IndexError", result.output + result.stderr)
    garden = app.extensions["garden"]
    assert garden.catalog_path("en", SEED).is_file()


# --- a byte order mark, empty catalogs, submissions -------------------------------------------------

def test_a_byte_order_mark_before_the_front_matter_is_ignored(app, client):
    data = "\ufeff---\ntitle: Avec BOM\ntags: [marque]\n---\nTexte après la marque.\n".encode()
    note = parse_note(data, "Bom.md", "bom")
    assert note.title == "Avec BOM" and note.tags == ("marque",) and note.body == "Texte après la marque.\n"
    write_french(app, "Bom.md", data)
    page = client.get("/fr/notes/bom").get_data(as_text=True)
    assert "Avec BOM" in page and "title:" not in page
    assert [(s.type, s.msgid) for s in segment_note(data.decode())] == [
        ("title", "Avec BOM"), ("paragraph", "Texte après la marque.")]


def test_a_note_that_is_only_a_byte_order_mark_is_empty():
    note = parse_note("\ufeff".encode(), "Vide.md", "vide")
    assert note.title == "Vide" and note.body == ""


@pytest.mark.parametrize("data", [b"", b"\n", b"# rien que des commentaires\n",
                                  b'msgid "Bonjour"\nmsgstr "Hello"\n'])
def test_a_catalog_without_header_is_corrupt_reported_and_never_overwritten(app, client, runner, data):
    garden = app.extensions["garden"]
    runner.invoke(args=["sync"])
    path = garden.catalog_path("en", SEED)
    path.write_bytes(data)
    result = runner.invoke(args=["sync"])
    assert result.exit_code == 1
    assert re.search(r"chief-of-staff\.po.*(empty|header)", result.output + result.stderr), result.output
    assert path.read_bytes() == data
    status = runner.invoke(args=["status"])
    assert status.exit_code == 1 and re.search(r"(empty|header)", status.output)
    with app.app_context():
        get_garden(0)
    assert path.read_bytes() == data


def test_submit_checks_every_french_segment_not_only_the_catalogs_entries(app, client):
    from tests.test_api import bearer, fresh_garden, make_accounts

    fresh_garden(app)
    tokens = make_accounts(app)
    headers = bearer(tokens["translator"])
    entries = client.get(f"/api/v1/notes/{SEED}/en/entries", headers=headers).get_json()["entries"]
    for entry in entries:
        response = client.put(f"/api/v1/notes/{SEED}/en/entries/{entry['id']}", headers=headers,
                              json={"msgstr": "EN " + entry["msgid"], "base_version": entry["version"]})
        assert response.status_code == 200, response.get_json()
    path = app.extensions["garden"].catalog_path("en", SEED)
    blocks = path.read_text(encoding="utf-8").split("\n\n")
    dropped = next(block for block in blocks[1:] if block.startswith("#"))
    path.write_text("\n\n".join(block for block in blocks if block is not dropped), encoding="utf-8")
    response = client.post(f"/api/v1/notes/{SEED}/en/submit", headers=headers)
    assert response.status_code == 409, response.get_json()
    assert response.get_json()["missing"]["untranslated"] == 1, response.get_json()


# --- published snapshots ---------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["deep YAML", "alias bomb", "deep quote"])
def test_a_hostile_published_snapshot_breaks_nothing_else(app, client, kind):
    garden = app.extensions["garden"]
    (garden.content_dir / "en" / "hostile.md").write_bytes(HOSTILE[kind])
    write_french(app, "Hostile.md", b"---\ntitle: Hostile\n---\nTexte.\n")
    assert client.get("/en/notes/hostile").status_code in (200, 500)
    assert client.get("/fr/notes/hostile").status_code == 200
    assert_site_whole(client)


def test_segmenting_refuses_aliases_and_deep_front_matter():
    for data in (ALIAS_BOMB, DEEP_YAML, HOSTILE["deep flow mapping"]):
        with pytest.raises(FrontMatterError):
            segment_note(data.decode())


def test_reading_reports_the_line_of_a_refused_alias():
    with pytest.raises(NoteReadError) as caught:
        parse_note(b"---\ntitle: Titre\nx: &ancre valeur\n---\n", "A.md", "a")
    assert caught.value.line == 3 and "anchors" in caught.value.reason


# --- the index snapshot a new worker starts from -----------------------------------------------------

def test_a_snapshot_read_within_other_limits_is_not_loaded(app, paths):
    """A note broken under the old limits may be readable under the new ones (and the reverse): read again."""
    from app.content import snapshot
    from app.services.garden import Garden, save_snapshot, snapshot_path

    write_french(app, "Trop long.md", b"---\ntitle: Trop long\n---\n" + b"Texte. " * 2000)
    with app.app_context():
        save_snapshot(app, get_garden(max_age=0))
    path = snapshot_path(app)
    same = Garden(paths["content"], paths["translations"], ["fr", "en"])
    assert snapshot.load(path, same.notes, same.published)
    assert same.notes.limits == NoteLimits()  # the configuration's limits, never the snapshot's
    smaller = Garden(paths["content"], paths["translations"], ["fr", "en"], limits=NoteLimits(max_bytes=10_000))
    assert not snapshot.load(path, smaller.notes, smaller.published)
    smaller.refresh()
    assert [error.filename for error in smaller.notes.errors()] == ["Trop long.md"]
