"""The English draft of a note as it would be published now: assembled, segment by segment, checked.

The draft is built against the French file as it is on disk (its bytes and their SHA-256), not
against the index's copy, so what the editor approves is exactly what gets pinned. Segments
without a current translation (new, fuzzy, or a catalog not yet synced) keep their French in
the assembled text and count as missing.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from app.catalog.assemble import assemble_note
from app.catalog.fuzzy_reasons import fuzzy_reasons
from app.catalog.po import CatalogError, entry_id, read_catalog, translations_of
from app.catalog.segment import segment_note
from app.content.frontmatter import FrontMatterError, as_string_list, parse_front_matter, split_front_matter
from app.content.notes import Note
from app.services.translating.entry_views import entry_checks
from app.workflow.checks import CheckResult, has_errors


@dataclass
class Segment:
    """One translatable segment of the current French with its English and check results."""

    id: str
    msgid: str
    msgstr: str
    type: str
    line: int
    status: str  #: ``translated``, ``fuzzy`` or ``untranslated``
    checks: list[CheckResult] = field(default_factory=list)
    reason: str | None = None  #: a fuzzy segment's reason: ``french_changed`` or ``similar_passage``
    reason_source: str | None = None  #: the id of the similar passage it was suggested from


@dataclass
class Draft:
    """The English draft of a note as it would be published now, and what stands in its way."""

    note: Note
    lang: str
    french_text: str
    french_sha256: str
    segments: list[Segment]
    english: str  #: assembled Markdown; untranslated segments keep their French
    title: str
    aliases: list[str] = field(default_factory=list)
    catalog_error: str | None = None

    @property
    def missing(self) -> dict[str, int]:
        """Counts of what blocks approval: untranslated, fuzzy and error-checked segments."""
        counts = {"untranslated": 0, "fuzzy": 0, "errors": 0}
        for seg in self.segments:
            if seg.status != "translated":
                counts[seg.status] += 1
            elif has_errors(seg.checks):
                counts["errors"] += 1
        return counts

    @property
    def counts(self) -> dict[str, int]:
        """How many segments are translated, fuzzy and untranslated."""
        counts = {"translated": 0, "fuzzy": 0, "untranslated": 0}
        for seg in self.segments:
            counts[seg.status] += 1
        return counts

    def line_of(self, ident: str | None) -> int | None:
        """The line of the segment with id ``ident`` (None when there is none)."""
        return next((seg.line for seg in self.segments if ident and seg.id == ident), None)

    @property
    def body(self) -> str:
        """The assembled English without its front matter."""
        return split_front_matter(self.english).body


def read_french(garden, note: Note) -> tuple[str, str]:
    """The French file's current text and the SHA-256 of its bytes, read from disk."""
    data = garden.note_path(note).read_bytes()
    return data.decode("utf-8"), hashlib.sha256(data).hexdigest()


def build_draft(garden, note: Note, lang: str) -> Draft:
    """Assemble the English of ``note`` from its catalog against the French on disk, with checks."""
    french, sha = read_french(garden, note)
    entries, catalog_error = {}, None
    path = garden.catalog_path(lang, note.slug)
    try:
        po = read_catalog(path) if path.exists() else None
    except CatalogError as exc:
        po, catalog_error = None, str(exc)
    reasons = fuzzy_reasons(po) if po is not None else {}
    if po is not None:
        entries = {(e.msgctxt, e.msgid): e for e in po if not e.obsolete}
    segments, seen = [], set()
    for seg in segment_note(french, note.name):
        if seg.msgid in seen:
            continue
        seen.add(seg.msgid)
        entry = entries.get((None, seg.msgid))
        msgstr = entry.msgstr if entry is not None else ""
        status = "untranslated" if not msgstr else "fuzzy" if entry.fuzzy else "translated"
        checks = entry_checks(entry, lang) if entry is not None else []
        ident = entry_id(entry) if entry is not None else ""
        reason, source = reasons.get(ident, (None, None)) if status == "fuzzy" else (None, None)
        segments.append(Segment(ident, seg.msgid, msgstr, seg.type, seg.line, status, checks, reason, source))
    translations = translations_of(po) if po is not None else {}
    english = assemble_note(french, translations, drop_comments=True)  # private comments are never published
    title, aliases = _title_and_aliases(english, note)
    if "title" not in parse_front_matter_or_empty(french):  # titled by its file name: the name's translation
        title = translations.get(note.name) or note.title
    return Draft(note, lang, french, sha, segments, english, title, aliases, catalog_error)


def parse_front_matter_or_empty(text: str) -> dict:
    """The front matter of ``text``, or an empty dict when it has none or it cannot be read."""
    try:
        meta = parse_front_matter(split_front_matter(text).yaml_text)
    except FrontMatterError:
        return {}
    return meta if meta.get("title") not in (None, "") else {k: v for k, v in meta.items() if k != "title"}


def _title_and_aliases(english: str, note: Note) -> tuple[str, list[str]]:
    """The translated title (else the French one) and aliases of the assembled front matter."""
    try:
        meta = parse_front_matter(split_front_matter(english).yaml_text)
    except FrontMatterError:
        meta = {}
    title = meta.get("title")
    title = str(title).strip() if title not in (None, "") else note.title
    return title, as_string_list(meta.get("aliases"))
