"""A shortcut for :func:`app.catalog.linebreak.width_breaks` on most prose: same breaks, found by regular expressions.

Text whose every character takes one column and has a class that only the pair table decides
(no combining mark, joiner, regional indicator, Hebrew letter, mandatory or zero-width break —
French prose, URLs and Markdown) needs no character-by-character state machine: a break is
possible before a character either right after a character the table breaks from directly (rule
D), or after spaces that follow a character the table lets break there (rules D and I). Both are
found in a string of class codes built by ``str.translate``; the greedy width pass then walks the
break positions only. Any other text goes the long way. tests/test_po_format_shortcuts.py checks both
agree on generated text.
"""
from __future__ import annotations

import re

from app.catalog.linebreak import _CLASSES, _HL, _RI, _RULES, _ZWJ, SP, char_width, line_class
from app.catalog.linebreak import width_breaks as width_breaks_by_character

_CODE_BASE = 0x100  #: class k is coded as chr(_CODE_BASE + k) in a class string
_PAIR_CLASSES = frozenset(range(len(_CLASSES))) - {_ZWJ, _RI, _HL}
_OTHER = "\0"  #: the code of a character the shortcut does not take


class _ClassCodes(dict):
    """``str.translate`` table, filled as characters are met: class code, " " for a space, NUL otherwise."""

    def __missing__(self, code: int) -> str:
        char, value = chr(code), _OTHER
        if char_width(char) == 1:
            klass = line_class(char)
            if klass == SP:
                value = " "
            elif klass in _PAIR_CLASSES:
                value = chr(_CODE_BASE + klass)
        self[code] = value
        return value


CLASS_CODES = _ClassCodes()


def _direct_pattern() -> re.Pattern:
    """``[X…](?=[Y…])`` for every pair of classes the table breaks between with no space (rule D)."""
    by_followers: dict[str, list[str]] = {}
    for before in sorted(_PAIR_CLASSES):
        after = "".join(chr(_CODE_BASE + k) for k in sorted(_PAIR_CLASSES) if _RULES[before][k] == 2)
        if after:
            by_followers.setdefault(after, []).append(chr(_CODE_BASE + before))
    return re.compile("|".join(f"[{''.join(firsts)}](?=[{after}])" for after, firsts in by_followers.items()))


_DIRECT = _direct_pattern()
_AFTER_SPACES = re.compile("([^ ]) +(?=([^ ]))")


def pair_table_breaks(codes: str) -> list[int]:
    """Indexes before which a break is possible, for a class string of :data:`CLASS_CODES` without NUL."""
    found = [match.end() for match in _DIRECT.finditer(codes)]
    rules = _RULES
    for match in _AFTER_SPACES.finditer(codes):  # after spaces, rules I and D both allow a break
        if rules[ord(match[1]) - _CODE_BASE][ord(match[2]) - _CODE_BASE]:
            found.append(match.end())
    found.sort()
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
    codes = text.translate(CLASS_CODES)
    if _OTHER in codes:
        return width_breaks_by_character(text, width, start_column, prohibited)
    positions = pair_table_breaks(codes)
    if prohibited:
        positions = [i for i in positions if i not in prohibited]
    return _fit(positions, len(text), width, start_column)
