"""Minor and substantive changes of the French: the rule, and how a catalog entry records a minor one.

A change of a segment's French is **minor** when it cannot change what the English must say:
whitespace, punctuation and typographic variants (quotes, apostrophes, dashes, no-break
spaces, the ligatures œ and æ), letter case, diacritics, and typo fixes inside words (at most
:data:`MAX_WORD_EDIT` characters inside a word of at least :data:`MIN_WORD_LETTERS` letters,
the word keeping its first letter, no word added or removed, at most
:data:`MAX_EDITED_WORDS` words edited). It is **substantive** as soon as a number, a URL, a
wikilink target, inline code, emphasis, a question mark or a negation word differs, whatever
else is the same. The reasons are in ``docs/minor-changes.md``.

A minor change keeps the translation (not fuzzy); the entry records the French it was
translated from as ``#| msgid`` and carries :data:`MINOR_MARK`, a translator comment line,
until a translator or the editor confirms it. It is a comment and not a ``#,`` flag because
GNU gettext drops every flag it does not know (``msgcat``, ``msgattrib`` and ``msgmerge``
all do; a comment survives the four tools and ``msgfmt -c``).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

import polib
from rapidfuzz.distance import Levenshtein

from app.content.wikilinks import WIKILINK, code_spans, strip_code_spans

MIN_WORD_LETTERS = 5  #: a typo fix is allowed only inside words at least this long (before and after)
MAX_WORD_EDIT = 2  #: characters inserted, deleted or replaced inside one word
MAX_EDITED_WORDS = 3  #: words a minor change may touch (typo fixes), whatever its length
MINOR_MARK = "passerelle: minor-change"  #: the translator comment line marking an unconfirmed minor change
MODES = ("keep", "fuzzy")  #: ``PASSERELLE_MINOR_CHANGES``: keep the translation, or make it fuzzy as msgmerge does

#: Words whose presence or absence turns a sentence around (French negation, and "sans").
NEGATIONS = frozenset("ne n pas non jamais rien aucun aucune aucuns aucunes personne nul nulle nuls nulles "
                      "ni guere point sans plus nullement".split())

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_NUMBER = re.compile(r"\d(?:[\d.,]*\d)?")
#: A link destination stops at ``]`` too, where the next ``](`` could start: linear time.
_URL = re.compile(r"(?:(?:https?|ftp)://|mailto:|www\.)[^\s<>\[\]()]+|\]\(\s*<?([^)\s>\]]*)", re.IGNORECASE)
_SKELETON = re.compile(r"\*\*|__|\*|_|==|~~|[^\W\d_]+")

Kind = Literal["same", "minor", "substantive"]
_configured = {"mode": "keep"}


def configure(mode: str) -> None:
    """Set the process-wide default of :func:`keep_minor_change` (the app factory passes ``MINOR_CHANGES``)."""
    if mode not in MODES:
        raise ValueError(f"PASSERELLE_MINOR_CHANGES must be one of {', '.join(MODES)}, got {mode!r}")
    _configured["mode"] = mode


def configured_mode() -> str:
    """``keep`` (the default) or ``fuzzy``."""
    return _configured["mode"]


@dataclass(frozen=True)
class Change:
    """The verdict on one change of French text, with the reason for a substantive one."""

    kind: Kind
    reason: str = ""  #: ``number``, ``url``, ``wikilink``, ``code``, ``emphasis``, ``question``, ``negation``, ``words``

    @property
    def minor(self) -> bool:
        """True for a minor change (not for identical texts)."""
        return self.kind == "minor"


_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae"})


def fold(text: str) -> str:
    """Lower case without diacritics or ligatures (œ, æ), NFC: what a reader would not hear as different."""
    decomposed = unicodedata.normalize("NFD", text.casefold().translate(_LIGATURES))
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def _words(text: str) -> list[str]:
    return _WORD.findall(strip_code_spans(WIKILINK.sub(lambda m: " " + (m.group("label") or m.group("target")) + " ", text), " "))


def _wikilink_targets(text: str) -> list[str]:
    return [m.group("embed") + m.group("target") + (m.group("anchor") or "") for m in WIKILINK.finditer(text)]


def _emphasis_skeleton(text: str) -> list[str]:
    """Emphasis markers with the words between them as ``w``: moving or adding emphasis changes it."""
    plain = strip_code_spans(WIKILINK.sub(lambda m: " " + (m.group("label") or "") + " ", _URL.sub(" ", text)), " ")
    tokens = ["w" if token[0].isalpha() else token for token in _SKELETON.findall(plain)]
    return tokens if any(token != "w" for token in tokens) else []


def _guard(old: str, new: str) -> str:
    """The first protected feature that differs between ``old`` and ``new`` (``""`` when none)."""
    checks = (
        ("number", lambda t: _NUMBER.findall(t)),
        ("url", lambda t: [m.group(0) for m in _URL.finditer(t)]),
        ("wikilink", _wikilink_targets),
        ("code", lambda t: [t[start:end] for start, end in code_spans(t)]),
        ("negation", lambda t: [w for w in map(fold, _words(t)) if w in NEGATIONS]),
        ("question", lambda t: t.count("?") + t.count("¿")),
        ("emphasis", _emphasis_skeleton),
    )
    for reason, features in checks:
        if features(old) != features(new):
            return reason
    return ""


def _typo_fix(old: str, new: str) -> bool:
    """Tell whether one word became another by a typo fix: long enough, same first letter, small edit."""
    a, b = fold(old), fold(new)
    if a == b:
        return True  # case or diacritics only
    if min(len(a), len(b)) < MIN_WORD_LETTERS or a[0] != b[0]:
        return False  # short words (mais/mai) and prefixes (utile/inutile) carry meaning
    return Levenshtein.distance(a, b) <= MAX_WORD_EDIT


def classify_change(old: str, new: str) -> Change:
    """Classify the change of a segment's French from ``old`` to ``new`` (pure; cost linear in their size)."""
    if old == new:
        return Change("same")
    old_n, new_n = unicodedata.normalize("NFC", old), unicodedata.normalize("NFC", new)
    reason = _guard(old_n, new_n)
    if reason:
        return Change("substantive", reason)
    a, b = _words(old_n), _words(new_n)
    if len(a) != len(b):
        # words joined or split by a space or a hyphen ("porte-monnaie", "bien que") and nothing else
        same_letters = "".join(a) == "".join(b) or "".join(map(str.casefold, a)) == "".join(map(str.casefold, b))
        return Change("minor") if same_letters else Change("substantive", "words")
    edited = [(x, y) for x, y in zip(a, b) if fold(x) != fold(y)]
    if len(edited) > MAX_EDITED_WORDS or not all(_typo_fix(x, y) for x, y in edited):
        return Change("substantive", "words")
    return Change("minor")


def is_minor(old: str, new: str) -> bool:
    """True when ``old`` → ``new`` is a minor change (identical texts are not a change)."""
    return classify_change(old, new).minor


# --- how a catalog entry records a minor change ------------------------------------------------

def has_mark(entry: polib.POEntry) -> bool:
    """Tell whether the entry carries :data:`MINOR_MARK`."""
    return MINOR_MARK in (entry.tcomment or "").split("\n")


def pending(entry: polib.POEntry) -> bool:
    """A translated entry whose French changed in a minor way since the translation, not confirmed yet."""
    return has_mark(entry) and not entry.fuzzy and bool(entry.msgstr)


def unmark(entry: polib.POEntry) -> None:
    """Remove :data:`MINOR_MARK` (and, unless the entry is fuzzy, the previous msgid it explains)."""
    _strip_mark(entry)
    if not entry.fuzzy:
        entry.previous_msgctxt = entry.previous_msgid = entry.previous_msgid_plural = None


def mark(entry: polib.POEntry, previous: str | None) -> None:
    """Record a kept minor change: not fuzzy, ``#| msgid`` = ``previous``, :data:`MINOR_MARK` added."""
    entry.flags = [flag for flag in entry.flags if flag != "fuzzy"]
    entry.previous_msgctxt, entry.previous_msgid = None, previous
    if not has_mark(entry):
        entry.tcomment = MINOR_MARK if not entry.tcomment else entry.tcomment + "\n" + MINOR_MARK


def _strip_mark(entry: polib.POEntry) -> None:
    if has_mark(entry):
        entry.tcomment = "\n".join(line for line in entry.tcomment.split("\n") if line != MINOR_MARK)


def keep_minor_change(entry: polib.POEntry, match: polib.POEntry | None, mode: str = "keep") -> None:
    """The merge hook: after exact or fuzzy matching, keep the translation when the French changed in a minor way.

    ``match`` is the old entry the merge took ``entry``'s translation from (None: no match). The
    French compared is the one the translation was made against: the match's ``#| msgid`` when the
    match is itself an unconfirmed minor change, else its msgid. With ``mode="fuzzy"`` no new
    minor change is kept (msgmerge's strictness).
    """
    if match is None or not entry.msgstr:
        unmark(entry)
        return
    if match.msgid == entry.msgid and match.msgctxt == entry.msgctxt:  # exact: an unconfirmed change stays so
        if pending(match):
            entry.previous_msgctxt, entry.previous_msgid = None, match.previous_msgid
        else:
            _strip_mark(entry)
        return
    _strip_mark(entry)  # copied from the match with its comments; put back below if still minor
    if match.fuzzy:
        return  # the new entry stays fuzzy, pointing where the old one pointed
    translated_from = (match.previous_msgid or match.msgid) if pending(match) else match.msgid
    if translated_from == entry.msgid:  # the French came back to what was translated
        entry.flags = [flag for flag in entry.flags if flag != "fuzzy"]
        entry.previous_msgctxt = entry.previous_msgid = None
    elif mode != "fuzzy" and is_minor(translated_from, entry.msgid):
        mark(entry, translated_from)
    else:
        entry.previous_msgctxt, entry.previous_msgid = None, translated_from  # fuzzy against what was translated


def only_minor_changes(old_text: str, new_text: str) -> bool:
    """Tell whether a note changed from ``old_text`` to ``new_text`` only by minor changes of its segments.

    Every segment must pair up in order (none added or removed) with a minor change or none, and
    everything outside the segments (front-matter keys, code blocks, embeds, markup) must be
    byte for byte the same: putting the old French back into the new note gives the old file.
    """
    from app.catalog.assemble import assemble_note
    from app.catalog.segment import segment_note

    if old_text == new_text:
        return True
    old_ids = [s.msgid for s in segment_note(old_text)]
    new_ids = [s.msgid for s in segment_note(new_text)]
    if len(old_ids) != len(new_ids):
        return False
    back: dict[str, str] = {}
    for old, new in zip(old_ids, new_ids):
        if back.setdefault(new, old) != old or (old != new and not is_minor(old, new)):
            return False
    return assemble_note(new_text, back) == old_text
