"""The vault's files: attachments embedded by notes, and the favicon."""
from __future__ import annotations

from flask import Blueprint

from app.services.reading.files import attachment_response, favicon_response

bp = Blueprint("files", __name__)


@bp.route("/files/<digest>/<path:path>")
def attachment(digest: str, path: str):
    """An image, audio, video or PDF of the vault, under its content hash."""
    return attachment_response(digest, path)


@bp.route("/favicon.ico")
def favicon():
    """The site's icon."""
    return favicon_response()
