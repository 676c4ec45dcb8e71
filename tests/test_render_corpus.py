"""Every note of the sklein-notes corpus renders, with wikilinks resolved against the corpus itself."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.content.frontmatter import split_front_matter
from app.content.index import NoteIndex
from app.content.wikilinks import WikiLink
from app.render import LinkTarget, RenderOptions, render_note_body

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "sklein-notes"

if not CORPUS.is_dir():
    pytest.skip(f"corpus not found at {CORPUS}", allow_module_level=True)

FILES = sorted(path.relative_to(CORPUS).as_posix() for path in CORPUS.rglob("*.md"))


@pytest.fixture(scope="module")
def options() -> RenderOptions:
    index = NoteIndex(CORPUS)
    index.refresh()

    def resolve(link: WikiLink) -> LinkTarget | None:
        note = index.resolve(link.target)
        return LinkTarget(f"/fr/notes/{note.slug}", note.title) if note else None

    return RenderOptions(resolve_link=resolve, tag_href=lambda tag: f"/fr/tags/{tag}")


def test_corpus_is_not_empty():
    assert FILES


@pytest.mark.parametrize("filename", FILES)
def test_note_renders(filename, options):
    text = (CORPUS / filename).read_text("utf-8")
    html = render_note_body(text, options)
    if split_front_matter(text).body.strip():
        assert html.strip(), filename
    assert "<script" not in html.lower()
