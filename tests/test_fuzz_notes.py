"""Fuzz target: generated hostile notes through read → segment → render → assemble.

Each example is a note made of a few hostile pieces of Markdown and YAML, one short stretch of them
repeated ``k`` times (in the body, the front matter or both): the shape that makes a parser
backtrack, recurse or rescan. For each, the test fails on

- any exception other than the documented refusals: :class:`NoteReadError` (reading: over a limit,
  invalid YAML, anchors and aliases), the segmenter's :class:`FrontMatterError` and
  :class:`LimitExceeded` (a note that would render to too much);
- a French text that the segments do not give back byte for byte;
- an output (HTML, assembled English) more than a fixed multiple of the input;
- a cost at ``4k`` more than :data:`tests.growth.LIMIT` times the cost at ``k`` (compared, never
  timed against a limit; see ``tests/growth.py``).

Hypothesis runs derandomized (the same examples on every run, on every machine) and bounded.
"""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.catalog.assemble import assemble_note
from app.catalog.segment import FrontMatterError, segment_note
from app.content.limits import LimitExceeded
from app.content.notes import NoteReadError, parse_note
from app.render.markdown import RenderOptions, render_note_body
from tests.growth import LIMIT, assert_linear

DOCUMENTED = (NoteReadError, FrontMatterError, LimitExceeded)
#: Each output is at most this many times its input, plus a constant.
OUTPUT_FACTOR, OUTPUT_SLACK = 64, 4096

MARKDOWN = [
    "[", "]", "[[", "]]", "![[", "![", "(", ")", "](", "[^a]", "[^a]: ", "[!note]", "[!tip]-", "`", "``", "```",
    "~~~", "> ", ">", "- ", "* ", "+ ", "1. ", "- [ ] ", "#", "# ", "## ", "*", "**", "_", "__", "~~", "==",
    "<", ">", "<div>", "</div>", "<a href=", "<!--", "-->", "!", "|", "|-|", "^", " ^id", "^id", "%%", "\n",
    "\n\n", " ", "  \n", "\t", "    ", ":", "&#", "&amp;", "&#x", ";", "http://", "https://a.b", "www.", "mailto:",
    "@", "a@b.c", "\\", "\\\n", "---", "===", "a", "mot", "é", "\u00a0", "\u202f", "\r\n", "\r", "{", "}", "'", '"',
    "[[a|b]]", "[[a#b]]", "![[a]]", "[a](b)", "[a]: <b>", "[a]", "#tag", "$", "\u2028", "\x0b", "\ufeff",
]
YAML = [
    "[", "]", "{", "}", ", ", ": ", "- ", "? ", "&a ", "*a", "!!str ", "|\n", ">\n", "\n", "  ", "'", '"', "#",
    "title", "tags", "aliases", "x", "\t", "...", "1", "0x", "1:2", "~", "null", "é", "\\", "%", "@", "`",
]

OPTIONS = RenderOptions(resolve_link=lambda link: None)


def pipeline(text: str) -> tuple[int, int]:
    """Read, segment, render, assemble (and render the English); the sizes of the largest outputs."""
    try:
        note = parse_note(text.encode("utf-8"), "Hostile.md", "hostile")
        segments = segment_note(note.text)
        html = render_note_body(note.text, OPTIONS)
        assert assemble_note(note.text, {}) == note.text, "the segments do not give the French back"
        english = assemble_note(note.text, {s.msgid: f"EN {s.msgid}" for s in segments})
        html_en = render_note_body(english, OPTIONS)
    except DOCUMENTED:
        return 0, 0
    return max(len(html), len(html_en)), len(english)


def pieces(alphabet: list[str], most: int):
    return st.lists(st.sampled_from(alphabet), max_size=most).map("".join)


@st.composite
def hostile_notes(draw):
    """``make(k)``: a note whose body, front matter or both repeat a short stretch ``k`` times."""
    where = draw(st.sampled_from(["body", "front matter", "both"]))
    head, unit, tail = draw(pieces(MARKDOWN, 4)), draw(pieces(MARKDOWN, 5).filter(bool)), draw(pieces(MARKDOWN, 4))
    yaml_head, yaml_unit, yaml_tail = draw(pieces(YAML, 4)), draw(pieces(YAML, 4).filter(bool)), draw(pieces(YAML, 4))
    with_front_matter = where != "body" or draw(st.booleans())

    def make(k: int) -> str:
        body = head + unit * (k if where != "front matter" else 1) + tail
        if not with_front_matter:
            return body
        yaml = yaml_head + yaml_unit * (k if where != "body" else 1) + yaml_tail
        return f"---\ntitle: {yaml}\n---\n{body}"

    return make


@settings(derandomize=True, max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(make=hostile_notes())
def test_hostile_notes_are_refused_or_handled_in_linear_time_and_bounded_output(make):
    for k in (1, 7, 64):
        text = make(k)
        html, english = pipeline(text)  # raises on any undocumented exception or a broken round trip
        assert html <= OUTPUT_FACTOR * len(text) + OUTPUT_SLACK, (text[:200], html)
        assert english <= OUTPUT_FACTOR * len(text) + OUTPUT_SLACK, (text[:200], english)
    ratio = assert_linear(pipeline, make, start=16, most=1 << 14)
    assert ratio <= LIMIT


def test_the_reported_shapes_go_through_the_pipeline():
    """The reproductions of issue 10, with the fuzz target's checks."""
    for make in (lambda k: "```x\n" * k, lambda k: "[" * k, lambda k: "---\ntitle: " + "[" * k + "]" * k + "\n---\n",
                 lambda k: "> " * k + "fond\n", lambda k: "".join("  " * i + "- x\n" for i in range(min(k, 300)))):
        for k in (10, 1000):
            pipeline(make(k))
        assert_linear(pipeline, make, start=64, most=1 << 14)
