"""markdown-it plugins for Obsidian syntax: wikilinks, embeds, hashtags, callouts and block ids.

These plugins only parse: they turn the syntax into tokens (``wikilink``, ``embed``, ``hashtag``)
or reshape block tokens (callouts, block ids). Resolving links and rendering the new tokens is
the job of :mod:`app.render.markdown`, which knows the caller's options.
"""
from __future__ import annotations

import dataclasses
import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from app.content.wikilinks import HASHTAG, WIKILINK, parse_wikilink

_CALLOUT = re.compile(r"\[!(?P<kind>[\w-]+)\](?P<fold>[+-]?)[ \t]*(?P<title>[^\n]*)")
_BLOCK_ID_AT_END = re.compile(r"(?:^|[ \t\n])\^(?P<id>[A-Za-z0-9-]+)[ \t]*\Z")
_NOT_CLASS_CHARS = re.compile(r"[^a-z0-9-]+")
#: blocks that a ``^id`` paragraph of its own, right after them, gives an id to
_NAMEABLE_CLOSERS = frozenset({"bullet_list_close", "ordered_list_close", "table_close", "blockquote_close",
                               "callout_close", "paragraph_close"})


def block_anchor(block_id: str) -> str:
    """The HTML id given to a block carrying ``^block_id``."""
    return f"block-{block_id}"


# -- inline syntax --------------------------------------------------------------------------------
def _wikilink_rule(state: StateInline, silent: bool) -> bool:
    """Parse ``[[...]]`` and ``![[...]]`` into ``wikilink`` / ``embed`` tokens."""
    src, pos = state.src, state.pos
    if not (src.startswith("[[", pos) or src.startswith("![[", pos)):
        return False
    match = WIKILINK.match(src, pos)
    if not match or match.end() > state.posMax:
        return False
    link = parse_wikilink(match)
    # inside a table, ``[[target\|label]]`` escapes the pipe from the cell splitter
    link = dataclasses.replace(
        link,
        target=link.target.removesuffix("\\").strip(),
        heading=link.heading.removesuffix("\\").strip() or None if link.heading else None,
    )
    if not link.target and not link.heading:
        return False
    if not silent:
        token = state.push("embed" if link.embed else "wikilink", "", 0)
        token.content = match.group(0)
        token.meta = {"link": link, "in_link": state.linkLevel > 0}
    state.pos = match.end()
    return True


def _hashtag_rule(state: StateInline, silent: bool) -> bool:
    """Parse an inline ``#tag`` (after a space, a ``(`` or at a line start) into a ``hashtag`` token."""
    if state.src[state.pos] != "#" or state.linkLevel > 0:
        return False
    match = HASHTAG.match(state.src, state.pos)
    if not match:
        return False
    tag = match.group("tag").rstrip("/-")
    if not tag:
        return False
    if not silent:
        token = state.push("hashtag", "", 0)
        token.content = tag
        token.markup = "#"
    state.pos += 1 + len(tag)
    return True


def wikilinks_plugin(md: MarkdownIt) -> None:
    """Add the ``wikilink``/``embed`` inline rule (before links and images) and the ``hashtag`` rule."""
    md.inline.ruler.before("link", "wikilink", _wikilink_rule)
    md.inline.ruler.push("hashtag", _hashtag_rule)


# -- callouts -------------------------------------------------------------------------------------
def _closers(tokens: list[Token]) -> dict[int, int]:
    """Index of the token closing each opening token, in one pass."""
    closing, stack = {}, []
    for idx, token in enumerate(tokens):
        if token.nesting > 0:
            stack.append(idx)
        elif token.nesting < 0 and stack:
            closing[stack.pop()] = idx
    return closing


def _block(type_: str, tag: str, nesting: int, level: int, line: int | None = None, **attrs: str) -> Token:
    """A block-level token, with a one-line source map when ``line`` is given."""
    return Token(type_, tag, nesting, attrs=attrs, block=True, level=level,
                 map=[line, line + 1] if line is not None else None)


def _make_callout(tokens: list[Token], start: int, end: int) -> tuple[list[Token], int, list[Token]] | None:
    """Reshape the blockquote ``tokens[start:end + 1]`` into a callout if it begins with ``[!type]``.

    Returns the tokens to put in place of ``tokens[start + 1:body_start]``, ``body_start``, and the
    tokens to put before the closer; the caller rebuilds the list once for all callouts.
    """
    if tokens[start + 1].type != "paragraph_open":
        return None
    paragraph, inline = tokens[start + 1], tokens[start + 2]
    match = _CALLOUT.match(inline.content)
    if not match:
        return None
    opener, closer, level = tokens[start], tokens[end], tokens[start].level
    kind = _NOT_CLASS_CHARS.sub("-", match.group("kind").lower()).strip("-") or "note"
    opener.type, opener.tag, closer.type, closer.tag = "callout_open", "aside", "callout_close", "aside"
    opener.attrJoin("class", f"callout callout-{kind}")
    opener.attrSet("role", "note")
    line = opener.map[0] if opener.map else 0
    title_text = match.group("title").strip() or match.group("kind").capitalize()
    title = Token("inline", "", 0, content=title_text, map=[line, line + 1], children=[])
    fold = match.group("fold")
    title_tag, inner = ("summary", level + 2) if fold else ("p", level + 1)
    head = [_block("callout_title_open", title_tag, 1, inner, line, **{"class": "callout-title"}), title,
            _block("callout_title_close", title_tag, -1, inner)]
    tail = []
    if fold:
        details = _block("callout_details_open", "details", 1, level + 1)
        if fold == "+":
            details.attrSet("open", "")
        head.insert(0, details)
        tail.append(_block("callout_details_close", "details", -1, level + 1))
    rest = inline.content[match.end():].lstrip("\n")
    if rest:  # the first paragraph goes on after the title line
        inline.content = rest
        if paragraph.map:
            paragraph.map = inline.map = [line + 1, paragraph.map[1]]
        body_start = start + 1
    else:  # the paragraph held only the title line
        body_start = start + 4
    return head, body_start, tail


def _callout_rule(state: StateCore) -> None:
    """Core rule: blockquotes starting with ``[!type] Title`` (``-``/``+`` foldable) become callouts."""
    tokens = state.tokens
    closing = _closers(tokens)
    before: dict[int, list[Token]] = {}  # index -> tokens to put before it
    replace: dict[int, tuple[int, list[Token]]] = {}  # index -> (end of the replaced stretch, new tokens)
    for idx, token in enumerate(tokens):
        if token.type == "blockquote_open" and idx in closing:
            made = _make_callout(tokens, idx, closing[idx])
            if made is not None:
                head, body_start, tail = made
                replace[idx + 1] = (body_start, head)
                before.setdefault(closing[idx], []).extend(tail)
    if not replace:
        return
    rebuilt: list[Token] = []  # one pass: splicing each callout in place cost the length of the note each
    idx = 0
    while idx < len(tokens):
        rebuilt.extend(before.get(idx, ()))
        if idx in replace:
            end, head = replace[idx]
            rebuilt.extend(head)
            if end > idx:
                idx = end
                continue
        rebuilt.append(tokens[idx])
        idx += 1
    rebuilt.extend(before.get(len(tokens), ()))
    tokens[:] = rebuilt


def callouts_plugin(md: MarkdownIt) -> None:
    """Add the callout core rule, run between block and inline parsing."""
    md.core.ruler.after("block", "callouts", _callout_rule)


# -- block ids ------------------------------------------------------------------------------------
def _block_id_rule(state: StateCore) -> None:
    """Core rule: move a trailing ``^id`` of a paragraph onto its block as ``id="block-id"``.

    The tokens are copied once, in order; a paragraph that is only ``^id`` after a list, table or
    quote names that block and is left out (deleting it in place cost the length of the note each).
    """
    tokens = state.tokens
    kept: list[Token] = []
    opener_of: dict[int, int] = {}  # index in ``kept`` of a closer -> index of its opener
    stack: list[int] = []
    skip_close = False
    for idx, token in enumerate(tokens):
        if skip_close:  # the paragraph_close of a dropped ``^id`` paragraph
            skip_close = False
            continue
        if token.type == "inline" and kept and kept[-1].type == "paragraph_open" and idx > 0:
            match = _BLOCK_ID_AT_END.search(token.content)
            if match:
                anchor = block_anchor(match.group("id"))
                token.content = token.content[: match.start()].rstrip()
                paragraph = kept[-1]
                before = kept[-2] if len(kept) >= 2 else None
                if not token.content and before is not None and before.type in _NAMEABLE_CLOSERS:
                    # ``^id`` alone after a list, table or quote names that block
                    kept[opener_of[len(kept) - 2]].attrSet("id", anchor)
                    kept.pop()
                    stack.pop()
                    skip_close = True
                    continue
                if paragraph.hidden and before is not None and before.type == "list_item_open":
                    before.attrSet("id", anchor)  # tight list: the paragraph has no tag of its own
                else:
                    paragraph.attrSet("id", anchor)
        kept.append(token)
        if token.nesting > 0:
            stack.append(len(kept) - 1)
        elif token.nesting < 0 and stack:
            opener_of[len(kept) - 1] = stack.pop()
    tokens[:] = kept


def block_ids_plugin(md: MarkdownIt) -> None:
    """Add the block id core rule, run between block and inline parsing."""
    anchor = "callouts" if "callouts" in md.core.ruler.get_all_rules() else "block"
    md.core.ruler.after(anchor, "block_ids", _block_id_rule)


def obsidian_plugin(md: MarkdownIt) -> None:
    """All Obsidian syntax plugins at once."""
    md.use(wikilinks_plugin).use(callouts_plugin).use(block_ids_plugin)
