"""Checks that a translation keeps the French's links: wikilink and embed targets, bare and Markdown URLs."""
from __future__ import annotations

import re
import unicodedata
from collections import Counter

from app.content.wikilinks import WIKILINK, strip_code
from app.workflow.check_results import CheckResult, N_, compare

# --- wikilinks -------------------------------------------------------------------------------

def _wikilink_targets(text: str, shown: dict[str, str]) -> Counter:
    """Count targets (embed mark, target, #heading) case-insensitively; remember how each is spelt."""
    targets: Counter = Counter()
    for match in WIKILINK.finditer(strip_code(text)):
        target = " ".join((match.group("target") + (match.group("anchor") or "")).split())
        key = match.group("embed") + unicodedata.normalize("NFC", target).casefold()
        shown.setdefault(key, f"{match.group('embed')}[[{target}]]")
        targets[key] += 1
    return targets


def check_wikilinks(msgid: str, msgstr: str) -> list[CheckResult]:
    shown: dict[str, str] = {}
    expected, actual = _wikilink_targets(msgid, shown), _wikilink_targets(msgstr, shown)
    return compare("wikilinks", expected, actual, (
        N_("Wikilink targets differ from the French: {missing} missing, {extra} not in the French."),
        N_("Wikilink targets missing from the translation: {missing}."),
        N_("Wikilink targets not in the French: {extra}."),
    ), shown.__getitem__)


# --- urls ------------------------------------------------------------------------------------

#: Possessive quantifiers (``*+``) never give back what they took, and no branch scans past a ``]``
#: (where the next ``](`` could start): each character is looked at a bounded number of times.
_MD_LINK = re.compile(r"\]\(\s*+(?:<(?P<angle>[^<>\n]*)>|(?P<url>(?:[^\s()\]]|\([^\s()\]]*\))*+))"
                      r"(?:\s++(?:\"[^\"\]]*\"|'[^'\]]*'|\([^()\]]*\)))?\s*+\)")
_REF_DEF = re.compile(r"^ {0,3}\[[^\]\n]+\]:\s*<?(?P<url>[^\s>]+)>?", re.MULTILINE)
_AUTOLINK = re.compile(r"<(?P<url>[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*)>")
_BARE_URL = re.compile(r"(?<![\w/])(?:(?:https?|ftp)://|mailto:|www\.)[^\s<>\[\]]+", re.IGNORECASE)
_URL_TRAILING = ".,;:!?'\"’”»*_~"


def _trim_url(url: str) -> str:
    """``url`` without trailing punctuation, nor closing parentheses it did not open (counted once)."""
    end, opened, closed = len(url), url.count("("), url.count(")")
    while end:
        if url[end - 1] in _URL_TRAILING:
            end -= 1
        elif url[end - 1] == ")" and opened < closed:
            end, closed = end - 1, closed - 1
        else:
            break
    return url[:end]


def _urls(text: str) -> Counter:
    urls: Counter = Counter()
    text = WIKILINK.sub(" ", text)
    for pattern in (_MD_LINK, _REF_DEF, _AUTOLINK):
        for match in pattern.finditer(text):
            url = match.groupdict().get("angle") or match.group("url")
            if url:
                urls[url] += 1
        text = pattern.sub(" ", text)
    for match in _BARE_URL.finditer(text):
        urls[_trim_url(match.group(0))] += 1
    return urls


def check_urls(msgid: str, msgstr: str) -> list[CheckResult]:
    return compare("urls", _urls(msgid), _urls(msgstr), (
        N_("URLs differ from the French: {missing} missing, {extra} not in the French."),
        N_("URLs missing from the translation: {missing}."),
        N_("URLs not in the French: {extra}."),
    ))


# --- hard breaks -----------------------------------------------------------------------------
