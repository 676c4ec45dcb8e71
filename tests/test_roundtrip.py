"""Round trips: generated Markdown, arbitrary text, every note of the sklein garden, the seeds."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.catalog.assemble import assemble_note
from app.catalog.frontmatter_patch import double_quoted
from app.catalog.segment import FrontMatterError, segment_note
from tests.seeds import SEED_NOTES

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
CORPUS = SHARED / "corpora" / "sklein-notes"
SEEDS = SEED_NOTES
CEO_SEED = "Ceo, n'oubliez pas votre COO ou Chief of Staff.md"


def read(path: Path) -> str:
    """A note's text exactly as stored: no newline translation."""
    with path.open(encoding="utf-8", newline="") as file:
        return file.read()


def translate(text: str, change) -> str:
    """The note assembled with ``change(msgid)`` for every segment."""
    return assemble_note(text, {s.msgid: change(s.msgid) for s in segment_note(text)})


# --- generated Markdown -----------------------------------------------------------------------

WORD = st.sampled_from(["chef", "équipe", "œuvre", "naïve", "COO", "l’été", "déjà", "stratégie", "Ça", "vision"])
MARKUP = ["[[chief of staff]]", "`code`", "#tag", "https://example.org/a_b", "«\u00a0citation\u00a0»",
          "![[image.png]]", "[lien](https://x.fr)", "$1"]
CODE_LINES = st.sampled_from(["# pas un titre", "- pas une liste", "| a | b |", "> pas une citation", "x ^abc12"])


@st.composite
def phrase(draw, in_table: bool = False) -> str:
    """One line of prose starting with a word, with inline markup."""
    label = "[[cible\\|libellé]]" if in_table else "[[cible|libellé]]"
    token = st.one_of(WORD, WORD.map("**{}**".format), WORD.map("_{}_".format), st.sampled_from([*MARKUP, label]))
    return " ".join([draw(WORD), *draw(st.lists(token, max_size=4))])


@st.composite
def prose_lines(draw, max_lines: int = 3, tails=("", "  ", " ^abc12")) -> tuple[list[str], str]:
    """The lines of one paragraph (hard breaks, block id) and its msgid."""
    lines = draw(st.lists(phrase(), min_size=1, max_size=max_lines))
    body = [line + draw(st.sampled_from(["", "  ", "\\"])) for line in lines[:-1]] + [lines[-1]]
    return body[:-1] + [body[-1] + draw(st.sampled_from(tails))], "\n".join(body)


@dataclass
class Block:
    lines: list[str]
    segments: list[tuple[int, str, str]]  #: (line offset in the block, type, msgid)
    fixed: tuple[int, ...] = ()  #: offsets of lines no translation may touch


@st.composite
def list_block(draw, depth: int = 0) -> Block:
    ordered, lines, segments = draw(st.booleans()), [], []
    for number in range(1, draw(st.integers(1, 3)) + 1):
        marker = f"{number}." if ordered else "-"
        body, msgid = draw(prose_lines(2))
        pad = " " * (len(marker) + 1)
        segments.append((len(lines), "list item", msgid))
        lines += [f"{marker} {draw(st.sampled_from(['', '[ ] ', '[x] ']))}{body[0]}"] + [pad + b for b in body[1:]]
        if depth < 2 and draw(st.booleans()):
            child = draw(list_block(depth + 1))
            segments += [(len(lines) + offset, kind, msgid) for offset, kind, msgid in child.segments]
            lines += [pad + line for line in child.lines]
    return Block(lines, segments)


@st.composite
def quote_block(draw) -> Block:
    body, msgid = draw(prose_lines())
    kind = draw(st.sampled_from(["plain", "titled", "untitled"]))
    if kind == "plain":
        return Block(["> " + line for line in body], [(0, "blockquote", msgid)])
    head = f"> [!{draw(st.sampled_from(['note', 'tip', 'QUOTE']))}]{draw(st.sampled_from(['', '-', '+']))}"
    segments = [(1, "callout", msgid)]
    if kind == "titled":
        title = draw(phrase())
        head, segments = f"{head} {title}", [(0, "callout", title), *segments]
    return Block([head] + ["> " + line for line in body], segments)


@st.composite
def table_block(draw) -> Block:
    width, pipes = draw(st.integers(1, 3)), draw(st.booleans())
    cell = st.one_of(phrase(in_table=True), st.just("42"))
    rows = [draw(st.lists(cell, min_size=width, max_size=width)) for _ in range(draw(st.integers(1, 4)))]
    align = draw(st.lists(st.sampled_from(["---", ":--", ":-:", "--:"]), min_size=width, max_size=width))
    lines = [" | ".join(row) for row in [rows[0], align, *rows[1:]]]
    lines = [f"| {line} |" if pipes or width == 1 else line for line in lines]
    segments = [(n + (n > 0), "table cell", text) for n, row in enumerate(rows) for text in row if text != "42"]
    return Block(lines, segments, fixed=(1,))


def simple_blocks() -> st.SearchStrategy[Block]:
    heading = st.builds(lambda level, text, close: Block([f"{'#' * level} {text}{close}"], [(0, "heading", text)]),
                        st.integers(1, 6), phrase(), st.sampled_from(["", " ##"]))
    setext = st.builds(lambda p, under: Block(p[0] + [under], [(0, "heading", p[1])]),
                       prose_lines(2, tails=("",)), st.sampled_from(["===", "---"]))
    paragraph = prose_lines().map(lambda p: Block(p[0], [(0, "paragraph", p[1])]))
    fence = st.lists(CODE_LINES, max_size=3).map(lambda code: Block(["```", *code, "```"], [],
                                                                     tuple(range(len(code) + 2))))
    inert = st.sampled_from(["![[image.png]]", "<!-- commentaire -->", "***", "#tag #autre"]).map(
        lambda line: Block([line], [], (0,)))
    return st.one_of(heading, setext, paragraph, fence, inert)


def plain_is_safe(text: str) -> bool:
    try:
        return yaml.safe_load(f"k: {text}") == {"k": text}
    except yaml.YAMLError:
        return False


def yaml_scalar(draw, text: str) -> str:
    """``text`` as a plain, single-quoted or double-quoted YAML scalar."""
    style = draw(st.sampled_from(["plain", "single", "double"]))
    if style == "plain" and plain_is_safe(text):
        return text
    return "'" + text.replace("'", "''") + "'" if style == "single" else double_quoted(text)


@st.composite
def front_matter(draw) -> Block:
    text = st.lists(st.one_of(WORD, st.sampled_from(["a: b", "#1", "'q'", '"dq"', "yes"])), min_size=1,
                    max_size=3).map(" ".join)
    title, aliases = draw(st.none() | text), draw(st.lists(text, max_size=2))
    entries = [("tags", ["tags:", "  - atome"]), ("nanoid", ["nanoid: abc123"])]
    if title is not None:
        entries.append(("title", [f"title: {yaml_scalar(draw, title)}"]))
    if aliases:
        entries.append(("aliases", ["aliases:"] + [f"  - {yaml_scalar(draw, alias)}" for alias in aliases]))
    entries = draw(st.permutations(entries))
    lines, segments, fixed = ["---"], [], [0]
    for key, key_lines in entries:
        values = {"title": [title], "aliases": aliases}.get(key, [])
        starts = len(lines) + (key == "aliases")
        segments += [(starts + n, "title" if key == "title" else "alias", value) for n, value in enumerate(values)]
        fixed += [] if values else range(len(lines), len(lines) + len(key_lines))
        lines += key_lines
    segments.sort(key=lambda seg: seg[1] != "title")
    return Block(lines + ["---"], segments, (*fixed, len(lines)))


@dataclass
class Note:
    text: str
    expected: list[tuple[int, str, str]]  #: (1-based line, type, msgid)
    fixed: list[tuple[int, str]]  #: (0-based line, text) that must come out unchanged


@st.composite
def notes(draw) -> Note:
    blocks = draw(st.lists(st.one_of(simple_blocks(), list_block(), quote_block(), table_block()), max_size=6))
    if draw(st.booleans()):
        blocks.insert(0, draw(front_matter()))
    lines, expected, fixed = [], [], []
    for block in blocks:
        if lines:
            lines.append(draw(st.sampled_from(["", "  "])))
        expected += [(len(lines) + offset + 1, kind, msgid) for offset, kind, msgid in block.segments]
        fixed += [(len(lines) + offset, block.lines[offset]) for offset in block.fixed]
        lines += block.lines
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(lines) + (newline if lines and draw(st.booleans()) else "")
    return Note(draw(st.sampled_from(["", "\ufeff"])) + text, expected, fixed)


GENERATED = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def prefix(m: str) -> str:
    return "EN " + m


def prefix_lines(m: str) -> str:
    return "\n".join("» " + line for line in m.split("\n"))


@GENERATED
@given(notes())
def test_generated_notes_segment_as_written_and_round_trip(note):
    assert [(s.line, s.type, s.msgid) for s in segment_note(note.text)] == note.expected
    assert assemble_note(note.text, {}) == note.text
    assert translate(note.text, lambda m: m) == note.text


@GENERATED
@given(notes(), st.sampled_from([str.upper, prefix, prefix_lines]))
def test_generated_translations_touch_nothing_else(note, change):
    out = translate(note.text, change)
    assert [(s.line, s.type, s.msgid) for s in segment_note(out)] == [
        (line, kind, change(msgid)) for line, kind, msgid in note.expected]
    out_lines = out.lstrip("\ufeff").splitlines()
    assert [(n, out_lines[n]) for n, _ in note.fixed] == note.fixed
    if change is not str.upper:  # invertible: translating back gives the French bytes
        assert assemble_note(out, {change(m): m for _, _, m in note.expected}) == note.text


@GENERATED
@given(notes())
def test_generated_translations_with_more_lines_keep_the_segments(note):
    kept = {msgid for _, kind, msgid in note.expected if kind not in ("paragraph", "list item", "blockquote")}
    longer = {msgid: msgid + "\nEN fin" for _, _, msgid in note.expected if msgid not in kept}
    out = assemble_note(note.text, longer)
    assert [(s.type, s.msgid) for s in segment_note(out)] == [
        (kind, longer.get(msgid, msgid)) for _, kind, msgid in note.expected]


# --- arbitrary text ---------------------------------------------------------------------------

PIECES = st.sampled_from([*"ab é#>-*+|\\`[]!^:_1.\t\n\n\r ", "  \n", "> ", "- ", "1. ", "| ", "```", "---",
                          "[!note]", "[[x]]", "^id1", "[ ] ", "\ufeff", "<!-- ", "-->", "[^1]: ", "title: ",
                          "aliases: ", "\u00a0", "\x00"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PIECES, max_size=60).map("".join))
def test_any_text_round_trips_and_keeps_its_segments(text):
    try:
        segments = segment_note(text)
    except FrontMatterError:
        return  # a broken front matter is reported, never rewritten
    assert all(s.msgid for s in segments)
    assert assemble_note(text, {}) == text
    out = translate(text, prefix_lines)
    assert [(s.line, s.type, s.msgid) for s in segment_note(out)] == [
        (s.line, s.type, prefix_lines(s.msgid)) for s in segments]


# --- real notes -------------------------------------------------------------------------------

CORPUS_FILES = sorted(CORPUS.rglob("*.md")) if CORPUS.is_dir() else []


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus not found at {CORPUS}")
@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_sklein_note_round_trips(path):
    text = read(path)
    segments = segment_note(text)
    assert all(s.msgid and s.msgid == s.msgid.strip() and "\r" not in s.msgid for s in segments)
    assert assemble_note(text, {}) == text
    assert translate(text, lambda m: m) == text
    out = translate(text, prefix)
    assert [(s.line, s.type, s.msgid) for s in segment_note(out)] == [(s.line, s.type, prefix(s.msgid))
                                                                     for s in segments]


@pytest.mark.parametrize("name", ["chief of staff.md", CEO_SEED])
def test_seed_round_trips(name):
    text = read(SEEDS / name)
    assert assemble_note(text, {}) == text
    assert translate(text, lambda m: m) == text
    assert assemble_note(translate(text, prefix), {prefix(s.msgid): s.msgid for s in segment_note(text)}) == text


def test_ceo_seed_list_items_and_hard_breaks():
    text = read(SEEDS / CEO_SEED)
    items = [s for s in segment_note(text) if s.type == "list item"]
    assert [s.msgid.split(" :")[0] for s in items] == [
        "**Alignement stratégique renforcé**", "**Gestion efficace des opérations**",
        "**Coordination et communication améliorées**", "**Soutien au CEO renforcé**",
        "**Amélioration de l'efficacité organisationnelle**"]
    assert [s.line for s in items] == [8, 10, 12, 14, 16]
    out = translate(text, prefix)
    assert out.count("  \n") == text.count("  \n") > 10
    assert [line.endswith("  ") for line in out.split("\n")] == [line.endswith("  ") for line in text.split("\n")]
