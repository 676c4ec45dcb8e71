"""Aligning two sequences in time that grows with their length, whatever they hold.

``difflib.SequenceMatcher`` is quadratic at worst (and worse on many repeated items: a note of
ten thousand identical lines). :func:`opcodes` gives its very opcodes for inputs of at most
:data:`BUDGET` pairs; beyond, it trims the common ends, and aligns what is left on the
items that occur once on each side (patience diff's anchors, kept in order by a longest
increasing subsequence) and runs it between anchors, each gap within the budget or replaced whole.
"""
from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Hashable, Sequence
from difflib import SequenceMatcher

#: Largest product of lengths handed to ``SequenceMatcher`` at once.
BUDGET = 250_000

Opcode = tuple[str, int, int, int, int]


def opcodes(a: Sequence[Hashable], b: Sequence[Hashable], budget: int = BUDGET) -> list[Opcode]:
    """``SequenceMatcher(None, a, b, autojunk=False).get_opcodes()``, in bounded time."""
    if len(a) * len(b) <= budget:
        return _matched(a, b, 0, len(a), 0, len(b))
    start, limit = 0, min(len(a), len(b))
    while start < limit and a[start] == b[start]:
        start += 1
    end = 0
    while end < limit - start and a[len(a) - 1 - end] == b[len(b) - 1 - end]:
        end += 1
    codes: list[Opcode] = [("equal", 0, start, 0, start)] if start else []
    codes += _middle(a, b, start, len(a) - end, start, len(b) - end, budget)
    if end:
        codes.append(("equal", len(a) - end, len(a), len(b) - end, len(b)))
    return _merged(codes)


def _middle(a, b, i1: int, i2: int, j1: int, j2: int, budget: int) -> list[Opcode]:
    if i1 == i2 and j1 == j2:
        return []
    if (i2 - i1) * (j2 - j1) <= budget:
        return _matched(a, b, i1, i2, j1, j2)
    anchors = _anchors(a, b, i1, i2, j1, j2)
    codes: list[Opcode] = []
    for k, (ai1, ai2, bj1, bj2) in enumerate(_gaps(anchors, i1, i2, j1, j2)):
        if (ai2 - ai1) * (bj2 - bj1) <= budget:
            codes += _matched(a, b, ai1, ai2, bj1, bj2)
        elif ai1 != ai2 or bj1 != bj2:
            codes.append(_replaced(ai1, ai2, bj1, bj2))
        if k < len(anchors):
            i, j = anchors[k]
            codes.append(("equal", i, i + 1, j, j + 1))
    return codes


def _matched(a, b, i1: int, i2: int, j1: int, j2: int) -> list[Opcode]:
    if i1 == i2 or j1 == j2:
        return [_replaced(i1, i2, j1, j2)] if i1 != i2 or j1 != j2 else []
    matcher = SequenceMatcher(None, a[i1:i2], b[j1:j2], autojunk=False)
    return [(tag, x1 + i1, x2 + i1, y1 + j1, y2 + j1) for tag, x1, x2, y1, y2 in matcher.get_opcodes()]


def _replaced(i1: int, i2: int, j1: int, j2: int) -> Opcode:
    return ("replace" if i1 != i2 and j1 != j2 else "delete" if i1 != i2 else "insert", i1, i2, j1, j2)


def _anchors(a, b, i1: int, i2: int, j1: int, j2: int) -> list[tuple[int, int]]:
    """Pairs ``(i, j)`` of items found once in each middle, in order on both sides (longest such chain)."""
    once_a = {item for item, n in Counter(a[i1:i2]).items() if n == 1}
    once_b = {item: j for j, item in enumerate(b[j1:j2], j1)}
    counts_b = Counter(b[j1:j2])
    pairs = [(i, once_b[a[i]]) for i in range(i1, i2) if a[i] in once_a and counts_b.get(a[i]) == 1]
    tails: list[int] = []  # longest increasing subsequence of the j's, O(k log k)
    tail_index: list[int] = []
    previous: list[int] = [-1] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        at = bisect_left(tails, j)
        if at == len(tails):
            tails.append(j)
            tail_index.append(k)
        else:
            tails[at], tail_index[at] = j, k
        previous[k] = tail_index[at - 1] if at else -1
    chain, k = [], tail_index[-1] if tail_index else -1
    while k >= 0:
        chain.append(pairs[k])
        k = previous[k]
    return chain[::-1]


def _gaps(anchors: list[tuple[int, int]], i1: int, i2: int, j1: int, j2: int) -> list[tuple[int, int, int, int]]:
    """The stretches before, between and after the anchors."""
    gaps, at_i, at_j = [], i1, j1
    for i, j in anchors:
        gaps.append((at_i, i, at_j, j))
        at_i, at_j = i + 1, j + 1
    gaps.append((at_i, i2, at_j, j2))
    return gaps


def _merged(codes: list[Opcode]) -> list[Opcode]:
    """Neighbouring opcodes of the same tag joined, as difflib gives them."""
    merged: list[Opcode] = []
    for code in codes:
        if merged and merged[-1][0] == code[0] and merged[-1][2] == code[1] and merged[-1][4] == code[3]:
            merged[-1] = (code[0], merged[-1][1], code[2], merged[-1][3], code[4])
        else:
            merged.append(code)
    return merged


def grouped(codes: list[Opcode], context: int = 3) -> list[list[Opcode]]:
    """Hunks of opcodes with ``context`` items around each change, as ``get_grouped_opcodes`` makes them."""
    codes = list(codes) or [("equal", 0, 1, 0, 1)]
    if codes[0][0] == "equal":
        tag, i1, i2, j1, j2 = codes[0]
        codes[0] = tag, max(i1, i2 - context), i2, max(j1, j2 - context), j2
    if codes[-1][0] == "equal":
        tag, i1, i2, j1, j2 = codes[-1]
        codes[-1] = tag, i1, min(i2, i1 + context), j1, min(j2, j1 + context)
    groups, group = [], []
    for tag, i1, i2, j1, j2 in codes:
        if tag == "equal" and i2 - i1 > 2 * context:
            group.append((tag, i1, min(i2, i1 + context), j1, min(j2, j1 + context)))
            groups.append(group)
            group = []
            i1, j1 = max(i1, i2 - context), max(j1, j2 - context)
        group.append((tag, i1, i2, j1, j2))
    if group and not (len(group) == 1 and group[0][0] == "equal"):
        groups.append(group)
    return groups
