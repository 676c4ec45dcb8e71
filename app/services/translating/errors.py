"""What can go wrong with a request about a translation, each with the HTTP status it answers with."""
from __future__ import annotations


class TranslationError(Exception):
    """A request about a translation that cannot be carried out; ``status`` is its HTTP status."""

    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidInput(TranslationError):
    """Malformed or oversized input (400); ``reason`` and ``params`` let screens word it in their language."""

    status = 400

    def __init__(self, message: str, reason: str = "malformed", **params):
        super().__init__(message)
        self.reason, self.params = reason, params


class NotFound(TranslationError):
    """No such catalog or entry (404)."""

    status = 404


class CatalogUnreadable(TranslationError):
    """The catalog on disk does not parse; it is reported and never overwritten (500)."""

    status = 500


class Conflict(TranslationError):
    """The entry changed since ``base_version``; ``current`` is the entry as it is now (409)."""

    status = 409

    def __init__(self, message: str, current: dict):
        super().__init__(message)
        self.current = current
