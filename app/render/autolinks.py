"""Bare URLs and e-mail addresses as links (GFM's autolink extension), in time linear in the text.

The rules of ``mdit_py_plugins.gfm_autolink``, whose matching helpers they use, with its scans
bounded: that plugin copies the rest of the paragraph at every ``:``, ``@`` and ``www.`` and
searches the whole pending text for a scheme, so a paragraph of ten thousand ``http:`` took
seconds. Here a bare URL is looked for up to the next whitespace (found once per run of
characters, not once per ``:``) and at most :data:`MAX_URL` characters on; a scheme is looked
for at the end of the pending text only.
"""
from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.gfm_autolink._match import check_prev, match_any_email, match_http, match_www

MAX_URL = 4096  #: longest bare URL or e-mail address linked
_PROTOCOLS = ("https", "http", "mailto", "xmpp")
_WHITESPACE = re.compile(r"\s")
_STOP_KEY = "_passerelle_autolink_stop"  # (start, stop): no whitespace in src[start:stop]


def _window_end(state: StateInline, pos: int) -> int:
    """Where a bare URL starting at ``pos`` must end at the latest: the next whitespace, or MAX_URL on."""
    start, stop = getattr(state, _STOP_KEY, (0, -1))
    if not start <= pos < stop:
        found = _WHITESPACE.search(state.src, pos, state.posMax)
        start, stop = pos, found.start() if found else state.posMax
        setattr(state, _STOP_KEY, (start, stop))
    return min(stop, pos + MAX_URL)


def _link(state: StateInline, before: int, total: int, url: str, text: str) -> bool:
    """Push a link over ``text``: ``before`` characters already in the pending text, ``total`` in all."""
    href = state.md.normalizeLink(url)
    if not state.md.validateLink(href):
        return False
    if before:
        state.pending = state.pending[:-before]
    token = state.push("link_open", "a", 1)
    token.attrs = {"href": href}
    token.markup, token.info = "autolink", "auto"
    token = state.push("text", "", 0)
    token.content = state.md.normalizeLinkText(text)
    token = state.push("link_close", "a", -1)
    token.markup, token.info = "autolink", "auto"
    state.pos += total - before
    return True


def _protocol_rule(state: StateInline, silent: bool) -> bool:
    """``http://``, ``https://``, ``mailto:`` and ``xmpp:`` links, found at their ``:``."""
    pos, src = state.pos, state.src
    if state.linkLevel > 0 or src[pos] != ":" or state.posMax - pos < 4:
        return False
    tail = state.pending[-6:]
    proto = next((name for name in _PROTOCOLS if tail.endswith(name)), None)
    if proto is None:
        return False
    start = pos - len(proto)
    if start > 0 and not check_prev(src[start - 1]):
        return False
    combined = proto + src[pos:_window_end(state, pos)]
    found = (match_any_email(combined, len(proto) + 1, proto) if proto in ("mailto", "xmpp")
             else match_http(combined))
    if found is None or silent:  # autolinks are only made when emitting tokens, as the plugin does
        return False
    url, total = found
    return _link(state, len(proto), total, url, combined[:total])


def _www_rule(state: StateInline, silent: bool) -> bool:
    """``www.example.org`` links."""
    pos, src = state.pos, state.src
    if state.linkLevel > 0 or state.posMax - pos < 4 or not src.startswith("www.", pos):
        return False
    pending = state.pending
    preceding = pending[-1] if pending else src[pos - 1] if pos > 0 else ""
    if preceding and not check_prev(preceding):
        return False
    found = match_www(src[pos:_window_end(state, pos)])
    if found is None or silent:
        return False
    url, length = found
    return _link(state, 0, length, url, src[pos:pos + length])


def _local_char(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in ".+-_")


def _email_rule(state: StateInline, silent: bool) -> bool:
    """Bare ``someone@example.org`` links, found at their ``@``."""
    pos, src, end = state.pos, state.src, state.posMax
    if state.linkLevel > 0 or src[pos] != "@" or pos + 1 >= end:
        return False
    pending = state.pending
    first = len(pending)
    while first > 0 and len(pending) - first < MAX_URL and _local_char(pending[first - 1]):
        first -= 1
    local = pending[first:]
    if not local or (pos - len(local) > 0 and not check_prev(src[pos - len(local) - 1])):
        return False
    at, limit = pos + 1, min(end, pos + 1 + MAX_URL)
    periods = 0
    while at < limit:
        ch = src[at]
        if ch == "@":
            return False
        if ch == "." and at + 1 < end and src[at + 1].isascii() and src[at + 1].isalnum():
            periods += 1
        elif not (ch.isascii() and ch.isalnum()) and ch not in "-_":
            break
        at += 1
    domain = at - pos - 1
    if domain == 0 or periods == 0:
        return False
    last = src[at - 1]
    if not (last.isascii() and last.isalnum()) and last != ".":
        return False
    if silent:
        return False
    text = local + src[pos:at]
    return _link(state, len(local), len(text), "mailto:" + text, text)


def autolinks_plugin(md: MarkdownIt) -> None:
    """Link bare ``www.``, ``http(s)://``, ``mailto:``/``xmpp:`` URLs and e-mail addresses."""
    md.inline.add_terminator_char("w")
    md.inline.ruler.push("autolink_www", _www_rule)
    md.inline.ruler.push("autolink_protocol", _protocol_rule)
    md.inline.ruler.push("autolink_email", _email_rule)
