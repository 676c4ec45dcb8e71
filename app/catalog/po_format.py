"""Writing catalogs byte for byte as GNU gettext writes them (``msgcat``, ``msgmerge``, width 79).

Our own implementation of the rules of gettext's ``write-po.c``: a string is cut after each
``\\n`` it holds, each part is wrapped where libunistring's line breaking allows
(:mod:`app.catalog.linebreak`), a string that needs more than one line starts with ``""``;
``#:`` references fill lines up to the width and never split a file name, which is wrapped in
U+2068/U+2069 when it holds a space; obsolete entries without a translation are dropped.
The header keeps its fields in the order the catalog has them.
"""
from __future__ import annotations

import os
import re

import polib


WRAP_WIDTH = 79
FSI, PDI = "\u2068", "\u2069"
LOCATIONS = ("full", "file", "never")  #: gettext's --add-location styles
_ESCAPES = {"\a": "a", "\b": "b", "\f": "f", "\n": "n", "\r": "r", "\t": "t", "\v": "v", "\\": "\\", '"': '"'}
_NO_WRAP = 1 << 30
_NEEDS_ESCAPE = re.compile('[\a\b\f\n\r\t\v\\\\"]')
_ESCAPE_TABLE = str.maketrans({char: "\\" + code for char, code in _ESCAPES.items()})
_ESCAPE_PAIR = re.compile(r"\\.", re.DOTALL)


def _escape(portion: str) -> tuple[str, set[int]]:
    """The escaped text of one portion and the indexes where no break may happen (inside escapes)."""
    if _NEEDS_ESCAPE.search(portion) is None:
        return portion, set()
    text = portion.translate(_ESCAPE_TABLE)
    prohibited = {match.start() + 1 for match in _ESCAPE_PAIR.finditer(text)}  # every backslash starts a pair
    if portion.endswith("\n"):
        prohibited.add(len(text) - 2)  # never break right before the final \n
    return text, prohibited


def _portions(value: str) -> list[str]:
    """``value`` cut after each newline (at least one portion, maybe empty)."""
    parts = value.split("\n")
    portions = [p + "\n" for p in parts[:-1]]
    if parts[-1] or not portions:
        portions.append(parts[-1])
    return portions


def wrap_string(keyword: str, value: str, *, prefix: str = "", width: int = WRAP_WIDTH, wrap: bool = True) -> list[str]:
    """The lines GNU writes for ``keyword "value"`` (``msgid``, ``msgstr[0]``…) after ``prefix`` (``#~ ``, ``#| ``)."""
    from app.catalog.linebreak import text_width  # Unicode line breaking: only when writing a catalog
    from app.catalog.linebreak_fast import width_breaks

    lines: list[str] = []
    first = True
    after_break = len(prefix) + 1
    limit = (width if wrap else _NO_WRAP) - 1 - after_break
    portions = _portions(value)
    for number, portion in enumerate(portions):
        text, prohibited = _escape(portion)
        more = number + 1 < len(portions)
        while True:
            start = len(prefix) + (len(keyword) + 1 if first else 0) + 1 - after_break
            breaks = [] if start + text_width(text) <= limit else width_breaks(text, limit, start, prohibited)
            if first and text and (more or start > limit or breaks):
                lines.append(f'{prefix}{keyword} ""')
                first = False
                continue
            break
        head = f"{prefix}{keyword} " if first else prefix
        first = False
        cuts = [0, *breaks, len(text)]
        for i in range(len(cuts) - 1):
            lines.append(f'{head if i == 0 else prefix}"{text[cuts[i]:cuts[i + 1]]}"')
    return lines


def _has_spaces(fpath: str) -> bool:
    return " " in fpath or "\t" in fpath


def reference_lines(occurrences: list[tuple[str, str]], width: int = WRAP_WIDTH) -> list[str]:
    """``#:`` lines as GNU fills them: a reference never split, file names with spaces isolated."""
    if not occurrences:
        return []
    lines, current, column = [], "#:", 2
    for fpath, lineno in occurrences:
        while fpath.startswith("./"):
            fpath = fpath[2:]
        suffix = f":{lineno}" if lineno not in (None, "") else ""
        size = len(fpath.encode("utf-8")) + len(suffix) + 1  # GNU counts bytes, without the isolates
        if column > 2 and column + size > width:
            lines.append(current)
            current, column = "#:", 2
        shown = FSI + fpath + PDI if _has_spaces(fpath) else fpath
        current += f" {shown}{suffix}"
        column += size
    lines.append(current)
    return lines


def reference_tokens(occurrences: list[tuple[str, str]]) -> list[str]:
    """The words of ``#:`` references as gettext 0.21 reads them back: split on spaces, repeats dropped.

    gettext 0.21 writes a file name with spaces between U+2068 and U+2069 but reads it back as
    one reference per word (and drops a word seen twice); comparing token lists tells whether
    a catalog's references are ours after such a round trip.
    """
    words = " ".join(
        (FSI + f + PDI if _has_spaces(f) and not f.startswith(FSI) else f) + (f":{n}" if n not in (None, "") else "")
        for f, n in occurrences).split()
    return list(dict.fromkeys(words))


def default_locations() -> str:
    """The ``#:`` style of ``PASSERELLE_PO_LOCATIONS`` (``full`` unless set); ValueError on an unknown one."""
    style = os.environ.get("PASSERELLE_PO_LOCATIONS", "full").strip() or "full"
    if style not in LOCATIONS:
        raise ValueError(f"PASSERELLE_PO_LOCATIONS must be one of {', '.join(LOCATIONS)}, got {style!r}")
    return style


def apply_locations(occurrences: list[tuple[str, str]], style: str) -> list[tuple[str, str]]:
    """References as gettext's ``--add-location=style`` keeps them: ``full``, ``file`` (no lines) or ``never``."""
    if style == "never":
        return []
    if style == "file":
        seen: dict[str, None] = {}
        for fpath, _ in occurrences:
            seen.setdefault(fpath, None)
        return [(fpath, "") for fpath in seen]
    return list(occurrences)


def _comment_lines(mark: str, text: str | None) -> list[str]:
    if not text:
        return []
    return [mark + (" " + line if line else "") for line in text.split("\n")]


def _flags_line(entry: polib.POEntry, translated: bool) -> list[str]:
    flags = [f for f in entry.flags if f not in ("fuzzy", "wrap", "no-wrap")]
    if "fuzzy" in entry.flags and translated:
        flags.insert(0, "fuzzy")
    if "no-wrap" in entry.flags:
        flags.append("no-wrap")
    return ["#, " + ", ".join(flags)] if flags else []


def _strings(entry: polib.POEntry, prefix: str, wrap: bool) -> list[str]:
    lines: list[str] = []
    if entry.msgctxt is not None:
        lines += wrap_string("msgctxt", entry.msgctxt, prefix=prefix, wrap=wrap)
    lines += wrap_string("msgid", entry.msgid, prefix=prefix, wrap=wrap)
    if entry.msgid_plural:
        lines += wrap_string("msgid_plural", entry.msgid_plural, prefix=prefix, wrap=wrap)
        for index in sorted(entry.msgstr_plural, key=int):
            lines += wrap_string(f"msgstr[{index}]", entry.msgstr_plural[index], prefix=prefix, wrap=wrap)
    else:
        lines += wrap_string("msgstr", entry.msgstr, prefix=prefix, wrap=wrap)
    return lines


def _first_msgstr(entry: polib.POEntry) -> str:
    if entry.msgid_plural:
        return entry.msgstr_plural.get(0, entry.msgstr_plural.get("0", "")) or ""
    return entry.msgstr or ""


def entry_lines(entry: polib.POEntry) -> list[str]:
    """The lines of one entry (current or obsolete) as GNU writes them; none for an untranslated obsolete one."""
    translated = bool(_first_msgstr(entry))
    if entry.obsolete and not translated:
        return []
    wrap = "no-wrap" not in entry.flags
    lines = _comment_lines("#", entry.tcomment) + _comment_lines("#.", entry.comment)
    lines += reference_lines(entry.occurrences)
    lines += _flags_line(entry, translated or entry.obsolete)
    previous = "#~| " if entry.obsolete else "#| "
    for keyword, value in (("msgctxt", entry.previous_msgctxt), ("msgid", entry.previous_msgid),
                           ("msgid_plural", entry.previous_msgid_plural)):
        if value is not None:
            lines += wrap_string(keyword, value, prefix=previous, wrap=wrap)
    return lines + _strings(entry, "#~ " if entry.obsolete else "", wrap)


def header_entry(po: polib.POFile) -> polib.POEntry:
    """The header as an entry: its comment, its fields in the catalog's own order, its fuzzy flag."""
    entry = polib.POEntry(msgid="", tcomment=po.header or None)
    if po.metadata:
        entry.msgstr = "".join(f"{key}: {value}\n" for key, value in po.metadata.items())
    if po.metadata_is_fuzzy:
        entry.flags.append("fuzzy")
    return entry


def format_catalog(po: polib.POFile) -> str:
    """The catalog as GNU ``msgcat`` writes it: header, current entries in order, obsolete entries last."""
    blocks = [entry_lines(header_entry(po))]
    blocks += [entry_lines(e) for e in po if not e.obsolete]
    blocks += [entry_lines(e) for e in po if e.obsolete]
    return "\n".join("\n".join(block) + "\n" for block in blocks if block)
