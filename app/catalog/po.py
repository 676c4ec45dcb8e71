"""Reading, creating and writing the per-note gettext catalogs.

One catalog per note per target language.  polib parses and renders entries; this
module adds what the project needs on top: strict error reporting (file and line),
GNU-style ``#:`` references for file names with spaces (wrapped in U+2068/U+2069
like gettext >= 0.20, which polib alone would split), deterministic output, and
atomic writes under a cross-process lock that skip unchanged bytes.
"""

from __future__ import annotations

import hashlib
import os
import re
from functools import lru_cache
from urllib.parse import quote, unquote

import polib

from app.catalog import po_format
from app.fsutil import atomic_write, file_lock

WRAP_WIDTH = 79
SOURCE_DIR = "content/fr"
FSI, PDI = "\u2068", "\u2069"
_ISOLATED = re.compile(f"{FSI}([^{PDI}]*){PDI}")
_STRING = r'"(?:[^"\\]|\\.)*"'
_STRING_LINE = re.compile(rf"^(?:(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s*)?{_STRING}$")
_KEYWORD_LINE = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr)\b")
_OK_CHARSETS = {"utf-8", "utf8", "charset", "ascii", "us-ascii"}


class CatalogError(Exception):
    """A catalog that cannot be read safely (syntax error, bad encoding)."""

    def __init__(self, path: str, line: int | None, reason: str):
        self.path, self.line, self.reason = str(path), line, reason
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {reason}")


class _LinesOnLF(str):
    """Text that polib splits on LF only (str.splitlines also splits on U+2028, \\x1c...)."""

    def splitlines(self, keepends: bool = False) -> list[str]:
        return self.split("\n")


def _check_syntax(lines: list[str], path: str) -> None:
    """Reject what polib would silently accept: bad quoting, msgid without msgstr."""
    pending = {False: None, True: None}  # obsolete? -> line of a msgid awaiting msgstr
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].lstrip()
            line = "#" + line if line.startswith("|") else line
        if line.startswith("#|"):
            if not _STRING_LINE.match(line[2:].strip()):
                raise CatalogError(path, number, "malformed previous-msgid line")
            continue
        if not line or line.startswith("#"):
            continue
        if not _STRING_LINE.match(line):
            raise CatalogError(path, number, "syntax error (expected a quoted string)")
        keyword = _KEYWORD_LINE.match(line)
        if keyword and keyword.group(1) == "msgid":
            if pending[obsolete] is not None:
                raise CatalogError(path, pending[obsolete], "msgid without msgstr")
            pending[obsolete] = number
        elif keyword and keyword.group(1) == "msgstr":
            pending[obsolete] = None
    for line_number in pending.values():
        if line_number is not None:
            raise CatalogError(path, line_number, "msgid without msgstr")


def _check_header(lines: list[str], path: str) -> None:
    """A catalog starts with its header entry (``msgid ""``); an empty file or one without is corrupt."""
    entries = ((number, line.strip()) for number, line in enumerate(lines, 1)
               if line.strip() and not line.lstrip().startswith("#"))
    first = next(entries, None)
    if first is None:
        raise CatalogError(path, None, 'empty catalog: no header entry (msgid "")')
    second = next(entries, None)
    if not re.fullmatch(r'msgid\s*""', first[1]) or second is None or not second[1].startswith("msgstr"):
        raise CatalogError(path, first[0], 'no header entry: a catalog starts with msgid "" and its metadata')


def _protect_references(line: str) -> str:
    """Percent-encode isolated file names so polib's whitespace split keeps them whole."""
    if not line.lstrip().startswith("#:"):
        return line
    return _ISOLATED.sub(lambda m: FSI + quote(m.group(1), safe="") + PDI, line)


_BELL = re.compile(r'(?<!\\)((?:\\\\)*)\\a')
_STRING_START = re.compile(r'^(?:#~\|?|#\|)?\s*(?:msg|")')


def _read_bell_escapes(line: str) -> str:
    """GNU writes U+0007 as ``\\a``, which polib does not read: give it the character itself."""
    if "\\a" not in line or not _STRING_START.match(line):
        return line
    return _BELL.sub(lambda m: m.group(1) + "\a", line)


def _restore_reference(fpath: str) -> str:
    if fpath.startswith(FSI) and fpath.endswith(PDI):
        return unquote(fpath[1:-1])
    return fpath


def parse_catalog(data: bytes | str, path: str = "<memory>") -> polib.POFile:
    """Parse catalog bytes or text; raise CatalogError with the line on any defect."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise CatalogError(path, line, f"invalid UTF-8 (byte 0x{data[exc.start]:02x})") from None
    else:
        text = data
    text = text.removeprefix("\ufeff")
    lines = text.split("\n")
    _check_syntax(lines, path)
    protected = _LinesOnLF("\n".join(_protect_references(_read_bell_escapes(line)) for line in lines))
    try:
        po = polib.pofile(protected, encoding="utf-8", wrapwidth=WRAP_WIDTH)
    except (OSError, ValueError, KeyError, IndexError) as exc:
        found = re.search(r"line (\d+)", str(exc))
        raise CatalogError(path, int(found.group(1)) if found else None, str(exc)) from None
    po.fpath = None if path == "<memory>" else str(path)
    seen: set[tuple[str | None, str]] = set()
    for entry in po:
        entry.occurrences = [(_restore_reference(f), n) for f, n in entry.occurrences]
        key = (entry.msgctxt, entry.msgid)
        if not entry.obsolete:
            if key in seen:
                raise CatalogError(path, entry.linenum, f"duplicate msgid {entry.msgid[:40]!r}")
            seen.add(key)
    charset = re.search(r"charset=([^\s;]+)", po.metadata.get("Content-Type", ""))
    if charset and charset.group(1).lower() not in _OK_CHARSETS:
        line = next((i for i, s in enumerate(lines, 1) if "charset=" in s), None)
        raise CatalogError(path, line, f"unsupported charset {charset.group(1)} (catalogs are UTF-8)")
    _check_header(lines, path)
    return po


def read_catalog(path: str | os.PathLike[str]) -> polib.POFile:
    """Read a catalog file; raise CatalogError (with line) on syntax errors or bad encoding."""
    with open(path, "rb") as handle:
        data = handle.read()
    return parse_catalog(data, os.fspath(path))


@lru_cache(maxsize=64)  # babel parses the locale each time: once per catalog written, before
def _language_name(lang: str) -> str:
    from babel import Locale, UnknownLocaleError  # here: merging into an existing catalog never needs babel

    try:
        return Locale.parse(lang.replace("-", "_")).english_name or lang
    except (UnknownLocaleError, ValueError, TypeError):
        return lang


@lru_cache(maxsize=64)
def _plural_forms(lang: str) -> str:
    from babel.messages.plurals import get_plural

    return str(get_plural(lang))


def new_catalog(source: str, lang: str, project: str = "Passerelle") -> polib.POFile:
    """Return an empty catalog for ``content/fr/<source>`` in ``lang`` with a complete, stable header."""
    lang = lang.replace("-", "_")
    name = _language_name(lang)
    po = polib.POFile(wrapwidth=WRAP_WIDTH)
    po.header = f"{name} translation of {SOURCE_DIR}/{source}\nThis file is maintained by {project}."
    po.metadata = {
        "Project-Id-Version": project,
        "Report-Msgid-Bugs-To": "",
        "PO-Revision-Date": "",
        "Last-Translator": "",
        "Language-Team": name,
        "Language": lang,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": _plural_forms(lang),
        "X-Source-File": f"{SOURCE_DIR}/{source}",
    }
    return po


def format_catalog(po: polib.POFile) -> str:
    """Serialize as GNU ``msgcat`` does (see :mod:`app.catalog.po_format`): header, entries in order, obsolete last."""
    return po_format.format_catalog(po)


def write_catalog(path: str | os.PathLike[str], po: polib.POFile, *, force: bool = False) -> bool:
    """Write ``po`` atomically under the file lock if its bytes changed; return True when written.

    An existing file that does not parse is never overwritten (CatalogError) unless ``force``.
    """
    data = format_catalog(po).encode("utf-8")
    path = os.fspath(path)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with file_lock(path):
        try:
            with open(path, "rb") as handle:
                current = handle.read()
        except FileNotFoundError:
            current = None
        if current == data:
            return False
        if current is not None and not force:
            parse_catalog(current, path)
        atomic_write(path, data)
    return True


def entry_id(entry: polib.POEntry) -> str:
    """Stable id of an entry from msgctxt + msgid (unchanged while the French is unchanged)."""
    key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt is not None else entry.msgid
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def entry_digest(entry: polib.POEntry) -> str:
    """Short hash of what a translator can change: msgstr, fuzzy flag, previous msgid."""
    state = "\x00".join([entry.msgstr, "fuzzy" if entry.fuzzy else "", entry.previous_msgid or ""])
    return hashlib.sha1(state.encode("utf-8")).hexdigest()[:12]


def _is_translated(entry: polib.POEntry) -> bool:
    if entry.msgstr_plural:
        return all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def catalog_counts(po: polib.POFile) -> dict[str, int]:
    """Count translated / fuzzy / untranslated / obsolete entries (fuzzy is not translated)."""
    counts = {"translated": 0, "fuzzy": 0, "untranslated": 0, "obsolete": 0}
    for entry in po:
        if entry.obsolete:
            counts["obsolete"] += 1
        elif not _is_translated(entry):
            counts["untranslated"] += 1
        elif entry.fuzzy:
            counts["fuzzy"] += 1
        else:
            counts["translated"] += 1
    return counts


def translations_of(po: polib.POFile) -> dict[str, str]:
    """Map msgid -> msgstr for entries that may be published (translated, not fuzzy, not obsolete)."""
    return {
        e.msgid: e.msgstr
        for e in po
        if not e.obsolete and not e.fuzzy and e.msgstr and not e.msgstr_plural
    }
