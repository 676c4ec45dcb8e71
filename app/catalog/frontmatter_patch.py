"""Translatable front-matter values (title, aliases): found in the YAML text and patched in place."""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass

import yaml

from app.content.frontmatter import compose_yaml

from .regions import LINE_BREAK, Edit, Source, apply_edits

_STRING_TAG = "tag:yaml.org,2002:str"
_FIELD_TYPES = {"title": "title", "aliases": "alias"}
_BLOCK_STYLES = ("|", ">")
_NEEDS_ESCAPE = (  # outside YAML's printable set, or a line break; compiled when first needed (~15 ms)
    "[^\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


class FrontMatterError(ValueError):
    """The note's front matter is not valid YAML, or not a mapping."""

    def __init__(self, reason: str, line: int):
        super().__init__(f"line {line}: {reason}")
        self.reason = reason
        self.line = line  #: 1-based line in the note


@dataclass(frozen=True)
class Field:
    """One translatable string of the front matter and where its YAML scalar lies in the text."""

    type: str  #: "title" or "alias"
    msgid: str
    start: int  #: offset of the scalar in ``Source.text``
    end: int
    style: str | None  #: PyYAML scalar style: None or "" (plain), "'", '"', "|" or ">"
    line: int  #: 0-based line where the value's text starts


def front_matter_fields(source: Source, closing_line: int) -> list[Field]:
    """Title then aliases of the front matter that ends on 0-based ``closing_line``."""
    base = source.starts[1]
    fields = []
    for kind, node in _field_nodes(source.text[base:source.starts[closing_line]]):
        start, end = base + node.start_mark.index, base + node.end_mark.index
        block = node.style in _BLOCK_STYLES
        if block:  # a block scalar's span runs over its trailing line breaks: leave them to the file
            end = start + len(source.text[start:end].rstrip())
        fields.append(Field(kind, _msgid(node), start, end, node.style, source.line_at(start) + block))
    return fields


def _field_nodes(yaml_text: str) -> list[tuple[str, yaml.ScalarNode]]:
    """(type, scalar) of each non-blank string under ``title``, then under ``aliases``."""
    try:  # no anchors nor aliases, nesting bounded: as the note index reads it
        root = compose_yaml(yaml_text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise FrontMatterError(f"invalid YAML: {getattr(exc, 'problem', None) or exc}",
                               mark.line + 2 if mark else 2) from None
    if root is None:
        return []
    if not isinstance(root, yaml.MappingNode):
        raise FrontMatterError("the front matter is not a mapping of keys to values", 2)
    nodes = [(_FIELD_TYPES[key.value], node) for key, value in root.value
             if isinstance(key, yaml.ScalarNode) and key.value in _FIELD_TYPES
             for node in _scalars(value) if _msgid(node).strip()]
    return sorted(nodes, key=lambda pair: pair[0] != "title")


def _scalars(node: yaml.Node) -> list[yaml.ScalarNode]:
    """The string scalars of a value that is a string or a list of strings."""
    items = node.value if isinstance(node, yaml.SequenceNode) else [node]
    return [item for item in items if isinstance(item, yaml.ScalarNode) and item.tag == _STRING_TAG]


def _msgid(node: yaml.ScalarNode) -> str:
    """The scalar's string; a block scalar's final line breaks belong to its chomping, not to the text."""
    return node.value.rstrip("\n") if node.style in _BLOCK_STYLES else node.value


#: Up to this many translated fields, each one's style is checked on its own (two YAML parses each);
#: beyond, all fields are checked at once, so a note with ten thousand aliases costs a few parses.
FIELDS_CHECKED_ONE_BY_ONE = 8


def front_matter_edits(source: Source, closing_line: int, fields: list[Field],
                       translations: Mapping[str, str]) -> list[Edit]:
    """Edits writing each translated field as a YAML scalar: original style and line count when valid."""
    base = source.starts[1]
    yaml_text = source.text[base:source.starts[closing_line]]
    translated = [(field, translations.get(field.msgid) or field.msgid) for field in fields]
    translated = [(field, text) for field, text in translated if text.strip() and text != field.msgid]
    if len(translated) > FIELDS_CHECKED_ONE_BY_ONE:
        return _edits_at_once(source, base, yaml_text, fields, translated)
    edits = []
    for field, translation in translated:
        expected = [translation if other is field else other.msgid for other in fields]
        before, after = yaml_text[:field.start - base], yaml_text[field.end - base:]
        scalar = next((candidate for candidate in _candidates(source, field, translation)
                       if _reads_back(before + candidate + after, expected)), double_quoted(translation))
        edits.append(Edit(field.start, field.end, scalar))
    return edits


def _edits_at_once(source: Source, base: int, yaml_text: str, fields: list[Field],
                   translated: list[tuple[Field, str]]) -> list[Edit]:
    """The edits of many fields, checked together: every field's preferred style, else double quotes."""
    texts = {id(field): text for field, text in translated}
    expected = [texts.get(id(field), field.msgid) for field in fields]
    options = [[_candidates(source, field, text) for field, text in translated]]
    for choice in (0, -1):
        scalars = [candidates[choice] for candidates in options[0]]
        edits = [Edit(field.start - base, field.end - base, scalar) for (field, _), scalar in zip(translated, scalars)]
        if _reads_back(apply_edits(yaml_text, edits), expected):
            return [Edit(field.start, field.end, scalar) for (field, _), scalar in zip(translated, scalars)]
    return [Edit(field.start, field.end, double_quoted(text)) for field, text in translated]


def _candidates(source: Source, field: Field, text: str) -> list[str]:
    """Ways to write ``text`` in place of ``field``, preferred first: its style, then double quotes."""
    original = source.text[field.start:field.end]
    breaks = list(LINE_BREAK.finditer(original))
    if not breaks:
        return [_styled_flow(field.style, text)]
    newline = breaks[0].group()
    indent = re.match(r"[ \t]*", original[breaks[0].end():]).group()
    if field.style == "|":
        styled = original[:breaks[0].end()] + indent + (newline + indent).join(text.split("\n"))
    elif field.style == ">":
        styled = original[:breaks[0].end()] + indent + _fold(text, len(breaks), newline + indent)
    else:  # a flow scalar spread over several lines: same line count keeps the note's line numbers
        styled = _fold(_styled_flow(field.style, text), len(breaks) + 1, newline + indent)
    return [styled, _fold(double_quoted(text), len(breaks) + 1, newline + indent)]


def _styled_flow(style: str | None, text: str) -> str:
    """``text`` as a plain, single-quoted or double-quoted scalar."""
    if style == "'":
        return "'" + text.replace("'", "''") + "'"
    return double_quoted(text) if style == '"' else text


def _fold(text: str, count: int, separator: str) -> str:
    """``text`` cut at single spaces into at most ``count`` lines of similar length, joined by ``separator``."""
    spaces = [i for i in range(1, len(text) - 1)
              if text[i] == " " and text[i - 1] not in " \\" and text[i + 1] != " "]
    cuts: list[int] = []
    for part in range(1, count):
        if not spaces:
            break
        target = len(text) * part / count
        first = bisect_right(spaces, cuts[-1]) if cuts else 0  # spaces after the last cut
        if first == len(spaces):
            break
        near = bisect_left(spaces, target, first)  # the nearest one is here or just before
        cuts.append(min(spaces[max(first, near - 1):near + 1], key=lambda i: (abs(i - target), i)))
    bounds = [-1, *cuts, len(text)]
    return separator.join(text[a + 1:b] for a, b in zip(bounds, bounds[1:]))


def _reads_back(yaml_text: str, expected: list[str]) -> bool:
    """True when ``yaml_text`` holds the translatable strings ``expected``, in order."""
    try:
        nodes = _field_nodes(yaml_text)
    except FrontMatterError:
        return False
    return [_msgid(node) for _, node in nodes] == expected


def double_quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar, valid anywhere a scalar is."""
    escaped = "".join(_ESCAPES.get(char, char) for char in text)
    return '"' + re.sub(_NEEDS_ESCAPE, lambda m: _escape(m.group()), escaped) + '"'


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
