"""Markdown to sanitized HTML: CommonMark plus Obsidian syntax, with links resolved by the caller."""
from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from app.content.frontmatter import split_front_matter
from app.content.limits import BLOCK_NESTING, guard_tokens, shareable
from app.content.wikilinks import WikiLink
from app.render.autolinks import autolinks_plugin
from app.render.embeds import OPTIONS_KEY, resolve_images
from app.render.headings import heading_id, shift_headings, unique_heading_ids  # noqa: F401  (heading_id, shift_headings: imported from here)
from app.render.guards import InlineView, check_output_budget, parse_inline
from app.render.obsidian import obsidian_plugin
from app.render.obsidian_markup import STRICT_LINE_BREAKS, obsidian_markup_plugin
from app.render.sanitize import sanitize_html
from app.render.token_html import render_change_marker, render_embed, render_hashtag, render_wikilink

_ENV_KEY = OPTIONS_KEY
_TEXT_ALIGN = re.compile(r"text-align:(?P<align>left|center|right)")
#: blocks that can carry the "changed since approval" marker, outermost first
_MARKABLE_BLOCKS = frozenset({"paragraph_open", "heading_open", "list_item_open", "tr_open", "callout_title_open"})


@dataclass(frozen=True)
class LinkTarget:
    """Where a resolved wikilink points."""

    href: str  #: URL of the target note; the renderer appends the heading anchor
    title: str  #: the target note's title, used as the link's ``title``
    lang: str | None = None  #: language of the target when it differs from the page's


@dataclass(frozen=True)
class EmbedTarget:
    """What a resolved ``![[...]]`` embed shows."""

    kind: str  #: ``"note"``, or the kind of an attachment: ``"image"``, ``"audio"``, ``"video"``, ``"pdf"``, ``"file"``
    src: str  #: the attachment's URL, or the embedded note's URL
    title: str = ""
    html: str | None = None  #: rendered and sanitized HTML of an embedded note, if the caller has it
    lang: str | None = None  #: language of the embedded note's HTML when it differs from the page's


@dataclass
class RenderOptions:
    """How to resolve links and embeds, which interface texts to use, which blocks to mark as changed."""

    resolve_link: Callable[[WikiLink], LinkTarget | None]  #: None means unresolved
    resolve_embed: Callable[[WikiLink], EmbedTarget | None] = lambda link: None
    tag_href: Callable[[str], str] | None = None  #: URL of an inline ``#tag``; None renders a plain span
    unresolved_title: str = "This note does not exist yet"
    missing_embed_text: str = "Missing embed: {name}"
    changed_lines: Mapping[int, str] | None = None  #: 1-based line -> tooltip of a block changed since approval
    line_offset: int = 0  #: added to the lines of the rendered text to match ``changed_lines``
    strict_line_breaks: bool = False  #: Obsidian's "strict line breaks": a single newline is a space, not ``<br>``
    resolve_image: Callable[[str], EmbedTarget | None] | None = None  #: ``![alt](path)`` to an attachment; None leaves paths
    #: ids for the headings, in order (a translation takes its source's, so ``[[note#Heading]]`` lands on it);
    #: used only when the text has exactly that many headings
    heading_ids: Sequence[str] | None = None
    #: give each block (paragraph, list item, table row, callout title) the id ``L<line>`` of the file line it
    #: starts on, so that the translator's screen can open the French note at a segment's place
    line_anchors: bool = False


def render_markdown(markdown: str, options: RenderOptions) -> str:
    """Render a note body (Obsidian Markdown) to sanitized HTML."""
    return _render(markdown, options, front_matter=True)


def render_note_body(text: str, options: RenderOptions) -> str:
    """Render a whole note file to sanitized HTML, skipping its front matter; ``changed_lines`` are file lines."""
    split = split_front_matter(text)
    return _render(split.body, dataclasses.replace(options, line_offset=split.body_line - 1), front_matter=False)


def _render(markdown: str, options: RenderOptions, front_matter: bool) -> str:
    env = {_ENV_KEY: options, STRICT_LINE_BREAKS: options.strict_line_breaks}
    html = _parser(front_matter).render(markdown, env)
    return sanitize_html(html).lstrip("\n")


@functools.cache
def _parser(front_matter: bool) -> MarkdownIt:
    """The shared, stateless parser (with or without the front matter rule)."""
    md = MarkdownIt("commonmark", {"linkify": False, "typographer": False, "breaks": False,
                                   "maxNesting": BLOCK_NESTING})
    md.enable(["table", "strikethrough"])
    if front_matter:
        md.use(front_matter_plugin)
    md.use(footnote_plugin).use(autolinks_plugin).use(obsidian_plugin).use(obsidian_markup_plugin)
    md.block.ruler.before("table", "guard_tokens", guard_tokens)
    md.core.ruler.at("inline", functools.partial(parse_inline, InlineView(md)))
    md.core.ruler.after("inline", "heading_ids", _add_heading_ids)
    md.core.ruler.after("heading_ids", "line_anchors", _add_line_anchors)
    for name, rule in (("resolve_links", _resolve_links), ("resolve_images", resolve_images),
                       ("mark_changed", _mark_changed_blocks),
                       ("table_align", _align_table_cells), ("output_budget", check_output_budget)):
        md.core.ruler.push(name, rule)
    for token_type, render in (("wikilink", render_wikilink), ("embed", render_embed),
                               ("hashtag", render_hashtag), ("change_marker", render_change_marker)):
        md.add_render_rule(token_type, render)
    return shareable(md)


# -- core rules -----------------------------------------------------------------------------------
def note_heading_ids(text: str) -> list[str]:
    """The ids the headings of a note file get when it is rendered (what :attr:`RenderOptions.heading_ids` takes)."""
    env = {_ENV_KEY: RenderOptions(resolve_link=lambda link: None), STRICT_LINE_BREAKS: False}
    tokens = _parser(False).parse(split_front_matter(text).body, env)
    return unique_heading_ids(tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open")


@functools.lru_cache(maxsize=16)
def note_heading_lines(text: str) -> dict[int, str]:
    """``{1-based file line: id}`` of the headings of a note file as rendered (see :func:`note_heading_ids`)."""
    split = split_front_matter(text)
    env = {_ENV_KEY: RenderOptions(resolve_link=lambda link: None), STRICT_LINE_BREAKS: False}
    tokens = _parser(False).parse(split.body, env)
    openers = [i for i, t in enumerate(tokens) if t.type == "heading_open"]
    ids = unique_heading_ids(tokens[i + 1].content for i in openers)
    return {tokens[i].map[0] + split.body_line: slug for i, slug in zip(openers, ids) if tokens[i].map}


def line_anchor(line: int) -> str:
    """The id (before the note-content prefix) of the block starting on 1-based file ``line``."""
    return f"L{line}"


def _add_line_anchors(state: StateCore) -> None:
    """With ``line_anchors``, give the first block starting on each line (headings keep their own id) ``L<line>``."""
    options: RenderOptions = state.env[_ENV_KEY]
    if not options.line_anchors:
        return
    seen: set[int] = set()
    for token in state.tokens:
        if token.type not in _MARKABLE_BLOCKS or token.hidden or not token.map:
            continue
        line = token.map[0] + 1 + options.line_offset
        if line in seen:
            continue
        seen.add(line)
        if token.attrGet("id") is None:
            token.attrSet("id", line_anchor(line))


def _add_heading_ids(state: StateCore) -> None:
    """Give every heading a unique id: the caller's ``heading_ids`` when they fit, else made from its text."""
    openers = [idx for idx, token in enumerate(state.tokens) if token.type == "heading_open"]
    given = state.env[_ENV_KEY].heading_ids
    ids = list(given) if given is not None and len(given) == len(openers) else \
        unique_heading_ids(state.tokens[idx + 1].content for idx in openers)
    for idx, slug in zip(openers, ids):
        state.tokens[idx].attrSet("id", slug)


def _resolve_links(state: StateCore) -> None:
    """Ask the caller's resolvers about every wikilink and embed; lazy-load images."""
    options: RenderOptions = state.env[_ENV_KEY]
    tokens = state.tokens
    resolved: dict[tuple[str, WikiLink], object] = {}  # a link repeated a thousand times is resolved once

    def resolve(kind: str, link: WikiLink):
        key = (kind, link)
        if key not in resolved:
            resolved[key] = options.resolve_link(link) if kind == "link" else options.resolve_embed(link)
        return resolved[key]

    for idx, token in enumerate(tokens):
        for child in token.children or ():
            link = child.meta.get("link") if child.meta else None
            if child.type == "wikilink" and link.target and not child.meta["in_link"]:
                child.meta["target"] = resolve("link", link)
            elif child.type == "embed":
                child.meta["target"] = resolve("embed", link)
            elif child.type == "image":
                child.attrSet("loading", "lazy")
        lone = [c for c in token.children or () if not (c.type in ("text", "softbreak") and not c.content.strip())]
        if (len(lone) == 1 and lone[0].type == "embed" and 0 < idx < len(tokens) - 1
                and tokens[idx - 1].type == "paragraph_open" and _is_note_with_html(lone[0].meta.get("target"))):
            # a note embedded on its own line becomes a block instead of a paragraph
            lone[0].meta["as_block"] = True
            tokens[idx - 1].tag = tokens[idx + 1].tag = "div"
            tokens[idx - 1].hidden = tokens[idx + 1].hidden = False
            tokens[idx - 1].attrJoin("class", "embed embed-note")


def _is_note_with_html(target: EmbedTarget | None) -> bool:
    return target is not None and target.kind == "note" and target.html is not None


def _mark_changed_blocks(state: StateCore) -> None:
    """Mark the block starting on each line of ``changed_lines`` with a class, a tooltip and a marker."""
    options: RenderOptions = state.env[_ENV_KEY]
    if not options.changed_lines:
        return
    marked: set[int] = set()
    tokens = state.tokens
    for idx, token in enumerate(tokens):
        if token.type not in _MARKABLE_BLOCKS or token.hidden or not token.map:
            continue
        line = token.map[0] + 1 + options.line_offset
        tooltip = options.changed_lines.get(line)
        if tooltip is None or line in marked:
            continue
        inline = _first_inline_inside(tokens, idx)
        if inline is None:
            continue
        marked.add(line)
        token.attrJoin("class", "changed-since-approval")
        token.attrSet("title", tooltip)
        inline.children = [Token("change_marker", "", 0, content=tooltip), *(inline.children or ())]


def _first_inline_inside(tokens: list[Token], open_idx: int) -> Token | None:
    depth = 0
    for idx in range(open_idx, len(tokens)):
        token = tokens[idx]
        depth += token.nesting
        if token.type == "inline":
            return token
        if depth <= 0:
            return None
    return None


def _align_table_cells(state: StateCore) -> None:
    """Replace the ``style="text-align:…"`` of table cells with an ``align`` attribute (no inline style)."""
    for token in state.tokens:
        if token.type in ("th_open", "td_open") and "style" in token.attrs:
            match = _TEXT_ALIGN.fullmatch(str(token.attrs.pop("style")))
            if match:
                token.attrSet("align", match.group("align"))
