"""What a quality check finds: the list of checks with their severity, and one finding as shown in any language."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

ERROR = "error"
WARNING = "warning"


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it now."""
    return message


#: Every check as ``(id, severity, description)``, for documentation and the screens.
CHECKS: list[tuple[str, str, str]] = [
    ("wikilinks", ERROR, N_("Wikilink and embed targets (with their #heading) are those of the French; labels may change.")),
    ("urls", ERROR, N_("Bare URLs and Markdown link URLs are those of the French.")),
    ("hard-breaks", ERROR, N_("Hard line breaks and lines are as many as in the French.")),
    ("single-line", ERROR, N_("No line break where the same text is also a title, alias, heading or table cell.")),
    ("markup", WARNING, N_("Bold, emphasis, highlights, strikethroughs, inline code and Markdown links are as many as in "
                           "the French.")),
    ("punctuation", WARNING, N_("The final punctuation (. ? ! : ; …) is that of the French, French spacing aside.")),
    ("whitespace", WARNING, N_("Leading and trailing whitespace is that of the French.")),
    ("double-space", WARNING, N_("No double space the French does not have.")),
    ("identical", WARNING, N_("The translation differs from the French, unless marked as intended.")),
    ("glossary", WARNING, N_("Glossary terms found in the French have their required translation.")),
]
_SEVERITY = {check_id: severity for check_id, severity, _ in CHECKS}


@dataclass(frozen=True)
class CheckResult:
    """One finding: check id, severity, English message template and its parameters."""

    id: str
    severity: str
    message: str
    params: dict = field(default_factory=dict, hash=False, compare=True)

    def format(self, gettext: Callable[[str], str] = lambda s: s) -> str:
        """Return the message translated with ``gettext`` and filled with its parameters."""
        try:
            params = {k: gettext(v) if k == "place" else v for k, v in self.params.items()}  # a kind of place, translated
            return gettext(self.message).format(**params)
        except (KeyError, IndexError, ValueError):  # a broken translation falls back to English
            return self.message.format(**self.params)

    def as_dict(self, gettext: Callable[[str], str] = lambda s: s) -> dict:
        """Return ``{"id", "severity", "message"}`` for the API."""
        return {"id": self.id, "severity": self.severity, "message": self.format(gettext)}


def result(check_id: str, message: str, **params) -> CheckResult:
    """A finding of ``check_id`` with its severity."""
    return CheckResult(check_id, _SEVERITY[check_id], message, params)


def compare(
    check_id: str, expected: Counter, actual: Counter, messages: tuple[str, str, str], shown=str
) -> list[CheckResult]:
    """Compare two multisets; ``messages`` are for (both missing and extra, missing, extra)."""
    if expected == actual:
        return []
    missing = ", ".join(sorted(shown(item) for item in (expected - actual).elements()))
    extra = ", ".join(sorted(shown(item) for item in (actual - expected).elements()))
    both, only_missing, only_extra = messages
    if missing and extra:
        return [result(check_id, both, missing=missing, extra=extra)]
    if missing:
        return [result(check_id, only_missing, missing=missing)]
    return [result(check_id, only_extra, extra=extra)]
