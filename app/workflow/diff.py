"""Word- and line-level diffs for review screens, and the segments that changed since approval.

Word diffs align words first, then narrow each change to tokens (words, runs of whitespace,
single punctuation characters); joining the ``equal`` and ``delete`` chunks gives the old text
back exactly, ``equal`` and ``insert`` the new one. HTML output escapes every piece of text,
marks changes with ``<del>`` and ``<ins>`` and contains no interface words, so it suits any
language.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from difflib import SequenceMatcher

from markupsafe import Markup, escape

from app.workflow.align import grouped, opcodes

EQUAL, INSERT, DELETE = "equal", "insert", "delete"
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
_WORD = re.compile(r"\w+\s*|[^\w\s]\s*|\s+")


def tokenize(text: str) -> list[str]:
    """Split ``text`` into words, whitespace runs and punctuation; the tokens join back to it."""
    return _TOKEN.findall(text)


def _shared_ends(a: Sequence[str], b: Sequence[str]) -> tuple[int, int]:
    """Return how many tokens ``a`` and ``b`` share at their start, then at their end."""
    start = end = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    return start, end


def _common_edges(old: str, new: str) -> tuple[str, str, str, str]:
    """Split off the tokens a change shares at both ends: prefix, old, new, suffix."""
    a, b = tokenize(old), tokenize(new)
    start, end = _shared_ends(a, b)
    old, new = "".join(a[start:len(a) - end]), "".join(b[start:len(b) - end])
    return "".join(a[:start]), old, new, "".join(a[len(a) - end:])


def _coalesce(ops: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Merge neighbours: each run of changes becomes one delete then one insert, trimmed of shared edges."""
    result: list[tuple[str, str]] = []
    deleted: list[str] = []
    inserted: list[str] = []

    def emit(op: str, text: str) -> None:
        if not text:
            return
        if result and result[-1][0] == op:
            result[-1] = (op, result[-1][1] + text)
        else:
            result.append((op, text))

    def flush() -> None:
        prefix, old, new, suffix = _common_edges("".join(deleted), "".join(inserted))
        for op, text in ((EQUAL, prefix), (DELETE, old), (INSERT, new), (EQUAL, suffix)):
            emit(op, text)
        deleted.clear()
        inserted.clear()

    for op, text in ops:
        if op == EQUAL:
            flush()
            emit(EQUAL, text)
        else:
            (deleted if op == DELETE else inserted).append(text)
    flush()
    return result


#: Changed stretches up to this many fine tokens a side are re-diffed token by token.
_REFINE_LIMIT = 300
#: Above this product of word counts, texts are aligned sentence by sentence first.
_ALIGN_BUDGET = 200 * 200
_SENTENCE = re.compile(r"[^.!?…\n]*(?:[.!?…\n]+|$)\s*")


def _opcodes(a: list[str], b: list[str]) -> list[tuple[str, str]]:
    """Diff two token lists into ``(op, text)`` chunks, a delete before its insert."""
    ops: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            ops.append((EQUAL, "".join(a[i1:i2])))
        else:
            ops += [(DELETE, "".join(a[i1:i2])), (INSERT, "".join(b[j1:j2]))]
    return ops


def _fold(ops: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Fold equal chunks without a letter or digit between two changes into the change.

    ``[-the-]{+a+} [-cat-]{+dog+}`` reads worse than ``[-the cat-]{+a dog+}``.
    """
    compact: list[tuple[str, str]] = []
    for op, text in ops:
        if text and compact and compact[-1][0] == op == EQUAL:
            compact[-1] = (EQUAL, compact[-1][1] + text)
        elif text:
            compact.append((op, text))
    result: list[tuple[str, str]] = []
    for k, (op, text) in enumerate(compact):
        if op == EQUAL and 0 < k < len(compact) - 1 and not any(ch.isalnum() for ch in text):
            result += [(DELETE, text), (INSERT, text)]  # neighbours of a merged equal are changes
        else:
            result.append((op, text))
    return result


def _aligned(old: str, new: str) -> list[tuple[str, str]]:
    """Align on words, then re-diff each changed stretch on fine tokens."""
    a, b = _WORD.findall(old), _WORD.findall(new)
    raw: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            raw.append((EQUAL, "".join(a[i1:i2])))
            continue
        before, after = "".join(a[i1:i2]), "".join(b[j1:j2])
        fine_a, fine_b = tokenize(before), tokenize(after)
        if fine_a and fine_b and len(fine_a) <= _REFINE_LIMIT and len(fine_b) <= _REFINE_LIMIT:
            raw += _opcodes(fine_a, fine_b)
        else:
            raw += [(DELETE, before), (INSERT, after)]
    return raw


def _bounded(old: str, new: str) -> list[tuple[str, str]]:
    """Diff two texts: shared words at both ends first, then the middle, by sentence when long."""
    a, b = _WORD.findall(old), _WORD.findall(new)
    start, end = _shared_ends(a, b)
    head, tail = "".join(a[:start]), "".join(a[len(a) - end:])
    a, b = a[start:len(a) - end], b[start:len(b) - end]
    if len(a) * len(b) <= _ALIGN_BUDGET:
        return [(EQUAL, head), *_aligned("".join(a), "".join(b)), (EQUAL, tail)]
    a, b = [s for s in _SENTENCE.findall("".join(a)) if s], [s for s in _SENTENCE.findall("".join(b)) if s]
    raw: list[tuple[str, str]] = [(EQUAL, head)]
    for tag, i1, i2, j1, j2 in opcodes(a, b):
        if tag == "equal":
            raw.append((EQUAL, "".join(a[i1:i2])))
            continue
        for k in range(max(i2 - i1, j2 - j1)):  # changed sentences pair up in order
            before = a[i1 + k] if i1 + k < i2 else ""
            after = b[j1 + k] if j1 + k < j2 else ""
            if len(_WORD.findall(before)) * len(_WORD.findall(after)) <= _ALIGN_BUDGET:
                raw += _aligned(before, after)
            else:  # one endless sentence on both sides: no word-level detail
                raw += [(DELETE, before), (INSERT, after)]
    return [*raw, (EQUAL, tail)]


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Return ``(op, text)`` chunks, op ``equal``/``insert``/``delete``, turning ``old`` into ``new``.

    Texts are first aligned on words carrying their following whitespace (single spaces as
    tokens would make the alignment quadratic), then each changed stretch is re-diffed on fine
    tokens, so ``dort.`` → ``dort !`` only changes the end. Very long texts are aligned by
    sentence first, so that no input makes a review screen slow.
    """
    return _coalesce(_fold(_bounded(old, new)))


def _ops_html(ops: Sequence[tuple[str, str]], keep: tuple[str, ...] = (EQUAL, DELETE, INSERT)) -> Markup:
    parts = []
    for op, text in ops:
        if op not in keep:
            continue
        if op == EQUAL:
            parts.append(escape(text))
        else:
            tag = "del" if op == DELETE else "ins"
            space = ' class="diff-space"' if not text.strip() else ""  # a (no-break) space alone: outlined to be seen
            parts.append(Markup(f"<{tag}{space}>{escape(text)}</{tag}>"))
    return Markup("").join(parts)


def word_diff_html(old: str, new: str) -> Markup:
    """Return the word diff as escaped HTML with ``<del>`` and ``<ins>``."""
    return _ops_html(word_diff(old, new))


def line_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Return ``(op, line)`` for every line of ``old`` and ``new``, in unified-diff order."""
    a, b = old.splitlines(), new.splitlines()
    ops: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in opcodes(a, b):
        if tag == "equal":
            ops += [(EQUAL, line) for line in a[i1:i2]]
        else:
            ops += [(DELETE, line) for line in a[i1:i2]]
            ops += [(INSERT, line) for line in b[j1:j2]]
    return ops


def _row(op: str, old_no: int | None, new_no: int | None, content: Markup) -> Markup:
    sign = {EQUAL: " ", DELETE: "−", INSERT: "+"}[op]
    return Markup(
        '<div class="diff-line diff-{op}"><span class="diff-ln">{o}</span><span class="diff-ln">{n}</span>'
        '<span class="diff-op">{sign}</span><span class="diff-text">{content}</span></div>'
    ).format(op=op, o=old_no or "", n=new_no or "", sign=sign, content=content)


def _changed_rows(a: list[str], b: list[str], i1: int, i2: int, j1: int, j2: int) -> list[Markup]:
    """Rows for a replaced block: paired lines get word-level marks, the rest whole-line marks."""
    olds, news = a[i1:i2], b[j1:j2]
    pairs = [word_diff(o, n) for o, n in zip(olds, news)]
    rows = []
    for k, line in enumerate(olds):
        content = _ops_html(pairs[k], (EQUAL, DELETE)) if k < len(pairs) else Markup("<del>{}</del>").format(line)
        rows.append(_row(DELETE, i1 + k + 1, None, content))
    for k, line in enumerate(news):
        content = _ops_html(pairs[k], (EQUAL, INSERT)) if k < len(pairs) else Markup("<ins>{}</ins>").format(line)
        rows.append(_row(INSERT, None, j1 + k + 1, content))
    return rows


def line_diff_html(old: str, new: str, context: int | None = 3) -> Markup:
    """Return a unified line diff as HTML, word-level marks inside changed line pairs.

    With ``context`` lines around each change (``None``: every line); unchanged stretches left
    out show as ``<div class="diff-skip">…</div>``; identical texts give an empty container.
    """
    a, b = old.splitlines(), new.splitlines()
    codes = opcodes(a, b)
    if a == b:
        groups = [] if context is not None else [codes]
    else:
        groups = grouped(codes, context) if context is not None else [codes]
    groups = [group for group in groups if group]
    rows: list[Markup] = []
    shown_a = 0
    for group in groups:
        if group[0][1] > shown_a:
            rows.append(Markup('<div class="diff-skip">…</div>'))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows += [_row(EQUAL, i1 + k + 1, j1 + k + 1, escape(a[i1 + k])) for k in range(i2 - i1)]
            else:
                rows += _changed_rows(a, b, i1, i2, j1, j2)
        shown_a = group[-1][2]
    if groups and shown_a < len(a):
        rows.append(Markup('<div class="diff-skip">…</div>'))
    return Markup('<div class="line-diff">{}</div>').format(Markup("").join(rows))


def changed_segments(old_msgids: Sequence[str], new_msgids: Sequence[str],
                     alike: Callable[[str, str], bool] | None = None) -> list[int]:
    """Return the indexes in ``new_msgids`` whose text is new or changed relative to ``old_msgids``.

    ``alike(old, new)`` true for a replaced segment paired one for one with an old one: not counted
    as changed (a minor change of the French).
    """
    changed = []
    for tag, i1, i2, j1, j2 in opcodes(list(old_msgids), list(new_msgids)):
        if tag == "replace" and alike is not None and i2 - i1 == j2 - j1:
            changed += [j1 + k for k in range(j2 - j1) if not alike(old_msgids[i1 + k], new_msgids[j1 + k])]
        elif tag in ("replace", "insert"):
            changed += range(j1, j2)
    return changed
