"""Reading notes, slugs, wikilink resolution, backlinks and the index's change detection."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from app.content.frontmatter import split_front_matter
from app.content.index import NoteIndex
from app.content.notes import NoteReadError, parse_note
from app.content.slugs import fold, is_valid_slug, slugify
from app.content.wikilinks import find_hashtags, find_wikilinks
from tests.seeds import SEED_NOTES

SEEDS = SEED_NOTES
CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "sklein-notes"


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("chief of staff", "chief-of-staff"),
        ("Ceo, n'oubliez pas votre COO ou Chief of Staff", "ceo-noubliez-pas-votre-coo-ou-chief-of-staff"),
        ("Économie d’échelle", "economie-dechelle"),
        ("André Compte-Sponville", "andre-compte-sponville"),
        ("C++ / Rust", "c-rust"),
        ("...", "note"),
    ],
)
def test_slugify(name, slug):
    assert slugify(name) == slug
    assert is_valid_slug(slug)


@pytest.mark.parametrize("bad", ["../etc", "a/b", "a b", "", "é", "a--b", "-a", "a.md", "a\\b"])
def test_invalid_slugs(bad):
    assert not is_valid_slug(bad)


def test_fold_ignores_case_and_accents():
    assert fold("ÉCONOMIE") == fold("économie") == "economie"


def test_parse_seed_note():
    data = (SEEDS / "Ceo, n'oubliez pas votre COO ou Chief of Staff.md").read_bytes()
    note = parse_note(data, "Ceo, n'oubliez pas votre COO ou Chief of Staff.md", "ceo")
    assert note.title == "Ceo, n'oubliez pas votre COS ou Chief of Staff"
    assert note.tags == ("tips",)
    assert [link.target for link in note.wikilinks] == ["chief of staff", "Prendre soin du collectif"]
    assert note.text.encode("utf-8") == data


def test_title_falls_back_to_file_name():
    note = parse_note(b"no front matter\n", "dir/Ma note.md", "ma-note")
    assert note.title == "Ma note" and note.name == "Ma note" and note.body == "no front matter\n"


def test_tags_aliases_and_inline_hashtags():
    text = "---\ntags: [a, b]\naliases: Autre nom\n---\nTexte #inline et `#pas-code` [x](http://e.org/#frag) #a\n# Titre\n"
    note = parse_note(text.encode(), "n.md", "n")
    assert note.tags == ("a", "b", "inline")
    assert note.aliases == ("Autre nom",)


def test_wikilink_forms():
    links = find_wikilinks("[[a]] [[b|Label]] [[c#Section]] [[d#Sec|L]] ![[img.png]] `[[code]]` [[#Local]]")
    assert [(l.target, l.label, l.heading, l.embed) for l in links] == [
        ("a", None, None, False),
        ("b", "Label", None, False),
        ("c", None, "Section", False),
        ("d", "L", "Sec", False),
        ("img.png", None, None, True),
        ("", None, "Local", False),
    ]


def test_hashtags_skip_headings_numbers_and_urls():
    assert find_hashtags("# Heading\n#tag and #2024 and https://x.org/#anchor a#b #tag2/sub") == ["tag", "tag2/sub"]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"---\ntitle: [unclosed\n---\nbody\n", "invalid YAML"),
        (b"---\n- a list\n---\nbody\n", "not a mapping"),
        (b"---\ntitle: ok\n---\nbad \xff byte\n", "invalid UTF-8"),
    ],
)
def test_unreadable_notes_raise_with_reason(data, reason):
    with pytest.raises(NoteReadError) as caught:
        parse_note(data, "broken.md", "broken")
    assert reason in caught.value.reason
    assert caught.value.line is not None
    assert "broken.md" in str(caught.value)


def test_front_matter_split_keeps_bytes():
    text = "---\ntitle: x\n---\nbody\n"
    split = split_front_matter(text)
    assert split.head + split.body == text and split.body_line == 4


@pytest.fixture
def garden(tmp_path):
    for name in ("chief of staff.md", "Ceo, n'oubliez pas votre COO ou Chief of Staff.md"):
        (tmp_path / name).write_bytes((SEEDS / name).read_bytes())
    return tmp_path


def test_resolution_is_case_insensitive_on_name_title_and_alias(garden):
    (garden / "sub").mkdir()
    (garden / "sub" / "Autre.md").write_text("---\ntitle: Un Titre\naliases: [Alias Ici]\n---\n[[CHIEF OF STAFF]]\n")
    index = NoteIndex(garden)
    index.refresh()
    chief = index.get("chief-of-staff")
    assert index.resolve("Chief Of Staff") is chief
    assert index.resolve("chief of staff externe") is chief  # its title
    assert index.resolve("un titre").filename == "sub/Autre.md"
    assert index.resolve("alias ici").filename == "sub/Autre.md"
    assert index.resolve("sub/Autre").filename == "sub/Autre.md"
    assert index.resolve("Prendre soin du collectif") is None
    assert {n.filename for n in index.backlinks(chief)} == {"Ceo, n'oubliez pas votre COO ou Chief of Staff.md", "sub/Autre.md"}


def test_index_notices_changes_without_reparsing(garden):
    index = NoteIndex(garden)
    first = index.refresh()
    assert len(first.added) == 2
    before = index.get("chief-of-staff")
    other = index.get("ceo-noubliez-pas-votre-coo-ou-chief-of-staff")
    assert not index.refresh()
    path = garden / "chief of staff.md"
    path.write_text(path.read_text() + "\nAjout.\n")
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10_000_000))
    changes = index.refresh()
    assert changes.changed == ("chief of staff.md",)
    assert index.get("chief-of-staff") is not before
    assert index.get("ceo-noubliez-pas-votre-coo-ou-chief-of-staff") is other  # not reparsed
    (garden / "Nouvelle.md").write_text("nouvelle\n")
    path.unlink()
    changes = index.refresh()
    assert changes.added == ("Nouvelle.md",) and changes.removed == ("chief of staff.md",)
    assert index.get("chief-of-staff") is None and index.get("nouvelle") is not None


def test_touch_without_change_is_not_a_change(garden):
    index = NoteIndex(garden)
    index.refresh()
    path = garden / "chief of staff.md"
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 20_000_000))
    assert not index.refresh()


def test_broken_note_is_reported_and_others_indexed(garden):
    (garden / "cassé.md").write_bytes(b"---\ntitle: [\n---\n")
    index = NoteIndex(garden)
    index.refresh()
    assert len(index.notes()) == 2
    [error] = index.errors()
    assert error.filename == "cassé.md" and index.error_for("casse") is error


def test_duplicate_slugs_are_numbered(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "Note.md").write_text("x")
    (tmp_path / "a" / "note.md").write_text("y")
    index = NoteIndex(tmp_path)
    index.refresh()
    assert index.get("note").filename == "Note.md"
    assert index.get("note-2").filename == "a/note.md"


@pytest.mark.skipif(not CORPUS.is_dir(), reason="sklein corpus not found at ../shared/corpora/sklein-notes")
def test_whole_corpus_indexes():
    index = NoteIndex(CORPUS)
    index.refresh()
    assert len(index.notes()) + len(index.errors()) == 547
    assert all(is_valid_slug(n.slug) for n in index.notes())
    assert len({n.slug for n in index.notes()}) == len(index.notes())
