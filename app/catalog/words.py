"""Word counts of source segments, as translators estimate work (and as Weblate counts them).

A segment's words are the whitespace-separated pieces of its French text once markup is
stripped: HTML tags, the target of a ``[label](url)`` link and of a ``[[target|label]]`` wikilink
(the label stays). A piece with no letter nor digit (a dash, a lone ``**``, the ``:`` that French
typography separates by a space) is not a word, so "Note : voir" is two words in French as in
English; emphasis marks glued to a word leave it one word. Every Unicode space splits, the no-break ones included.
"""
from __future__ import annotations

import re

_TAG = re.compile(r"<[^<>\n]{0,500}>")
_LINK = re.compile(r"\[([^\[\]\n]{0,500})\]\([^()\s]{0,2000}\)")
_WIKILINK = re.compile(r"!?\[\[([^\[\]|\n]{0,500})(?:\|([^\[\]\n]{0,500}))?\]\]")


def strip_markup(text: str) -> str:
    """The text of a segment without its inline markup (links keep their label)."""
    text = _TAG.sub(" ", text)
    text = _WIKILINK.sub(lambda m: " " + (m.group(2) or m.group(1)) + " ", text)
    return _LINK.sub(r" \1 ", text)


def count_words(text: str) -> int:
    """The number of words of ``text`` once markup is stripped (pieces without a letter or digit left out)."""
    return sum(1 for piece in strip_markup(text).split() if any(c.isalnum() for c in piece))
