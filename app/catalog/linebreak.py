"""Where GNU gettext may break a line of a PO string: UAX #14 as libunistring 1.0 applies it.

GNU ``msgcat``/``msgmerge`` wrap strings with libunistring's ``u8_width_linebreaks``: the
pair-table form of the Unicode line-breaking algorithm (UAX #14, table 7.3) plus a width pass
that breaks at the last opportunity before the page width. This module is our own
implementation of that behaviour, so that the catalogs we write are the bytes GNU writes.
Character classes come from ``uniseg`` (Unicode 16 data; the few classes newer than
libunistring 1.0 are mapped back to the ones it knew), widths from :mod:`unicodedata`. The
classes of the scripts, punctuation and emoji notes are mostly written in are kept in
:mod:`app.catalog.linebreak_classes` (a test checks each against uniseg): a catalog in those is
wrapped without importing uniseg (~40 ms).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from app.catalog.linebreak_classes import kept_class

# The classes of the pair table, in libunistring 1.0's order; OPW is an opening bracket of East Asian width (LB30).
_CLASSES = "WJ GL B2 BA BB HY CL CP EX IN NS OP QU IS NU PO PR SY AL H2 H3 ID JL JV JT HL RI ZWJ EB EM OPW".split()
_INDEX = {name: i for i, name in enumerate(_CLASSES)}
# Per row (before), per column (after): D direct break, I break only after spaces, P never. Measured on
# libunistring 1.0 (u8_possible_linebreaks on "XY" and "X Y"); the ZWJ row and column and RI × RI are
# never looked up: the rules for joiners and regional indicators decide those pairs.
_TABLE_ROWS = """
WJ PIIIIIPPPIIIIPIIIPIIIIIIIIIIIII
GL PIIIIIPPPIIIIPIIIPIIIIIIIIIIIII
B2 PIPIDIPPPIIDIPDDDPDDDDDDDDDIDDD
BA PDDIDIPPPIIDIPDDDPDDDDDDDDDIDDD
BB PIIIIIPPPIIIIPIIIPIIIIIIIIIIIII
HY PDDIDIPPPIIDIPIDDPDDDDDDDDDIDDD
CL PIDIDIPPPIPDIPDIIPDDDDDDDDDIDDD
CP PIDIDIPPPIIDIPIIIPIDDDDDDIDIDDD
EX PIDIDIPPPIIDIPDDDPDDDDDDDDDIDDD
IN PIDIDIPPPIIDIPDDDPDDDDDDDDDIDDD
NS PIDIDIPPPIIDIPDDDPDDDDDDDDDIDDD
OP PPPPPPPPPPPPPPPPPPPPPPPPPPPIPPP
QU PIIIIIPPPIIPIPIIIPIIIIIIIIIIIIP
IS PIDIDIPPPIIDIPIDDPDDDDDDDDDIDDD
NU PIDIDIPPPIIIIPIIIPIDDDDDDIDIDDD
PO PIDIDIPPPIIIIPIDDPIDDDDDDIDIDDI
PR PIDIDIPPPIIIIPIDDPIIIIIIIIDIIII
SY PIDIDIPPPIIDIPIDDPDDDDDDDIDIDDD
AL PIDIDIPPPIIIIPIIIPIDDDDDDIDIDDD
H2 PIDIDIPPPIIDIPDIDPDDDDDIIDDIDDD
H3 PIDIDIPPPIIDIPDIDPDDDDDDIDDIDDD
ID PIDIDIPPPIIDIPDIDPDDDDDDDDDIDDD
JL PIDIDIPPPIIDIPDIDPDIIDIIDDDIDDD
JV PIDIDIPPPIIDIPDIDPDDDDDIIDDIDDD
JT PIDIDIPPPIIDIPDIDPDDDDDDIDDIDDD
HL PIDIDIPPPIIIIPIIIPIDDDDDDIDIDDD
RI PIDIDIPPPIIDIPDDDPDDDDDDDDIIDDD
ZWJ PIIIIIPPPIIIIPIIIPIIIIIIIIIIIII
EB PIDIDIPPPIIDIPDIDPDDDDDDDDDIDID
EM PIDIDIPPPIIDIPDIDPDDDDDDDDDIDDD
OPW PPPPPPPPPPPPPPPPPPPPPPPPPPPIPPP
"""
_TABLE = [row.split()[1] for row in _TABLE_ROWS.strip().splitlines()]
_AL, _ZWJ, _RI, _HL, _HY, _BA = (_INDEX[n] for n in ("AL", "ZWJ", "RI", "HL", "HY", "BA"))
_HL_BA = 100  #: a Hebrew letter followed by a hyphen or break-after: no break after it (LB21a)

BK, SP, ZW, CM = -1, -2, -3, -4  #: classes handled outside the pair table
PROHIBITED, POSSIBLE, MANDATORY = 0, 1, 2  #: what may happen before a character
#: Classes that libunistring 1.0 resolves before the table, and the Unicode 15.1/16 classes it did not have.
_RESOLVED = {"AI": "AL", "CB": "ID", "SA": "AL", "XX": "AL", "SG": "AL", "CJ": "NS",
             "AK": "AL", "AP": "AL", "AS": "AL", "VI": "CM", "VF": "CM", "HH": "BA"}
_SPECIAL = {"BK": BK, "CR": BK, "LF": BK, "NL": BK, "SP": SP, "ZW": ZW, "CM": CM}


#: Characters whose class changed between Unicode 14 (libunistring 1.0) and uniseg's Unicode 16 data,
#: with the class libunistring 1.0 gives them (measured on every code point).
_UNICODE_14 = (
    (0x0600, 0x0605, "AL"), (0x06DD, 0x06DD, "AL"), (0x0890, 0x0891, "AL"), (0x08E2, 0x08E2, "AL"),
    (0x19DA, 0x19DA, "AL"), (0x1B4E, 0x1B4F, "AL"), (0x1B50, 0x1B59, "NU"), (0x1B5C, 0x1B5C, "AL"),
    (0x1B61, 0x1B6A, "AL"), (0x1B74, 0x1B7C, "AL"), (0x1B7F, 0x1B7F, "AL"), (0x1DCD, 0x1DCD, "CM"),
    (0x1DFC, 0x1DFC, "CM"), (0x2057, 0x2057, "AL"), (0x2E56, 0x2E56, "CL"), (0x2E58, 0x2E58, "CL"),
    (0x2E5A, 0x2E5A, "CL"), (0x2E5C, 0x2E5C, "CL"), (0x2FFC, 0x2FFF, "AL"), (0x31E4, 0x31E5, "AL"),
    (0x31EF, 0x31EF, "AL"), (0xA9C1, 0xA9C6, "AL"), (0xA9CA, 0xA9CD, "AL"), (0xA9CF, 0xA9CF, "AL"),
    (0xA9D0, 0xA9D9, "NU"), (0xA9DE, 0xA9DF, "AL"), (0xAA40, 0xAA42, "AL"), (0xAA44, 0xAA4B, "AL"),
    (0xAA50, 0xAA59, "NU"), (0xAA5C, 0xAA5C, "AL"), (0xFE10, 0xFE10, "IS"), (0xFE13, 0xFE14, "IS"),
    (0xFE20, 0xFE20, "CM"), (0xFE22, 0xFE22, "CM"), (0xFE24, 0xFE24, "CM"), (0xFE26, 0xFE27, "CM"),
    (0xFE29, 0xFE29, "CM"), (0xFE2B, 0xFE2B, "CM"), (0xFE2D, 0xFE2E, "CM"), (0x10D6E, 0x10D6E, "AL"),
    (0x11049, 0x1104D, "AL"), (0x11052, 0x11065, "AL"), (0x11066, 0x1106F, "NU"), (0x1107F, 0x1107F, "CM"),
    (0x110BD, 0x110BD, "AL"), (0x110CD, 0x110CD, "AL"), (0x1133D, 0x1133D, "AL"), (0x1135D, 0x1135D, "AL"),
    (0x113B7, 0x113B7, "AL"), (0x113D3, 0x113D5, "AL"), (0x113D7, 0x113D8, "AL"), (0x11950, 0x11959, "NU"),
    (0x11B00, 0x11B09, "AL"), (0x11EF2, 0x11EF2, "AL"), (0x11EF7, 0x11EF8, "AL"), (0x11F43, 0x11F4F, "AL"),
    (0x1342F, 0x1342F, "AL"), (0x1343C, 0x1343F, "AL"), (0x16D6E, 0x16D6F, "AL"), (0x1B132, 0x1B132, "AL"),
    (0x1B155, 0x1B155, "AL"), (0x1F10D, 0x1F10F, "ID"), (0x1F16D, 0x1F16F, "ID"), (0x1F1AD, 0x1F1AD, "ID"),
    (0x1F80C, 0x1F80F, "ID"), (0x1F848, 0x1F84F, "ID"), (0x1F85A, 0x1F85F, "ID"), (0x1F888, 0x1F88F, "ID"),
    (0x1F8AE, 0x1F8FF, "ID"),
)


@lru_cache(maxsize=4096)
def line_class(char: str) -> int:
    """The line-breaking class of ``char`` as an index of the pair table (or BK, SP, ZW, CM)."""
    kept = kept_class(ord(char))
    return kept if kept is not None else uniseg_line_class(char)


def uniseg_line_class(char: str) -> int:
    """:func:`line_class` from uniseg's data, as libunistring 1.0 resolves it (what the kept classes were made of)."""
    from uniseg.linebreak import line_break  # here: Latin and punctuation never need it

    code = ord(char)
    name = next((n for low, high, n in _UNICODE_14 if low <= code <= high), None)
    if name is None:
        name = str(line_break(char)).rsplit(".", 1)[-1]
        name = _RESOLVED.get(name, name)
        if name == "OP" and unicodedata.east_asian_width(char) in ("F", "W", "H"):
            name = "OPW"
    return _SPECIAL[name] if name in _SPECIAL else _INDEX[name]


#: Unassigned code points that libunistring counts as wide, and marks it counts as spacing.
_WIDE_UNASSIGNED = ((0x2E80, 0xA4CF), (0xF900, 0xFAFF), (0xFE10, 0xFE1F), (0xFE30, 0xFE6F), (0xFF00, 0xFF60),
                    (0x1F200, 0x1F2FF), (0x20000, 0x3FFFF))
_SPACING_MARKS = frozenset((0x0CBF, 0x0CC6, 0x11A07, 0x11A08, 0x11C3F))


@lru_cache(maxsize=4096)
def char_width(char: str) -> int:
    """Columns ``char`` takes, as libunistring's ``uc_width`` counts them (-1: a control character)."""
    code = ord(char)
    if 0 < code < 0x20 or 0x7F <= code < 0xA0:
        return -1
    category = unicodedata.category(char)
    if code in _SPACING_MARKS:
        return 1
    if code == 0 or category in ("Mn", "Me", "Cf") or 0x1160 <= code <= 0x11FF or (0xD7B0 <= code <= 0xD7FF and category != "Cn") or code == 0x200B:
        return 0
    if category == "Cn":  # unassigned: CPython reports them as "F"; only reserved CJK blocks are wide
        return 2 if any(low <= code <= high for low, high in _WIDE_UNASSIGNED) else 1
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 2
    return 1


_RULES = [[{"P": 0, "I": 1, "D": 2}[r] for r in row] for row in _TABLE]  #: 0 never, 1 after spaces, 2 always
_CLASS_OF: dict[str, int] = {}  #: per character: its class (filled as characters are met)
_WIDTH_OF: dict[str, int] = {}  #: per character: its columns, control characters as 0
#: Characters of one column each (Latin, general punctuation but the invisible ones): a string of
#: only these is as wide as it is long.
_NOT_NARROW = re.compile("[^\x20-\x7e\xa0-\xac\xae-\u02ff\u2010-\u2027\u2030-\u205e\u20a0-\u20c0]")


def _classes(text: str) -> list[int]:
    known = _CLASS_OF.get
    classes = [known(ch) for ch in text]
    if None in classes:
        for i, ch in enumerate(text):
            if classes[i] is None:
                classes[i] = _CLASS_OF[ch] = line_class(ch)
    return classes


def possible_breaks(text: str) -> list[int]:
    """Per character of ``text``: PROHIBITED, POSSIBLE or MANDATORY break before it (libunistring 1.0)."""
    result = [PROHIBITED] * len(text)
    prev = BK  # class of the previous character
    last = BK  # class of the last character that is not a space
    seen_space = False  # a space since ``last``
    ri_count = 0  # regional indicators just before this character
    rules = _RULES
    for i, prop in enumerate(_classes(text)):
        if prop >= 0 and last >= 0 and prev != _ZWJ and prev != _HL_BA and prop != _ZWJ and not (prop == _RI and last == _RI):
            rule = rules[last][prop]  # the usual case: two characters of the pair table
            if rule == 2 or (rule == 1 and seen_space):
                result[i] = POSSIBLE
            last, seen_space = prop, False
            prev = _HL_BA if prev == _HL and (prop == _HY or prop == _BA) else prop
        elif prop == BK:
            result[i] = MANDATORY
            prev, last, seen_space = BK, BK, False
        elif prop == SP:
            seen_space = True
            prev = SP
        elif prop == ZW:
            last, seen_space, prev = ZW, False, ZW
        elif prop == CM or prop == _ZWJ:
            if last == BK:
                last, seen_space = _AL, False  # a mark at the start counts as a letter
            elif last == ZW or seen_space:
                result[i] = POSSIBLE
                last, seen_space = _AL, False
            prev = prop
        else:
            if last == ZW:
                result[i] = POSSIBLE
            elif last == BK or prev == _ZWJ or prev == _HL_BA:
                pass
            elif last == _RI and prop == _RI:
                result[i] = POSSIBLE if seen_space or ri_count % 2 == 0 else PROHIBITED
            else:
                rule = rules[last][prop]
                result[i] = POSSIBLE if rule == 2 or (rule == 1 and seen_space) else PROHIBITED
            last, seen_space = prop, False
            prev = _HL_BA if prev == _HL and (prop == _HY or prop == _BA) else prop
        ri_count = ri_count + 1 if prop == _RI else 0
    return result


def _widths(text: str) -> list[int]:
    known = _WIDTH_OF.get
    widths = [known(ch) for ch in text]
    if None in widths:
        for i, ch in enumerate(text):
            if widths[i] is None:
                widths[i] = _WIDTH_OF[ch] = max(char_width(ch), 0)
    return widths


def width_breaks(text: str, width: int, start_column: int, prohibited: set[int]) -> list[int]:
    """Indexes of ``text`` before which GNU breaks the line to fit ``width`` columns.

    ``start_column`` is where the text starts on its first line; ``prohibited`` holds indexes
    where no break may happen (inside escape sequences), as write-po.c's overrides do.
    """
    possible = possible_breaks(text)
    for i in prohibited:
        possible[i] = PROHIBITED
    widths = [1] * len(text) if _NOT_NARROW.search(text) is None else _widths(text)
    breaks: list[int] = []
    last_break = -1
    last_column, piece = start_column, 0
    for i, state in enumerate(possible):
        if state:
            if last_break >= 0 and last_column + piece > width:
                breaks.append(last_break)
                last_column = 0
            if state == MANDATORY:  # U+2028 and the like: GNU counts columns again from 0
                last_break, last_column, piece = -1, 0, 0
                continue
            last_break = i
            last_column += piece
            piece = 0
        piece += widths[i]
    if last_break >= 0 and last_column + piece > width:
        breaks.append(last_break)
    return breaks


def text_width(text: str) -> int:
    """Columns of ``text`` (control characters count for nothing)."""
    if _NOT_NARROW.search(text) is None:
        return len(text)
    return sum(_widths(text))
