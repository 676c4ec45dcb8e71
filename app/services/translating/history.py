"""Progress over the last weeks, per target language: translated words and outdated notes.

Rebuilt from what the database keeps, so it covers the weeks before the feature existed:

- translated words at a past moment are today's count minus what the saves since then added
  (a save turning an untranslated or fuzzy entry into a translated one adds its French words;
  emptying one takes them away). Changes of the French between two moments are not replayed
  (a sync leaves no history row), so the curve shows the translators' work against today's count;
- outdated notes are counted from the publications: a publication is live from its approval until
  it is unpublished or replaced; it is outdated from the last change of the French (for the live
  one that is outdated now) or, for one replaced by an approval against another French, from the
  first save after it (the moment translators started catching up), an estimate the docs explain.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from app.catalog.words import count_words
from app.extensions import db
from app.models import EntryHistory, Publication
from app.services.garden import Garden

WEEKS = 12


@dataclass
class LangHistory:
    """One value per moment (the end of each of the last weeks, the last being now)."""

    lang: str
    moments: list[datetime]
    translated_words: list[int]
    outdated_notes: list[int]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def moments(now: datetime, weeks: int = WEEKS) -> list[datetime]:
    """The ends of the last ``weeks`` weeks, oldest first, the last one ``now``."""
    return [now - timedelta(weeks=k) for k in range(weeks - 1, -1, -1)]


def translated_words_over(points: list[datetime], now_words: int, saves) -> list[int]:
    """Translated words at each of ``points`` from today's ``now_words`` and the saves ``(at, msgid, before, after, was_fuzzy)``."""
    deltas, words = [], {}
    for at, msgid, before, after, was_fuzzy in saves:
        change = int(bool(after)) - int(bool(before) and not was_fuzzy)
        if change:
            if msgid not in words:
                words[msgid] = count_words(msgid)
            deltas.append((_aware(at), change * words[msgid]))
    return [max(0, now_words - sum(d for at, d in deltas if at > point)) for point in points]


def outdated_intervals(publications, french_changed, first_save_after) -> list[tuple[datetime, datetime | None]]:
    """When each publication was outdated: ``(start, end)``, end None for still now.

    ``publications``: (source, sha, approved_at, unpublished_at, outdated_now) sorted by source then
    approval; ``french_changed(source)`` the last change of the French; ``first_save_after(source, at)``.
    """
    spans = []
    for i, (source, sha, approved, unpublished, outdated_now) in enumerate(publications):
        approved = _aware(approved)
        following = publications[i + 1] if i + 1 < len(publications) and publications[i + 1][0] == source else None
        end = _aware(unpublished) if unpublished else None
        if following is not None:
            replaced = _aware(following[2])
            end = min(end, replaced) if end else replaced
            if following[1] != sha and (unpublished is None or replaced <= _aware(unpublished)):
                start = first_save_after(source, approved)
                spans.append((min(_aware(start), replaced) if start else replaced, end))
        elif unpublished is None and outdated_now:
            changed = french_changed(source)
            spans.append((max(approved, _aware(changed)) if changed else approved, None))
    return spans


def count_at(points: list[datetime], spans) -> list[int]:
    """How many ``(start, end)`` spans cover each point."""
    return [sum(1 for start, end in spans if start <= point and (end is None or point < end)) for point in points]


def progress_history(garden: Garden, translated_now: dict[str, int], outdated_now: dict[str, set[str]],
                     now: datetime | None = None, weeks: int = WEEKS) -> list[LangHistory]:
    """Per target language, translated words and outdated notes at the end of each of the last ``weeks`` weeks."""
    now = now or datetime.now(timezone.utc)
    points = moments(now, weeks)
    result = []
    for lang in garden.target_langs:
        saves = db.session.execute(
            select(EntryHistory.at, EntryHistory.msgid, EntryHistory.before, EntryHistory.after, EntryHistory.was_fuzzy)
            .where(EntryHistory.lang == lang, EntryHistory.pending.is_(False), EntryHistory.at > points[0])).all()
        pubs = db.session.execute(
            select(Publication.source, Publication.source_sha256, Publication.approved_at, Publication.unpublished_at)
            .where(Publication.lang == lang).order_by(Publication.source, Publication.approved_at, Publication.id)).all()
        rows = [(s, sha, at, gone, s in outdated_now.get(lang, set())) for s, sha, at, gone in pubs]

        def french_changed(source: str) -> datetime | None:
            note = garden.notes.by_filename(source)
            return garden.dates(note).updated if note is not None else None

        def first_save_after(source: str, at: datetime, lang=lang) -> datetime | None:
            query = select(EntryHistory.at).where(EntryHistory.source == source, EntryHistory.lang == lang,
                                                  EntryHistory.at > at).order_by(EntryHistory.at).limit(1)
            return db.session.scalar(query)

        spans = outdated_intervals(rows, french_changed, first_save_after)
        result.append(LangHistory(lang, points, translated_words_over(points, translated_now.get(lang, 0), saves),
                                  count_at(points, spans)))
    return result
