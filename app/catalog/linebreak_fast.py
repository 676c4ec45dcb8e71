"""A shortcut for :func:`app.catalog.linebreak.width_breaks` on most prose: same breaks, found by regular expressions.

Text whose every character takes one column and has a class that only the pair table decides
(no combining mark, joiner, regional indicator, Hebrew letter, mandatory or zero-width break —
French prose, URLs and Markdown) needs no character-by-character state machine: a break is
possible before a character either right after a character the table breaks from directly (rule
D), or after spaces that follow a character the table lets break there (rules D and I). In a
string of class codes made by ``str.translate``, regular expressions find the space runs (minus
the few pairs the table refuses there) and the candidates for direct breaks (punctuation, and the
rare classes that break right after a letter), each checked against the table; the greedy width
pass then walks the break positions only. Any other text goes the long way.
tests/test_po_format_shortcuts.py checks both agree on generated text.
"""
from __future__ import annotations

import re

from app.catalog.linebreak import _AL, _CLASSES, _HL, _RI, _RULES, _ZWJ, SP, char_width, line_class
from app.catalog.linebreak import width_breaks as width_breaks_by_character

_CODE_BASE = 0x100  #: class k is coded as chr(_CODE_BASE + k) in a class string
_PAIR_CLASSES = frozenset(range(len(_CLASSES))) - {_ZWJ, _RI, _HL}
_OTHER = "\0"  #: the code of a character the shortcut does not take
_NOT_A_CODE = re.compile(f"[^ {chr(_CODE_BASE)}-{chr(_CODE_BASE + len(_CLASSES) - 1)}]")


def _code_of(char: str) -> str:
    """A character's class coded as one character, " " for a space, NUL when the shortcut cannot take it."""
    if char_width(char) == 1:
        klass = line_class(char)
        if klass == SP:
            return " "
        if klass in _PAIR_CLASSES:
            return chr(_CODE_BASE + klass)
    return _OTHER


#: ``str.translate`` table, filled as characters are met; the code characters themselves are in it
#: from the start, so a character not met yet (left as it is by ``translate``) is never taken for a code.
CLASS_CODES = {code: _code_of(chr(code)) for code in range(_CODE_BASE, _CODE_BASE + len(_CLASSES))}


def class_codes(text: str) -> str | None:
    """The class string of ``text``, or None when the shortcut cannot take it."""
    codes = text.translate(CLASS_CODES)
    if _NOT_A_CODE.search(codes) is None:
        return codes
    for char in set(text):  # characters met for the first time, or one the shortcut does not take
        if ord(char) not in CLASS_CODES:
            CLASS_CODES[ord(char)] = _code_of(char)
    codes = text.translate(CLASS_CODES)
    return None if _OTHER in codes else codes


def _rule_sets() -> tuple[str, str, str, str, list[tuple[str, str]]]:
    """The character sets the break patterns are made of, from the pair table."""
    code = {k: chr(_CODE_BASE + k) for k in _PAIR_CLASSES}
    after_letter = {y for y in _PAIR_CLASSES if _RULES[_AL][y] == 2}  # rare followers, checked wherever they are
    others = {x for x in _PAIR_CLASSES if any(_RULES[x][y] == 2 for y in _PAIR_CLASSES - after_letter)}
    never_before = {x for x in _PAIR_CLASSES if not any(_RULES[x][y] for y in _PAIR_CLASSES)}
    never_after = {y for y in _PAIR_CLASSES if not any(_RULES[x][y] for x in _PAIR_CLASSES)}
    exceptions = [(code[x], "".join(code[y] for y in sorted(_PAIR_CLASSES - never_after) if not _RULES[x][y]))
                  for x in sorted(_PAIR_CLASSES - never_before)]
    join = lambda classes: "".join(code[k] for k in sorted(classes))  # noqa: E731
    return join(after_letter), join(others), join(never_before), join(never_after), [e for e in exceptions if e[1]]


_RARE_AFTER, _BREAKS_BEFORE_MOST, _NEVER_BEFORE, _NEVER_AFTER, _SPACE_EXCEPTIONS = _rule_sets()
_RARE = re.compile(f"[{_RARE_AFTER}]")  #: classes that break directly after a letter: rare in prose
_PUNCTUATION = re.compile(f"[{_BREAKS_BEFORE_MOST}](?=[^ ])")  #: classes breaking directly before other classes
_AFTER_SPACES = re.compile(f"[^ {_NEVER_BEFORE}] +(?=[^ {_NEVER_AFTER}])")
_NOT_AFTER_SPACES = re.compile("|".join(f"{x} +(?=[{ys}])" for x, ys in _SPACE_EXCEPTIONS))


def pair_table_breaks(codes: str) -> list[int]:
    """Indexes before which a break is possible, for a class string made by :func:`class_codes`."""
    found = [match.end() for match in _AFTER_SPACES.finditer(codes)]  # after spaces: rules I and D
    if _NOT_AFTER_SPACES.search(codes):
        refused = {match.end() for match in _NOT_AFTER_SPACES.finditer(codes)}
        found = [i for i in found if i not in refused]
    direct = [i for i in {match.start() for match in _RARE.finditer(codes, 1)} | {m.end() for m in _PUNCTUATION.finditer(codes)}
              if codes[i - 1] != " " and _RULES[ord(codes[i - 1]) - _CODE_BASE][ord(codes[i]) - _CODE_BASE] == 2]
    if direct:
        found = sorted(found + direct)
    return found


def _fit(positions: list[int], length: int, width: int, start_column: int) -> list[int]:
    """The greedy pass of the long way (break at the last opportunity that fits), over one-column text."""
    breaks: list[int] = []
    last_break, last_column, start = -1, start_column, 0
    for i in positions:
        if last_break >= 0 and last_column + i - start > width:
            breaks.append(last_break)
            last_column = 0
        last_column += i - start
        last_break = start = i
    if last_break >= 0 and last_column + length - start > width:
        breaks.append(last_break)
    return breaks


def width_breaks(text: str, width: int, start_column: int, prohibited: set[int]) -> list[int]:
    """Indexes of ``text`` before which GNU breaks the line to fit ``width`` columns (see the long way's docstring)."""
    codes = class_codes(text)
    if codes is None:
        return width_breaks_by_character(text, width, start_column, prohibited)
    positions = pair_table_breaks(codes)
    if prohibited:
        positions = [i for i in positions if i not in prohibited]
    return _fit(positions, len(text), width, start_column)
