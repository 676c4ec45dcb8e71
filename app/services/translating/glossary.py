"""The glossary of each target language: terms kept in the database, matched in segments, checked in translations.

Editors add, change and remove terms (one per French term and language, whatever its
inflection), import and export them as CSV, export TBX. Translators get the terms found in each
French segment with their required English, and a warning-level check when a translation lacks
one. The compiled :class:`~app.workflow.glossary.Glossary` of a language is cached per process
and rebuilt when the table changes (count and last change, one query per request).
"""
from __future__ import annotations

import threading

from flask import g
from sqlalchemy import func, select

from app.extensions import db
from app.models import GlossaryTerm, User, utcnow
from app.workflow.checks import CheckResult, check_glossary
from app.workflow.glossary import MAX_TERM_LENGTH, NOT_XML, Glossary, Match, Term, parse_csv, term_key, to_csv, to_tbx

MAX_NOTE_LENGTH = 2000
_compiled: dict[str, tuple[tuple, Glossary]] = {}
_lock = threading.Lock()


class GlossaryError(ValueError):
    """A term that cannot be saved (400): empty, too long, or a French term already in the glossary (409)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


def _term(row: GlossaryTerm) -> Term:
    return Term(row.source_term, row.target_term, row.note, row.do_not_translate, row.id)


def term_rows(lang: str) -> list[GlossaryTerm]:
    """Every term of ``lang`` by French term."""
    query = select(GlossaryTerm).where(GlossaryTerm.lang == lang).order_by(func.lower(GlossaryTerm.source_term))
    return list(db.session.scalars(query))


def glossary_for(lang: str) -> Glossary:
    """The compiled glossary of ``lang`` (cached per request, and per process until the table changes)."""
    cache = g.setdefault("glossaries", {})
    if lang in cache:
        return cache[lang]
    stamp = tuple(db.session.execute(select(func.count(), func.max(GlossaryTerm.updated_at), func.max(GlossaryTerm.id))
                                     .where(GlossaryTerm.lang == lang)).one())
    with _lock:
        known = _compiled.get(lang)
    if known is None or known[0] != stamp:
        known = (stamp, Glossary([_term(row) for row in term_rows(lang)]))
        with _lock:
            _compiled[lang] = known
    cache[lang] = known[1]
    return known[1]


def glossary_matches(msgid: str, lang: str) -> list[Match]:
    """The glossary terms found in a French segment."""
    return glossary_for(lang).find(msgid)


def glossary_checks(msgid: str, msgstr: str, lang: str) -> list[CheckResult]:
    """Warnings for glossary terms of ``msgid`` whose required translation ``msgstr`` lacks."""
    if not msgstr:
        return []
    return check_glossary(msgstr, [(m.term.french, m.term.required) for m in glossary_matches(msgid, lang)])


def _clean(value: object, field: str, limit: int, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise GlossaryError(f"{field} must be a string")
    value = " ".join(value.split()) if field != "note" else value.replace("\r\n", "\n").strip()
    if required and not value:
        raise GlossaryError(f"{field} is required")
    if len(value) > limit:
        raise GlossaryError(f"{field} is too long (at most {limit} characters)")
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in value) or NOT_XML.search(value):
        raise GlossaryError(f"{field} contains control characters or characters a TBX file cannot hold")
    return value


def save_term(lang: str, data: dict, user: User, term_id: int | None = None) -> GlossaryTerm:
    """Add a term (or change term ``term_id``) from ``{"french", "english", "note", "do_not_translate"}``."""
    if not isinstance(data.get("do_not_translate", False), bool):
        raise GlossaryError("do_not_translate must be true or false")
    data = {"french": data.get("french"), "english": data.get("english"), "note": data.get("note"),
            "do_not_translate": data.get("do_not_translate", False)}
    row = db.session.get(GlossaryTerm, term_id) if term_id is not None else GlossaryTerm(lang=lang)
    if row is None or row.lang != lang:
        raise GlossaryError(f"no term {term_id} in the {lang} glossary", 404)
    key = term_key(_clean(data["french"], "french", MAX_TERM_LENGTH, required=True))
    clash = db.session.scalar(select(GlossaryTerm).where(GlossaryTerm.lang == lang, GlossaryTerm.source_key == key))
    if clash is not None and clash is not row:
        raise GlossaryError(f"“{clash.source_term}” is already in the glossary (same term, other form)", 409)
    try:
        _stage(lang, data, user, row)
    except GlossaryError:
        db.session.rollback()
        raise
    db.session.commit()
    return row


def delete_term(lang: str, term_id: int) -> None:
    """Remove a term, or :class:`GlossaryError` (404)."""
    row = db.session.get(GlossaryTerm, term_id)
    if row is None or row.lang != lang:
        raise GlossaryError(f"no term {term_id} in the {lang} glossary", 404)
    db.session.delete(row)
    db.session.commit()


def import_csv(lang: str, text: str, user: User) -> dict:
    """Add or update every term of a CSV file, all or nothing; return how many were added and updated."""
    terms = parse_csv(text)
    existing = {row.source_key: row for row in term_rows(lang)}
    added = updated = 0
    seen = set()
    for term in terms:
        data = {"french": term.french, "english": term.english, "note": term.note, "do_not_translate": term.do_not_translate}
        key = term_key(term.french)
        if key in seen:
            db.session.rollback()
            raise GlossaryError(f"“{term.french}” appears twice in the file")
        seen.add(key)
        row = existing.get(key)
        try:
            if row is None:
                _stage(lang, data, user, GlossaryTerm(lang=lang))
                added += 1
            else:
                _stage(lang, data, user, row)
                updated += 1
        except GlossaryError:
            db.session.rollback()
            raise
    db.session.commit()
    return {"added": added, "updated": updated}


def _stage(lang: str, data: dict, user: User, row: GlossaryTerm) -> None:
    """Validate ``data`` into ``row`` and add it to the session without committing."""
    french = _clean(data["french"], "french", MAX_TERM_LENGTH, required=True)
    english = _clean(data["english"], "english", MAX_TERM_LENGTH)
    if not term_key(french):
        raise GlossaryError("french must contain a word")
    if not english and not data["do_not_translate"]:
        raise GlossaryError(f"“{french}”: english is required unless the term is not to be translated")
    row.source_term, row.source_key, row.target_term = french, term_key(french), english
    row.note, row.do_not_translate = _clean(data["note"], "note", MAX_NOTE_LENGTH), data["do_not_translate"]
    row.updated_by, row.updated_at = user.id, utcnow()
    db.session.add(row)


def export_csv(lang: str) -> str:
    """The glossary of ``lang`` as CSV."""
    return to_csv([_term(row) for row in term_rows(lang)])


def export_tbx(lang: str, source_lang: str) -> str:
    """The glossary of ``lang`` as TBX-Basic."""
    return to_tbx([_term(row) for row in term_rows(lang)], source_lang, lang)


def term_data(row: GlossaryTerm) -> dict:
    """The API form of a term."""
    return {"id": row.id, "french": row.source_term, "english": row.target_term, "note": row.note,
            "do_not_translate": row.do_not_translate}
