"""Serving the vault's attachments and the favicon: safe names, right types, cacheable for good.

An attachment is looked up by its path in the :class:`~app.content.attachments.AttachmentIndex`
(never joined onto a folder from the URL), served with its own media type, ``nosniff`` (set on
every response), an ``ETag`` that is its content hash and, under its current hash, a one-year
``immutable`` lifetime; an old hash redirects to the current one. An SVG is served sanitized
(:func:`app.render.svg.sanitize_svg`) with a sandboxing Content-Security-Policy, so it cannot
run script even when opened on its own.
"""
from __future__ import annotations

import logging
from pathlib import Path

from flask import Response, abort, current_app, g, redirect, request, send_file

from app.content.attachments import Attachment
from app.render.svg import UnsafeSvg, sanitize_svg
from app.services.garden import get_garden
from app.services.reading.embeds import attachment_url

log = logging.getLogger(__name__)

ONE_YEAR = 365 * 24 * 3600
FAVICON_MAX_AGE = 24 * 3600
#: what an SVG opened on its own may do: draw, nothing else
SVG_POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox"


def attachment_response(digest: str, path: str) -> Response:
    """The attachment at ``path``: 404 if the vault has none, a redirect if ``digest`` is not its current hash."""
    garden = get_garden()
    attachment = garden.attachments.get(path)
    if attachment is None:
        abort(404)
    try:
        current = garden.attachments.digest(attachment)
    except OSError:
        abort(404)  # removed since the last scan
    if digest != current:
        response = redirect(attachment_url(garden, attachment), 302)
        response.cache_control.no_cache = True
        return response
    response = _file_response(garden.attachments.file_of(attachment), attachment, current)
    response.cache_control.public = True
    response.cache_control.max_age = ONE_YEAR
    response.cache_control.immutable = True
    return _same_for_everyone(response)


def favicon_response() -> Response:
    """``/favicon.ico``: the vault's own ``favicon.ico`` when it has one, else the one Passerelle ships."""
    garden = get_garden()
    attachment = garden.attachments.resolve("favicon.ico")
    if attachment is not None:
        try:
            response = _file_response(garden.attachments.file_of(attachment), attachment,
                                      garden.attachments.digest(attachment))
        except OSError:
            response = None
    else:
        response = None
    if response is None:
        response = send_file(Path(current_app.static_folder) / "favicon.ico", mimetype="image/vnd.microsoft.icon",
                             etag=True, conditional=True)
    response.cache_control.public = True
    response.cache_control.max_age = FAVICON_MAX_AGE
    return _same_for_everyone(response)


def _same_for_everyone(response: Response) -> Response:
    """A file that is the same for every visitor: no ``no-cache`` (send_file's default, which would make browsers
    revalidate it on every view) and no ``Vary: Cookie`` (which would split shared caches per visitor)."""
    response.cache_control.no_cache = None
    g.page_public = True  # see app.services.reading.page_cache: the empty session was only touched, never used
    return response


def _file_response(path: Path, attachment: Attachment, digest: str) -> Response:
    if attachment.media_type == "image/svg+xml":
        try:
            data = sanitize_svg(path.read_bytes())
        except (UnsafeSvg, OSError) as exc:
            log.warning("not serving %s: %s", attachment.path, exc)
            abort(404)
        response = Response(data, mimetype=attachment.media_type)
        response.headers["Content-Security-Policy"] = SVG_POLICY
        response.set_etag(digest)
        return response.make_conditional(request)
    try:
        response = send_file(path, mimetype=attachment.media_type, etag=digest, conditional=True,
                             download_name=attachment.name)
    except FileNotFoundError:
        abort(404)
    response.headers["Content-Disposition"] = "inline"
    return response
