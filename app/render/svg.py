"""SVG attachments made inert: an allow-list of drawing elements, no script, handler, link out or foreign content.

An SVG opened on its own is a document that can run script with the site's origin. The live site
also sends it with a sandboxing Content-Security-Policy, but a static export goes to hosts that
send no such header: the file itself must be harmless. Entity declarations are refused outright
(no "billion laughs"); anything that cannot be parsed as XML is refused.
"""
from __future__ import annotations

import re
from xml.etree import ElementTree as ET

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
MAX_SVG_BYTES = 5 * 1024 * 1024

#: drawing elements kept (in the SVG namespace); any other element goes with everything inside it
ALLOWED_ELEMENTS = frozenset({
    "svg", "g", "defs", "symbol", "use", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
    "text", "tspan", "textPath", "title", "desc", "linearGradient", "radialGradient", "stop", "clipPath", "mask",
    "pattern", "marker", "image", "filter", "feGaussianBlur", "feOffset", "feBlend", "feColorMatrix", "feComposite",
    "feFlood", "feMerge", "feMergeNode", "feMorphology", "feDropShadow", "feTurbulence", "feDisplacementMap",
})
_LOCAL_URL = re.compile(r"url\(\s*['\"]?#[^)]*\)", re.IGNORECASE)
_DATA_IMAGE = re.compile(r"data:image/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*\Z")
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)

ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)


class UnsafeSvg(ValueError):
    """The file cannot be made into a harmless SVG."""


def _local(name: str) -> tuple[str | None, str]:
    if name.startswith("{"):
        namespace, _, local = name[1:].partition("}")
        return namespace, local
    return None, name


def _keep_attribute(element: str, name: str, value: str) -> bool:
    namespace, local = _local(name)
    if local.lower().startswith("on") or "javascript:" in value.lower().replace(" ", ""):
        return False
    if local == "href" and namespace in (None, XLINK_NS):
        return value.startswith("#") or (element == "image" and bool(_DATA_IMAGE.match(value)))
    if namespace not in (None, "http://www.w3.org/XML/1998/namespace"):
        return False
    lowered = value.lower()
    if "url(" in lowered and _LOCAL_URL.sub("", value).lower().count("url(") > 0:
        return False  # only references to the document's own gradients, masks, filters
    return not (local == "style" and ("@import" in lowered or "expression" in lowered))


def _clean(root: ET.Element) -> None:
    """Drop what is not allowed, iteratively (a hostile file may nest deeper than Python recurses)."""
    stack = [root]
    while stack:
        element = stack.pop()
        for child in list(element):
            namespace, local = _local(child.tag) if isinstance(child.tag, str) else ("", "")
            if namespace != SVG_NS or local not in ALLOWED_ELEMENTS:
                element.remove(child)
                continue
            for name, value in list(child.attrib.items()):
                if not _keep_attribute(local, name, value):
                    del child.attrib[name]
            stack.append(child)


def sanitize_svg(data: bytes) -> bytes:
    """A harmless copy of the SVG document ``data``; :class:`UnsafeSvg` when it cannot be one."""
    if len(data) > MAX_SVG_BYTES:
        raise UnsafeSvg("larger than 5 MiB")
    if _ENTITY.search(data):
        raise UnsafeSvg("declares XML entities")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise UnsafeSvg(f"not well-formed XML: {exc}") from None
    if root.tag != f"{{{SVG_NS}}}svg":
        raise UnsafeSvg("the root element is not an SVG <svg>")
    for name, value in list(root.attrib.items()):
        if not _keep_attribute("svg", name, value):
            del root.attrib[name]
    _clean(root)
    try:
        text = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    except RecursionError:
        raise UnsafeSvg("nested too deeply") from None
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + text
