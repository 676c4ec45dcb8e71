"""The text of an uploaded PO file: decoded by the charset its header declares, line ends made LF.

GNU gettext and Poedit read a PO file in whatever charset its header's ``Content-Type``
declares (``charset=ISO-8859-1``, ``windows-1252``...); so do we, and the text handed on
declares UTF-8, the only charset Passerelle writes. Line ends: CRLF (Windows, browsers' form
posts) and bare CR (classic Mac OS, when the whole file uses them) become LF; a bare CR inside
an LF file is named with its line, since it may sit inside a string.
"""
from __future__ import annotations

import codecs
import re
import string

_CHARSET = re.compile(r"(charset=)([^\s;\"\\]+)", re.IGNORECASE)
_ASCII_PROBE = string.printable  #: what a PO file's syntax is made of: must encode as plain ASCII


class UploadTextError(ValueError):
    """A file whose text cannot be read: ``reason`` (``charset``, ``encoding``, ``line_ends``) and ``params``."""

    def __init__(self, message: str, reason: str, **params):
        super().__init__(message)
        self.message, self.reason, self.params = message, reason, params


def _line_ends(data: bytes) -> bytes:
    """CRLF and an old Mac file's CRs as LF; a stray CR among LF line ends is an error naming its line."""
    data = data.replace(b"\r\n", b"\n")
    if b"\r" not in data:
        return data
    if b"\n" not in data:
        return data.replace(b"\r", b"\n")
    at = data.index(b"\r")
    line = data.count(b"\n", 0, at) + 1
    raise UploadTextError(f"line {line} contains a carriage return (CR) on its own while the file's other lines end "
                          "with LF: a PO string cannot hold a raw CR (write \\r) and line ends must be all LF, all "
                          "CRLF or all CR", "line_ends", line=line)


def _header_charset(lines: list[str]) -> tuple[int, re.Match] | None:
    """The line and match of ``charset=`` in the header entry (the first entry, ``msgid ""``), if declared."""
    in_header = False
    for number, raw in enumerate(lines):
        line = raw.strip()
        if not in_header:
            if not line or line.startswith("#"):
                continue
            if not re.fullmatch(r'msgid\s*""', line):
                return None  # no header first: the parser says so
            in_header = True
            continue
        if not line or line.startswith(("#", "msgid", "msgctxt")):
            return None
        found = _CHARSET.search(line)
        if found:
            return number, found
    return None


def _codec(name: str) -> codecs.CodecInfo:
    """The Python codec of a declared charset, refused if unknown or not ASCII-compatible (as GNU does)."""
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise UploadTextError(f"the header declares the charset {name!r}, which is unknown; save the file as UTF-8",
                              "charset", charset=name) from None
    try:
        compatible = _ASCII_PROBE.encode(info.name) == _ASCII_PROBE.encode("ascii")
    except (UnicodeError, LookupError, TypeError):
        compatible = False
    if not compatible:
        raise UploadTextError(f"the header declares the charset {name!r}, which PO files cannot use (it is not "
                              "ASCII-compatible); save the file as UTF-8", "charset", charset=name)
    return info


def upload_text(data: bytes) -> str:
    """The uploaded file as text declaring UTF-8; :class:`UploadTextError` if its charset or line ends are wrong."""
    data = _line_ends(data.removeprefix(codecs.BOM_UTF8))
    lines = data.decode("latin-1").split("\n")  # lossless: finds the ASCII header in any ASCII-compatible charset
    declared = _header_charset(lines)
    name = declared[1].group(2) if declared else ""
    if not declared or name.lower() in ("charset", "utf-8", "utf8"):  # "CHARSET": xgettext's unfilled template
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            said = "declares no charset" if not declared or name.lower() == "charset" else "declares UTF-8"
            raise UploadTextError(f"line {line} is not valid UTF-8 (byte 0x{data[exc.start]:02x}) and the header "
                                  f"{said}: write the file's charset in its Content-Type header field "
                                  "(text/plain; charset=...) or save it as UTF-8", "encoding", line=line,
                                  charset=name or "UTF-8") from None
    info = _codec(name)
    try:
        text = data.decode(info.name)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise UploadTextError(f"line {line} is not valid {name} (byte 0x{data[exc.start]:02x}), the charset the "
                              "header declares", "encoding", line=line, charset=name) from None
    lines = text.split("\n")
    number = declared[0]
    lines[number] = _CHARSET.sub(lambda m: m.group(1) + "UTF-8", lines[number], count=1)
    return "\n".join(lines)
