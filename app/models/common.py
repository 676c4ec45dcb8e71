"""What every model module shares: the roles an account may have and the clock the models stamp rows with."""
from __future__ import annotations

from datetime import datetime, timezone

ROLES = ("translator", "editor")


def utcnow() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return datetime.now(timezone.utc)
