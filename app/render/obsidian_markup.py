"""markdown-it plugins for the rest of Obsidian's syntax: comments, highlights, line breaks, callout types.

- ``%%comments%%`` are removed from the source before anything is parsed (their line breaks stay,
  so block line numbers still match the file);
- ``==highlight==`` becomes ``<mark>`` (a port of markdown-it-mark: the delimiter algorithm of
  ``~~strikethrough~~``, linear in the text);
- a single newline inside a paragraph is a ``<br>`` unless the vault has "strict line breaks"
  (the ``strict_line_breaks`` key of the render environment);
- callouts get the class of their canonical type (aliases such as ``tldr`` or ``error`` map to
  ``abstract`` and ``danger``, unknown types look like ``note``) and an icon before their title.
"""
from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.state_inline import Delimiter

from app.content.comments import strip_comments

#: env key: True when single newlines are plain spaces (Obsidian's "Strict line breaks" setting)
STRICT_LINE_BREAKS = "obsidian_strict_line_breaks"

#: Obsidian's callout types and their aliases -> the canonical type that gives colour and icon
CALLOUT_TYPES: dict[str, str] = {
    "note": "note",
    "abstract": "abstract", "summary": "abstract", "tldr": "abstract",
    "info": "info",
    "todo": "todo",
    "tip": "tip", "hint": "tip", "important": "tip",
    "success": "success", "check": "success", "done": "success",
    "question": "question", "help": "question", "faq": "question",
    "warning": "warning", "caution": "warning", "attention": "warning",
    "failure": "failure", "fail": "failure", "missing": "failure",
    "danger": "danger", "error": "danger",
    "bug": "bug",
    "example": "example",
    "quote": "quote", "cite": "quote",
}
_EQUALS = 0x3D


# -- comments -------------------------------------------------------------------------------------
def _strip_comments(state: StateCore) -> None:
    state.src = strip_comments(state.src)


# -- ==highlight== --------------------------------------------------------------------------------
def _mark_tokenize(state: StateInline, silent: bool) -> bool:
    """Push each ``==`` of a run as a text token and a delimiter (as ``~~`` is handled)."""
    if silent or state.src[state.pos] != "=":
        return False
    scanned = state.scanDelims(state.pos, True)
    length = scanned.length
    if length < 2:
        return False
    if length % 2:
        state.push("text", "", 0).content = "="
        length -= 1
    for _ in range(0, length, 2):
        state.push("text", "", 0).content = "=="
        state.delimiters.append(Delimiter(marker=_EQUALS, length=0, token=len(state.tokens) - 1, end=-1,
                                          open=scanned.can_open, close=scanned.can_close))
    state.pos += scanned.length
    return True


def _mark_pairs(state: StateInline, delimiters: list[Delimiter]) -> None:
    lone: list[int] = []
    for start in delimiters:
        if start.marker != _EQUALS or start.end == -1:
            continue
        end = delimiters[start.end]
        for index, kind, nesting in ((start.token, "mark_open", 1), (end.token, "mark_close", -1)):
            token = state.tokens[index]
            token.type, token.tag, token.nesting, token.markup, token.content = kind, "mark", nesting, "==", ""
        before = state.tokens[end.token - 1]
        if before.type == "text" and before.content == "=":
            lone.append(end.token - 1)
    while lone:  # an odd run leaves one "=" first: move it after the closing tags
        index = lone.pop()
        last = index + 1
        while last < len(state.tokens) and state.tokens[last].type == "mark_close":
            last += 1
        last -= 1
        if index != last:
            state.tokens[index], state.tokens[last] = state.tokens[last], state.tokens[index]


def _mark_post_process(state: StateInline) -> None:
    _mark_pairs(state, state.delimiters)
    for meta in state.tokens_meta:
        if meta and "delimiters" in meta:
            _mark_pairs(state, meta["delimiters"])


# -- line breaks ----------------------------------------------------------------------------------
def _render_softbreak(self, tokens, idx, options, env) -> str:
    return "\n" if env.get(STRICT_LINE_BREAKS) else "<br>\n"


# -- callout types --------------------------------------------------------------------------------
def callout_type(kind: str) -> str:
    """The canonical callout type of ``kind`` (``tldr`` → ``abstract``); unknown types are ``note``."""
    return CALLOUT_TYPES.get(kind.lower(), "note")


def _callout_types(state: StateCore) -> None:
    """Give each callout the class of its canonical type, and its title the type of its icon."""
    tokens = state.tokens
    for idx, token in enumerate(tokens):
        if token.type != "callout_open":
            continue
        classes = str(token.attrs.get("class", "")).split()
        kind = next((c.removeprefix("callout-") for c in classes if c.startswith("callout-")), "note")
        canonical = callout_type(kind)
        if canonical != kind:
            token.attrJoin("class", f"callout-{canonical}")
        for title in tokens[idx + 1: idx + 3]:
            if title.type == "callout_title_open":
                title.meta = {**(title.meta or {}), "callout_type": canonical}
                break


def _render_callout_title_open(self, tokens, idx, options, env) -> str:
    """The title's tag, then the icon of its type (decorative: the title says the type)."""
    kind = (tokens[idx].meta or {}).get("callout_type", "note")
    return self.renderToken(tokens, idx, options, env) + f'<span class="callout-icon callout-icon-{kind}"></span>'


def obsidian_markup_plugin(md: MarkdownIt) -> None:
    """Comments, highlights, Obsidian line breaks and callout types (after :func:`obsidian_plugin`)."""
    md.core.ruler.after("normalize", "obsidian_comments", _strip_comments)
    md.inline.ruler.after("strikethrough", "mark", _mark_tokenize)
    md.inline.ruler2.after("strikethrough", "mark", _mark_post_process)
    md.core.ruler.after("callouts", "callout_types", _callout_types)
    md.add_render_rule("softbreak", _render_softbreak)
    md.add_render_rule("callout_title_open", _render_callout_title_open)
