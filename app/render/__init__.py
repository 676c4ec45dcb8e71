"""Rendering notes: Obsidian Markdown to sanitized HTML, with no dependency on Flask."""
from app.render.markdown import (
    EmbedTarget,
    LinkTarget,
    RenderOptions,
    heading_id,
    render_markdown,
    render_note_body,
)
from app.render.sanitize import sanitize_html

__all__ = [
    "EmbedTarget",
    "LinkTarget",
    "RenderOptions",
    "heading_id",
    "render_markdown",
    "render_note_body",
    "sanitize_html",
]
