"""Database models: accounts, the review workflow, translators' work and derived indexes, one module each.

Everything is importable from ``app.models`` as before; the modules say which part a table serves.
"""
from __future__ import annotations

from app.models.common import ROLES, utcnow
from app.models.accounts import User, ApiToken, UserSession, LoginFailure
from app.models.review import NoteState, ReviewEvent, Publication
from app.models.translation import EntryHistory, CatalogBase, CatalogDownload, GlossaryTerm, SegmentComment
from app.models.indexes import SearchDocument, MemoryEntry, MemoryCatalog, MemoryGram, MemoryLength

__all__ = [
    "ROLES",
    "utcnow",
    "User",
    "ApiToken",
    "UserSession",
    "LoginFailure",
    "NoteState",
    "ReviewEvent",
    "Publication",
    "EntryHistory",
    "CatalogBase",
    "CatalogDownload",
    "GlossaryTerm",
    "SegmentComment",
    "SearchDocument",
    "MemoryEntry",
    "MemoryCatalog",
    "MemoryGram",
    "MemoryLength",
]
