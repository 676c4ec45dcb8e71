"""Sync a note's catalog with its current French segments, like ``msgmerge --previous``.

Semantics (checked against GNU msgmerge in tests/test_merge.py):

- new entries follow the French document order; identical msgids collapse into one
  entry with one ``#:`` reference per occurrence and ``#. type:`` listing every kind of place;
- an exact match (msgctxt + msgid) in the old catalog, current or obsolete, keeps its
  msgstr, flags and translator comments (an obsolete match is revived);
- otherwise the most similar old entry that has a translation (current or obsolete,
  similarity = 2 * matching units / total length over the UTF-8 bytes, exactly
  msgmerge's fstrcmp, at least 0.6, sharing at least one 4-character sequence as
  msgmerge's index requires, first best in old-file order) gives its msgstr to a new
  ``#, fuzzy`` entry whose ``#| msgid`` is the French it was translated from;
- otherwise the entry is untranslated;
- unlike msgmerge, a fuzzy msgstr gets its leading/trailing newline aligned with the
  new msgid, so the catalog keeps passing ``msgfmt -c``;
- a compendium (other catalogs' entries) is matched after the old catalog, exactly then fuzzily;
- old translated entries used by nothing become obsolete (``#~``); untranslated
  ones are dropped; ``#| msgid`` survives only on fuzzy, translated entries.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Protocol, Sequence

import polib
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

from app.catalog import minor
from app.catalog.po import SOURCE_DIR, WRAP_WIDTH, new_catalog

FUZZY_THRESHOLD = 0.6


class SegmentLike(Protocol):
    """What merge needs from app.catalog.segment.Segment."""

    msgid: str
    type: str
    line: int


def similarity(a: str | bytes, b: str | bytes) -> float:
    """Return 2 * matches / (len(a) + len(b)) over UTF-8 bytes, like msgmerge's fstrcmp."""
    a = a.encode("utf-8") if isinstance(a, str) else a
    b = b.encode("utf-8") if isinstance(b, str) else b
    return fuzz.ratio(a, b) / 100.0


def _similar_enough(a: bytes, b: bytes) -> bool:
    """Exact (integer) test of similarity(a, b) >= FUZZY_THRESHOLD, free of float rounding.

    msgmerge requires fstrcmp > 0.6 but adds a 1e-5 bonus when the contexts agree,
    which is always the case here, so a score of exactly 0.6 matches.
    """
    total = len(a) + len(b)
    matched = total - Indel.distance(a, b)
    return total > 0 and Fraction(matched, total) >= Fraction(str(FUZZY_THRESHOLD))


def _has_translation(entry: polib.POEntry) -> bool:
    return bool(entry.msgstr) and not entry.msgstr_plural


def _worth_keeping(entry: polib.POEntry) -> bool:
    return bool(entry.msgstr) or any(entry.msgstr_plural.values())


def _new_entries(segments: Sequence[SegmentLike], reference: str) -> list[polib.POEntry]:
    """One entry per distinct msgid, in document order, with every occurrence listed."""
    by_msgid: dict[str, polib.POEntry] = {}
    types: dict[str, list[str]] = {}
    for seg in segments:
        if not seg.msgid:
            continue  # "" is the header's msgid; an empty segment has nothing to translate
        entry = by_msgid.get(seg.msgid)
        if entry is None:
            entry = by_msgid[seg.msgid] = polib.POEntry(msgid=seg.msgid)
        if seg.type not in types.setdefault(seg.msgid, []):
            types[seg.msgid].append(seg.type)
        entry.occurrences.append((reference, str(seg.line)))
    for msgid, entry in by_msgid.items():
        entry.comment = "type: " + ", ".join(types[msgid])  # every kind of place the text fills
    return list(by_msgid.values())


def _take_exact(entry: polib.POEntry, old: polib.POEntry) -> None:
    entry.msgstr = old.msgstr
    entry.tcomment = old.tcomment
    entry.flags = list(old.flags)
    if entry.fuzzy and entry.msgstr:
        entry.previous_msgctxt = old.previous_msgctxt
        entry.previous_msgid = old.previous_msgid


def _align_newlines(msgid: str, msgstr: str) -> str:
    """Make msgstr start/end with a newline exactly when msgid does (``msgfmt -c`` requires it)."""
    if msgid.startswith("\n") != msgstr.startswith("\n"):
        msgstr = "\n" + msgstr if msgid.startswith("\n") else msgstr.lstrip("\n")
    if msgstr and msgid.endswith("\n") != msgstr.endswith("\n"):
        msgstr = msgstr + "\n" if msgid.endswith("\n") else msgstr.rstrip("\n")
    return msgstr


def _take_fuzzy(entry: polib.POEntry, old: polib.POEntry) -> None:
    entry.msgstr = _align_newlines(entry.msgid, old.msgstr)
    entry.tcomment = old.tcomment
    entry.flags = ["fuzzy"] + [f for f in old.flags if f != "fuzzy"]
    if old.fuzzy and old.previous_msgid is not None:
        # The translation was made against the older French: keep pointing at it.
        entry.previous_msgctxt, entry.previous_msgid = old.previous_msgctxt, old.previous_msgid
    else:
        entry.previous_msgctxt, entry.previous_msgid = old.msgctxt, old.msgid


def _shares_a_4gram(query: str, grams: set[str], other: str) -> bool:
    """msgmerge only weighs old msgids sharing a 4-character sequence with the new one."""
    if len(query) < 4:
        return True
    return any(other[i:i + 4] in grams for i in range(len(other) - 3))


#: Above this many bytes (either side), a pair's similarity is not computed (quadratic in the
#: length) but bounded from below by their shared beginning and end (linear): a long paragraph
#: edited in one place still finds its old translation.
LONG = 4096


def _common_prefix(a: bytes, b: bytes) -> int:
    """Length of the common beginning of ``a`` and ``b``, compared a slice at a time (not a byte at a time)."""
    most, start, width = min(len(a), len(b)), 0, 64
    while start < most:
        width = min(width, most - start)
        if a[start:start + width] == b[start:start + width]:
            start, width = start + width, width * 2
        elif width > 1:
            width //= 2
        else:
            break
    return start


def _shared_ends(a: bytes, b: bytes) -> int:
    """Bytes ``a`` and ``b`` share at their start plus at their end (without overlap)."""
    start = _common_prefix(a, b)
    end = _common_prefix(a[start:][::-1], b[start:][::-1])
    return start + end


def _find_long(query: bytes, candidates: list[polib.POEntry], texts: list[bytes]) -> polib.POEntry | None:
    """The candidate sharing the most with a long ``query`` at both ends, if that reaches the threshold."""
    best, best_score = None, Fraction(str(FUZZY_THRESHOLD))
    for entry, text in zip(candidates, texts):
        total = len(query) + len(text)
        if not total or Fraction(2 * min(len(query), len(text)), total) < best_score:
            continue
        score = Fraction(2 * _shared_ends(query, text), total)
        if score >= best_score and (best is None or score > best_score):
            best, best_score = entry, score
    return best


def _find_fuzzy(msgid: str, candidates: list[polib.POEntry], texts: list[bytes]) -> polib.POEntry | None:
    """Best old entry at or above the threshold; the first one in old-file order wins ties."""
    query = msgid.encode("utf-8")
    if len(query) > LONG:
        return _find_long(query, candidates, texts)
    short = [k for k, text in enumerate(texts) if len(text) <= LONG]
    if len(short) < len(texts):
        candidates, texts = [candidates[k] for k in short], [texts[k] for k in short]
        if not texts:
            return None
    cutoff = FUZZY_THRESHOLD * 100 - 1e-6
    best = process.extractOne(query, texts, scorer=fuzz.ratio, score_cutoff=cutoff)
    if best is None or not _similar_enough(query, best[0]):
        return None
    grams = {msgid[i:i + 4] for i in range(len(msgid) - 3)}
    if _shares_a_4gram(msgid, grams, candidates[best[2]].msgid):
        return candidates[best[2]]
    # Rare: a coincidental match. Walk the rest by decreasing score, then index.
    for text, _score, index in process.extract(query, texts, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None):
        if not _similar_enough(query, text):
            return None
        if _shares_a_4gram(msgid, grams, candidates[index].msgid):
            return candidates[index]
    return None


def _header(old: polib.POFile | None, source: str, lang: str) -> polib.POFile:
    if old is None:
        return new_catalog(source, lang)
    po = polib.POFile(wrapwidth=WRAP_WIDTH)
    po.header = old.header
    po.metadata = dict(old.metadata)
    po.metadata_is_fuzzy = old.metadata_is_fuzzy
    missing = [key for key in ("Language", "Content-Type", "Plural-Forms") if key not in po.metadata]
    if missing:  # a new header only for what the old one lacks (it asks babel for the language's plural forms)
        fresh = new_catalog(source, lang)
        for key in missing:
            po.metadata[key] = fresh.metadata[key]
    po.metadata["X-Source-File"] = f"{SOURCE_DIR}/{source}"
    return po


def merge_catalog(
    old: polib.POFile | None, segments: Sequence[SegmentLike], source: str, lang: str,
    compendium: Sequence[polib.POEntry] = (), *, minor_changes: str | None = None,
) -> polib.POFile:
    """Return the catalog for ``segments`` updated from ``old`` with msgmerge --previous semantics.

    ``compendium`` entries (``msgmerge --compendium``) are matched after ``old``'s and never
    become obsolete entries of the result. ``minor_changes`` (``keep`` or ``fuzzy``; default
    :func:`app.catalog.minor.configured_mode`) decides whether a minor change of the French keeps
    the translation (see :mod:`app.catalog.minor`).
    """
    po = _header(old, source, lang)
    entries = _new_entries(segments, f"{SOURCE_DIR}/{source}")
    previous = list(old) if old is not None else []
    ordered = [e for e in previous if not e.obsolete] + [e for e in previous if e.obsolete]
    exact: dict[tuple[str | None, str], polib.POEntry] = {}
    for old_entry in [*ordered, *compendium]:
        exact.setdefault((old_entry.msgctxt, old_entry.msgid), old_entry)
    candidates = [e for e in [*ordered, *compendium] if _has_translation(e)]
    texts = [e.msgid.encode("utf-8") for e in candidates]
    used: set[int] = set()
    own = {id(e) for e in ordered}
    for entry in entries:
        match = exact.get((None, entry.msgid))
        if match is not None:
            _take_exact(entry, match)
        elif candidates and (match := _find_fuzzy(entry.msgid, candidates, texts)) is not None:
            _take_fuzzy(entry, match)
        if match is not None:
            used.add(id(match))
        if not entry.msgstr:
            entry.flags = [f for f in entry.flags if f != "fuzzy"]
        # a minor change keeps this note's own translation; one pre-filled from the compendium stays fuzzy
        minor.keep_minor_change(entry, match if match is None or id(match) in own else None,
                                minor_changes or minor.configured_mode())
        if not (entry.fuzzy and entry.msgstr) and not minor.pending(entry):
            entry.previous_msgctxt = entry.previous_msgid = entry.previous_msgid_plural = None
        po.append(entry)
    current_keys = {(None, e.msgid) for e in entries}
    for old_entry in ordered:
        key = (old_entry.msgctxt, old_entry.msgid)
        if id(old_entry) in used or not _worth_keeping(old_entry) or key in current_keys:
            continue
        current_keys.add(key)
        po.append(
            polib.POEntry(
                msgctxt=old_entry.msgctxt,
                msgid=old_entry.msgid,
                msgstr=old_entry.msgstr,
                msgid_plural=old_entry.msgid_plural,
                msgstr_plural=dict(old_entry.msgstr_plural),
                tcomment=old_entry.tcomment,
                flags=list(old_entry.flags),
                obsolete=True,
            )
        )
    return po
