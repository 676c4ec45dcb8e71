"""Attachments in rendered notes: Markdown images resolved like ``![[...]]``, audio, video, PDF and other files.

The caller's resolvers (:class:`~app.render.markdown.RenderOptions`) say where a file is served
and what kind it is; this module only turns that into HTML: ``<audio>``/``<video>`` players with
a link inside for browsers without them, and plain links for PDFs and other files (a link opens
the browser's own PDF viewer; ``![[doc.pdf#page=3]]`` keeps its page).
"""
from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore

from app.content.wikilinks import WikiLink

OPTIONS_KEY = "passerelle_render_options"
_PAGE = re.compile(r"page=\d{1,6}")
_SIZE = re.compile(r"\s*(?P<width>\d{1,5})(?:x(?P<height>\d{1,5}))?\s*")
_FILE_ICONS = {"pdf": "📄", "file": "📎"}


def is_url(src: str) -> bool:
    """Tell whether an image source is a URL (a scheme or ``//``) rather than a path in the vault."""
    src = src.strip()
    return src.startswith("//") or bool(urlsplit(src).scheme)


def resolve_images(state: StateCore) -> None:
    """Core rule: a Markdown image whose source is a path in the vault becomes an embed of that attachment."""
    options = state.env.get(OPTIONS_KEY)
    resolve = getattr(options, "resolve_image", None)
    if resolve is None:
        return
    for token in state.tokens:
        for child in token.children or ():
            if child.type != "image":
                continue
            src = str(child.attrs.get("src") or "")
            if not src or is_url(src):
                continue
            path = unquote(src.split("#", 1)[0].split("?", 1)[0]).strip()
            alt = "".join(c.content for c in child.children or () if c.type in ("text", "code_inline")).strip()
            fragment = src.split("#", 1)[1] if "#" in src else None
            child.type, child.tag, child.children = "embed", "", None
            child.meta = {"link": WikiLink(path, alt or None, fragment, True), "in_link": False,
                          "target": resolve(path) if path else None}


def render_file_embed(target, label: str, fragment: str | None) -> str:
    """HTML of an embedded attachment that is not an image: a player, or a link."""
    src = escapeHtml(target.src)
    name = escapeHtml(target.title)
    size = _SIZE.fullmatch(label.rsplit("|", 1)[-1]) if label else None
    caption = escapeHtml(label.rsplit("|", 1)[0].strip() if size and "|" in label else "" if size else label.strip())
    link = f'<a class="embed-file-link" href="{src}">{caption or name}</a>'
    if target.kind == "audio":
        return f'<audio class="embed-audio" controls preload="metadata" src="{src}">{link}</audio>'
    if target.kind == "video":
        width = f' width="{size.group("width")}"' if size else ""
        height = f' height="{size.group("height")}"' if size and size.group("height") else ""
        return f'<video class="embed-video" controls preload="metadata" src="{src}"{width}{height}>{link}</video>'
    page = f"#{fragment}" if fragment and _PAGE.fullmatch(fragment) else ""
    icon = _FILE_ICONS.get(target.kind, _FILE_ICONS["file"])
    return (f'<a class="embed-file embed-{escapeHtml(target.kind)}" href="{src}{page}">'
            f'<span class="embed-file-icon" aria-hidden="true">{icon}</span> {caption or name}</a>')
