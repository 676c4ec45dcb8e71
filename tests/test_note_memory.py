"""A parsed note keeps its file's text once: the body is a slice of it, the same as the front matter split gives."""
from __future__ import annotations

import pickle

import pytest

from app.content.frontmatter import split_front_matter
from app.content.notes import decode_note, parse_note

CASES = [
    "---\ntitle: Un\ntags: [a]\n---\nCorps de la note.\n",
    "\ufeff---\ntitle: Deux\n---\r\n\r\nCorps après une ligne vide.\r\n",
    "Sans en-tête, juste du texte.\n",
    "\ufeffSans en-tête, avec une marque d'ordre des octets.\n",
    "---\ntitle: fermé à la fin\n---",
]


@pytest.mark.parametrize("text", CASES)
def test_body_is_what_the_split_gives(text):
    data = text.encode("utf-8")
    note = parse_note(data, "note.md", "note")
    assert note.body == split_front_matter(decode_note(data, "note.md")).body
    assert note.body_line == split_front_matter(decode_note(data, "note.md")).body_line


def test_a_saved_note_holds_its_text_once():
    """The snapshot of the index pickles each note's text once (the body used to be a second copy)."""
    body = "Un long corps de note. " * 2000
    note = parse_note(f"---\ntitle: Long\n---\n{body}".encode(), "long.md", "long")
    assert note.body == body
    assert len(pickle.dumps(note)) < 1.2 * len(body)
