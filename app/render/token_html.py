"""HTML of the Obsidian tokens (wikilinks, embeds, hashtags, change markers), as markdown-it render rules.

The caller's :class:`app.render.markdown.RenderOptions` travel in the render environment under
``OPTIONS_KEY``; the resolved targets are already on each token (see the core rules in
:mod:`app.render.markdown`).
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from markdown_it.common.utils import escapeHtml

from app.content.wikilinks import WikiLink
from app.render.embeds import OPTIONS_KEY as _ENV_KEY, render_file_embed
from app.render.guards import tooltip
from app.render.headings import heading_id
from app.render.obsidian import block_anchor

if TYPE_CHECKING:
    from app.render.markdown import EmbedTarget, LinkTarget, RenderOptions

_IMAGE_SIZE = re.compile(r"(?P<width>\d{1,5})(?:x(?P<height>\d{1,5}))?")


def _fragment(heading: str | None) -> str:
    """``#anchor`` for a wikilink's heading (or ``^block`` id), or an empty string."""
    if not heading:
        return ""
    if heading.startswith("^"):
        return "#" + block_anchor(heading[1:])
    return "#" + heading_id(heading.rsplit("#", 1)[-1])


def render_wikilink(self, tokens, idx, md_options, env) -> str:
    """A wikilink: a link to its resolved note (and heading), or an unresolved span."""
    token = tokens[idx]
    options: RenderOptions = env[_ENV_KEY]
    link: WikiLink = token.meta["link"]
    text = escapeHtml(link.text)
    if token.meta["in_link"]:  # no link inside a link
        return f'<span class="wikilink">{text}</span>'
    if not link.target:  # [[#Heading]] on the same page
        return f'<a class="wikilink" href="{escapeHtml(_fragment(link.heading))}">{text}</a>'
    target: LinkTarget | None = token.meta.get("target")
    if target is None:
        return f'<span class="wikilink unresolved" title="{escapeHtml(options.unresolved_title)}">{text}</span>'
    lang = f' lang="{escapeHtml(target.lang)}" hreflang="{escapeHtml(target.lang)}"' if target.lang else ""
    href = escapeHtml(target.href + _fragment(link.heading))
    return f'<a class="wikilink" href="{href}" title="{escapeHtml(tooltip(target.title))}"{lang}>{text}</a>'


def _image_label(label: str | None) -> tuple[str, str]:
    """Split an image embed's label into alt text and ``width``/``height`` attributes."""
    parts = label.split("|") if label else []
    size = _IMAGE_SIZE.fullmatch(parts[-1].strip()) if parts else None
    if not size:
        return "|".join(parts).strip(), ""
    attrs = f' width="{size.group("width")}"'
    if size.group("height"):
        attrs += f' height="{size.group("height")}"'
    return "|".join(parts[:-1]).strip(), attrs


def render_embed(self, tokens, idx, md_options, env) -> str:
    """An embed: an image, another attachment, a note's content or link, or a missing-embed notice."""
    token = tokens[idx]
    options: RenderOptions = env[_ENV_KEY]
    link: WikiLink = token.meta["link"]
    target: EmbedTarget | None = token.meta.get("target")
    if target is None:
        name = link.target + (f"#{link.heading}" if link.heading else "")
        return f'<span class="embed missing">{escapeHtml(options.missing_embed_text.replace("{name}", name))}</span>'
    if target.kind == "image":
        alt, size = _image_label(link.label)
        alt = alt or target.title.rsplit(".", 1)[0] or link.target  # Obsidian's alt: the file name
        return f'<img class="embed-image" src="{escapeHtml(target.src)}" alt="{escapeHtml(alt)}" loading="lazy"{size}>'
    if target.kind != "note":
        return render_file_embed(target, link.label or "", link.heading)
    title = escapeHtml(tooltip(target.title or link.text))
    lang = f' lang="{escapeHtml(target.lang)}" hreflang="{escapeHtml(target.lang)}"' if target.lang else ""
    href = escapeHtml(target.src + _fragment(link.heading))
    anchor = f'<a class="wikilink" href="{href}" title="{title}"{lang}>{title}</a>'
    if token.meta.get("as_block"):
        body = f'<div lang="{escapeHtml(target.lang)}">{target.html}</div>' if target.lang else target.html
        return f'<p class="embed-title">{anchor}</p>\n{body}\n'
    return f'<span class="embed embed-note">{anchor}</span>'


def render_hashtag(self, tokens, idx, md_options, env) -> str:
    """An inline ``#tag``: a link to its tag page, or a span."""
    options: RenderOptions = env[_ENV_KEY]
    tag = tokens[idx].content
    if options.tag_href is None:
        return f'<span class="tag">#{escapeHtml(tag)}</span>'
    return f'<a class="tag" href="{escapeHtml(options.tag_href(tag))}">#{escapeHtml(tag)}</a>'


def render_change_marker(self, tokens, idx, md_options, env) -> str:
    """The discreet mark of a block whose French changed since approval."""
    tooltip = escapeHtml(tokens[idx].content)
    return f'<span class="change-marker"><span class="visually-hidden">{tooltip}</span></span>'
