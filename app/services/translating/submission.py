"""Submitting a note for review, refused when there is nothing new for the editor to review.

A note whose English is the published English, word for word and title included, and whose French
is the French that English was approved against, has nothing to review: submitting it would only
fill the editor's queue (a pull request with no change cannot be opened either).
"""
from __future__ import annotations

from app.content.frontmatter import split_front_matter
from app.content.notes import Note
from app.models import User
from app.services.garden import Garden
from app.services.publishing.drafts import build_draft
from app.services.reviewing.workflow import WorkflowError
from app.services.translating.progress import submit_note
from app.workflow.states import State


class NothingChanged(WorkflowError):
    """The English and the French are exactly what was published: nothing to review (409)."""

    def __init__(self):
        super().__init__("nothing changed since the published English: there is nothing to review",
                         {"unchanged": True})


def unchanged_since_publication(garden: Garden, note: Note, lang: str) -> bool:
    """Whether the draft of ``note`` in ``lang`` is the live published English, approved against today's French."""
    published = garden.published_note(lang, note)
    if published is None:
        return False
    draft = build_draft(garden, note, lang)
    if draft.catalog_error or draft.french_sha256 != published.source_sha256:
        return False
    return draft.title == published.title and draft.body == split_front_matter(published.text).body


def submit_translation(garden: Garden, note: Note, lang: str, user: User, gettext=lambda s: s) -> State:
    """Submit ``note`` in ``lang`` for review; :class:`NothingChanged` when it is the published English unchanged."""
    if unchanged_since_publication(garden, note, lang):
        raise NothingChanged()
    return submit_note(garden, note, lang, user, gettext)
