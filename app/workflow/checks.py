"""Quality checks comparing one translated entry with its French source.

Errors block submission and approval; warnings are shown but never block. Messages are English
templates marked with :func:`N_` (extract with ``pybabel extract -k N_``) and translated at
display time by :meth:`CheckResult.format`, so results can be computed once and shown in any
interface language. The list of checks and a finding's shape are in :mod:`app.workflow.check_results`,
the checks of links and URLs in :mod:`app.workflow.link_checks`.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from app.content.wikilinks import WIKILINK, count_code_spans, strip_code
from app.workflow.check_results import CHECKS, ERROR, WARNING, CheckResult, N_, result  # noqa: F401  (re-exported)
from app.workflow.link_checks import check_urls, check_wikilinks

_HARD_BREAK = re.compile(r"(?:(?<! ) {2,}|\\)\n")  # a run of spaces is tried from its start only


def _check_hard_breaks(msgid: str, msgstr: str) -> list[CheckResult]:
    expected, actual = len(_HARD_BREAK.findall(msgid)), len(_HARD_BREAK.findall(msgstr))
    if expected != actual:
        message = N_("Hard line breaks: the French has {expected}, the translation {actual}.")
        return [result("hard-breaks", message, expected=expected, actual=actual)]
    expected, actual = msgid.count("\n") + 1, msgstr.count("\n") + 1
    if expected != actual:
        message = N_("Lines: the French has {expected}, the translation {actual}.")
        return [result("hard-breaks", message, expected=expected, actual=actual)]
    return []


# --- single-line places --------------------------------------------------------------------

#: Places whose text is one line: a line break there ends the title, heading or cell.
SINGLE_LINE_PLACES = ("title", "alias", "heading", "table cell")
_PLACE_NAMES = (N_("title"), N_("alias"), N_("heading"), N_("table cell"))


def _check_single_line(msgstr: str, places: Iterable[str]) -> list[CheckResult]:
    if "\n" not in msgstr:
        return []
    place = next((p for p in places if p in SINGLE_LINE_PLACES), None)
    if place is None:
        return []
    message = N_("This text is also a {place}, which holds a single line: the translation must not break lines.")
    return [result("single-line", message, place=place)]


# --- markup ----------------------------------------------------------------------------------

_DELIMITER_RUN = re.compile(r"(?<!\\)(?P<run>\*+|_+)")
_LINK_OPEN = re.compile(r"(?<![\\!])!?\[[^\[\]\n]*\]\(")
#: ``==highlight==`` and ``~~strikethrough~~`` delimiters (exactly two characters, not escaped)
_PAIRED_RUN = {"highlight": re.compile(r"(?<![=\\])==(?!=)"), "strikethrough": re.compile(r"(?<![~\\])~~(?!~)")}
_URLISH = re.compile(r"(?:(?:https?|ftp)://|mailto:|www\.)\S+|\]\([^()\]\n]*\)|<[^<>\s]+>", re.IGNORECASE)


def _markup_counts(text: str) -> dict[str, int]:
    counts = {"code": count_code_spans(text), "links": 0, "strong": 0, "emphasis": 0}
    text = WIKILINK.sub(" ", strip_code(text))
    counts["links"] = len(_LINK_OPEN.findall(text))
    text = _URLISH.sub(" ", text)
    for kind, pattern in _PAIRED_RUN.items():  # a delimiter between two spaces (``a == b``) is no markup
        runs = [m for m in pattern.finditer(text) if not (text[m.start() - 1: m.start()].isspace() or m.start() == 0)
                or not (text[m.end(): m.end() + 1].isspace() or m.end() == len(text))]
        counts[kind] = len(runs) // 2
    for match in _DELIMITER_RUN.finditer(text):
        run, start, end = match.group("run"), match.start(), match.end()
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        if before.isspace() and after.isspace():
            continue  # a list marker or a lone ``*`` between spaces
        if run[0] == "_" and before.isalnum() and after.isalnum():
            continue  # snake_case: underscores inside words are not emphasis
        counts["strong"] += len(run) // 2
        counts["emphasis"] += len(run) % 2
    return counts


_MARKUP_MESSAGES = {
    "strong": N_("Bold markers (** or __): the French has {expected}, the translation {actual}."),
    "emphasis": N_("Emphasis markers (* or _): the French has {expected}, the translation {actual}."),
    "code": N_("Inline code spans: the French has {expected}, the translation {actual}."),
    "links": N_("Markdown links: the French has {expected}, the translation {actual}."),
    "highlight": N_("Highlights (==…==): the French has {expected}, the translation {actual}."),
    "strikethrough": N_("Strikethroughs (~~…~~): the French has {expected}, the translation {actual}."),
}


def _check_markup(msgid: str, msgstr: str) -> list[CheckResult]:
    expected, actual = _markup_counts(msgid), _markup_counts(msgstr)
    return [
        result("markup", message, kind=kind, expected=expected[kind], actual=actual[kind])
        for kind, message in _MARKUP_MESSAGES.items()
        if expected[kind] != actual[kind]
    ]


# --- punctuation, whitespace -----------------------------------------------------------------

_CLOSERS = "*_~`)]»\"”’'"
_FINAL_PUNCTUATION = ".?!:;…"
_SPACES = " \t\u00a0\u202f\u2009"


def _final_punctuation(text: str) -> str:
    text = text.rstrip()
    end = len(text)
    while end and (text[end - 1] in _CLOSERS or text[end - 1] in _SPACES):
        end -= 1
    text = text[:end]
    while end and (text[end - 1] in _FINAL_PUNCTUATION or text[end - 1] in _SPACES):
        end -= 1
    tail = "".join(ch for ch in text[end:] if ch not in _SPACES)
    return tail.replace("...", "…")


def _check_punctuation(msgid: str, msgstr: str) -> list[CheckResult]:
    expected, actual = _final_punctuation(msgid), _final_punctuation(msgstr)
    if expected == actual:
        return []
    if not actual:
        message = N_("The French ends with “{expected}”, the translation has no final punctuation.")
    elif not expected:
        message = N_("The translation ends with “{actual}”, the French has no final punctuation.")
    else:
        message = N_("The French ends with “{expected}”, the translation with “{actual}”.")
    return [result("punctuation", message, expected=expected, actual=actual)]


def _check_whitespace(msgid: str, msgstr: str) -> list[CheckResult]:
    results = []
    if msgid[: len(msgid) - len(msgid.lstrip())] != msgstr[: len(msgstr) - len(msgstr.lstrip())]:
        results.append(result("whitespace", N_("Leading whitespace differs from the French.")))
    if msgid[len(msgid.rstrip()):] != msgstr[len(msgstr.rstrip()):]:
        results.append(result("whitespace", N_("Trailing whitespace differs from the French.")))
    return results


_DOUBLE_SPACE = re.compile(r"(?<=\S)[ \t\u00a0\u202f\u2009]{2,}(?=\S)")


def _check_double_space(msgid: str, msgstr: str) -> list[CheckResult]:
    expected, actual = len(_DOUBLE_SPACE.findall(msgid)), len(_DOUBLE_SPACE.findall(msgstr))
    if actual > expected:
        message = N_("The translation has a double space the French does not have.")
        return [result("double-space", message, count=actual - expected)]
    return []


def _has_words(text: str) -> bool:
    text = WIKILINK.sub(lambda m: m.group("label") or " ", strip_code(text))
    text = _URLISH.sub(" ", text)
    return any(ch.isalpha() for ch in text)


def _check_identical(msgid: str, msgstr: str, intended_identical: bool) -> list[CheckResult]:
    if msgstr == msgid and not intended_identical and _has_words(msgid):
        return [result("identical", N_("The translation is identical to the French."))]
    return []


def check_entry(msgid: str, msgstr: str, *, intended_identical: bool = False, places: Iterable[str] = ()) -> list[CheckResult]:
    """Run every check on one entry, errors first; ``[]`` when ``msgstr`` is empty.

    ``places`` are the kinds of place the text fills (``#. type:``), for the single-line check.
    """
    if not msgstr:
        return []
    return [
        *check_wikilinks(msgid, msgstr),
        *check_urls(msgid, msgstr),
        *_check_hard_breaks(msgid, msgstr),
        *_check_single_line(msgstr, places),
        *_check_markup(msgid, msgstr),
        *_check_punctuation(msgid, msgstr),
        *_check_whitespace(msgid, msgstr),
        *_check_double_space(msgid, msgstr),
        *_check_identical(msgid, msgstr, intended_identical),
    ]


def has_errors(results: Iterable[CheckResult]) -> bool:
    """Tell whether any result is an error (which blocks submission and approval)."""
    return any(result.severity == ERROR for result in results)


def check_glossary(msgstr: str, required: Iterable[tuple[str, str]]) -> list[CheckResult]:
    """Warn for each glossary term of the French (``(french, required)`` pairs) whose required text is missing."""
    from app.workflow.glossary import contains_term

    if not msgstr:
        return []
    missing, seen = [], set()
    for french, wanted in required:
        if wanted.casefold() not in seen and not contains_term(msgstr, wanted):
            missing.append((french, wanted))
        seen.add(wanted.casefold())
    return [result("glossary", N_("Glossary: “{french}” should be translated “{required}”."), french=french, required=wanted)
            for french, wanted in missing]
