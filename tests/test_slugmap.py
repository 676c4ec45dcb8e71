"""A slug belongs to one note for good: every order of additions, removals and renames."""
from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.content.index import NoteIndex
from app.content.slugmap import SlugMap, assign

NAMES = ["Note.md", "a/Note.md", "b/Note.md", "note.md", "Other.md", "b/Other.md", "Écrire.md", "ecrire.md"]


def test_first_assignment_is_the_file_order_rule():
    slugs, _ = assign({}, ["b/Note.md", "a/Note.md", "Note.md"])
    assert slugs == {"Note.md": "note", "a/Note.md": "note-2", "b/Note.md": "note-3"}


def test_an_added_near_duplicate_never_takes_the_existing_slug(tmp_path):
    registry = SlugMap(tmp_path)
    registry.update(["b/Note.md"])
    registry.update(["a/Note.md", "b/Note.md"])  # sorts first, yet comes second
    assert registry.slugs == {"b/Note.md": "note", "a/Note.md": "note-2"}
    registry.update(["b/Note.md"])  # removed again: its slug is released, the owner keeps its own
    assert registry.slugs == {"b/Note.md": "note"}
    stored = json.loads((tmp_path / "slugs.json").read_text())
    assert stored["slugs"] == {"b/Note.md": "note"}


@pytest.mark.parametrize("order", list(itertools.permutations(["Note.md", "a/Note.md", "note.md"])))
def test_every_order_of_additions_keeps_each_slug(tmp_path, order):
    registry, seen = SlugMap(tmp_path), {}
    files: list[str] = []
    for name in order:
        files.append(name)
        registry.update(files)
        for f in files:
            assert registry.slugs[f] == seen.setdefault(f, registry.slugs[f])
    assert len(set(registry.slugs.values())) == 3


def test_a_rename_keeps_a_fitting_slug_or_leaves_a_redirect(tmp_path):
    registry = SlugMap(tmp_path)
    registry.update(["a/Note.md", "Other.md"])
    moved = registry.update(["b/Note.md", "Other.md"], {"a/Note.md": "b/Note.md"})  # a move between folders
    assert registry.slugs["b/Note.md"] == "note" and moved[0].old_slug == moved[0].new_slug == "note"
    renamed = registry.update(["Nouveau nom.md", "Other.md"], {"b/Note.md": "Nouveau nom.md"})
    assert renamed[0].new_slug == "nouveau-nom"
    assert registry.redirect("note") == "Nouveau nom.md"
    # a new note named like the old one does not take the redirecting slug
    registry.update(["Nouveau nom.md", "Other.md", "Note.md"])
    assert registry.slugs["Note.md"] == "note-2" and registry.redirect("note") == "Nouveau nom.md"
    # deleting the note releases its slug and its redirects
    registry.update(["Other.md", "Note.md"])
    assert registry.redirect("note") is None


def test_a_rename_colliding_with_a_live_slug_gets_its_own(tmp_path):
    registry = SlugMap(tmp_path)
    registry.update(["Alpha.md", "Beta.md"])
    done = registry.update(["Alpha.md", "alpha.md"], {"Beta.md": "alpha.md"})
    assert registry.slugs == {"Alpha.md": "alpha", "alpha.md": "alpha-2"}
    assert done[0].old_slug == "beta" and registry.redirect("beta") == "alpha.md"


def test_a_corrupt_registry_is_kept_aside_not_overwritten_silently(tmp_path):
    (tmp_path / "slugs.json").write_text("{not json")
    registry = SlugMap(tmp_path)
    registry.update(["Note.md"])
    assert (tmp_path / "slugs.json.broken").read_text() == "{not json"
    assert registry.slugs == {"Note.md": "note"}


_OPS = st.lists(st.tuples(st.sampled_from(["add", "remove", "rename"]), st.sampled_from(NAMES), st.sampled_from(NAMES)),
                min_size=1, max_size=25)


@settings(max_examples=200, deadline=None)
@given(ops=_OPS)
def test_no_slug_ever_moves_between_live_notes(ops):
    """Property: slugs are unique; a live note's slug changes only by its own rename; no note takes another's."""
    previous: dict[str, str] = {}
    redirects: dict[str, str] = {}
    identity = {}  # file -> note id, to follow notes across renames
    owner: dict[str, int] = {}  # slug -> note id that held it while alive
    next_id = 0
    files: set[str] = set()
    for op, a, b in ops:
        renames = {}
        if op == "add" and a not in files:
            files.add(a)
            identity[a], next_id = next_id, next_id + 1
        elif op == "remove" and a in files:
            files.discard(a)
            for slug in [s for s, n in owner.items() if n == identity[a]]:
                del owner[slug]
        elif op == "rename" and a in files and b not in files:
            files.discard(a)
            files.add(b)
            identity[b] = identity[a]
            renames = {a: b}
        slugs, done = assign(previous, files, renames, reserved=redirects)
        assert len(set(slugs.values())) == len(slugs)
        for f, slug in slugs.items():
            holder = owner.setdefault(slug, identity[f])
            assert holder == identity[f], f"slug {slug} moved to another note"
            if f in previous and not renames:
                assert previous[f] == slug
        for r in done:
            redirects = {s: (r.new_source if t == r.old_source else t) for s, t in redirects.items()}
            redirects.pop(r.new_slug, None)
            if r.old_slug != r.new_slug:
                redirects[r.old_slug] = r.new_source
        redirects = {s: t for s, t in redirects.items() if t in files}
        previous = slugs


def test_the_note_index_takes_slugs_from_the_registry(tmp_path):
    notes = tmp_path / "notes"
    (notes / "b").mkdir(parents=True)
    (notes / "b" / "Note.md").write_text("Le propriétaire.\n")
    index = NoteIndex(notes, slugs=SlugMap(tmp_path / "state"))
    index.refresh()
    (notes / "a").mkdir()
    (notes / "a" / "Note.md").write_text("Un doublon.\n")
    index.refresh()
    assert index.slug_for("b/Note.md") == "note" and index.slug_for("a/Note.md") == "note-2"
    other = NoteIndex(notes, slugs=SlugMap(tmp_path / "state"))  # another worker agrees
    other.refresh()
    assert other.slug_for("b/Note.md") == "note"
