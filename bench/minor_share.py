"""What share of changed segments the minor-change rule keeps, on an edit history built from a real garden.

The sklein garden has no history, so this script writes one: for each of ``--edits`` edits
(seeded), it picks a prose segment of a real note and applies one edit of a known kind, drawn
with the weights of ``KINDS``: author fixes that keep the meaning (typo, accent, agreement,
typography, case, spacing) and edits that change it (a word added or removed, a word replaced,
a negation, a number, a link target, emphasis, a sentence added). Each edit is classified by
:func:`app.catalog.minor.classify_change`; the script prints the share of edits classified
minor, the agreement with the kind of each edit, and examples of both kinds.

    .venv/bin/python bench/minor_share.py [--corpus DIR] [--edits N] [--seed S]
"""
from __future__ import annotations

import argparse
import random
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.catalog.minor import classify_change  # noqa: E402
from app.catalog.segment import segment_note  # noqa: E402

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "sklein-notes"
WORD_RE = re.compile(r"(?<![\w\[/#@.-])[^\W\d_]{5,}(?![\w\]/.-])")
ANY_WORD_RE = re.compile(r"(?<![\w\[/#@.-])[^\W\d_]{2,}(?![\w\]/.-])")
ACCENTED_RE = re.compile(r"[éèêàâîôûç]")
#: Where an author's fix of the prose does not go: URLs, link targets, wikilinks, inline code, hashtags.
PROTECTED = re.compile(r"\[\[[^\]]*\]\]|\]\([^)]*\)|https?://\S+|www\.\S+|`[^`]*`|#\w+|\d+:\d+")


class _Outside:
    """A regex whose matches avoid the protected spans of the text (so fixes touch prose only)."""

    def __init__(self, pattern):
        self.pattern = pattern

    def finditer(self, text):
        spans = [m.span() for m in PROTECTED.finditer(text)]
        return [m for m in self.pattern.finditer(text) if not any(a < m.end() and m.start() < b for a, b in spans)]

    def search(self, text):
        found = self.finditer(text)
        return found[0] if found else None


WORD, ANY_WORD, ACCENTED = _Outside(WORD_RE), _Outside(ANY_WORD_RE), _Outside(ACCENTED_RE)
PUNCT = _Outside(re.compile(r"(?<=[^\W\d_»”)])[?!:;](?=\s|$)"))
SPACE = _Outside(re.compile(r"(?<=\S) (?=\S)"))
ADVERBS = ["vraiment", "souvent", "aussi", "surtout", "parfois", "déjà", "encore"]
SYNONYMS = {"grand": "gros", "petit": "mince", "important": "essentiel", "rapide": "lent", "simple": "facile",
            "premier": "dernier", "nouveau": "ancien", "bien": "mal", "toujours": "rarement", "utile": "pratique"}


def typo(text, rng):
    """The author fixed a typo: the old text had two letters swapped, one dropped or doubled in a long word."""
    words = list(WORD.finditer(text))
    if not words:
        return None
    m = rng.choice(words)
    w = m.group(0)
    i = rng.randrange(1, len(w) - 1)
    broken = rng.choice([w[:i] + w[i + 1] + w[i] + w[i + 2:], w[:i] + w[i + 1:], w[:i] + w[i] + w[i:]])
    return text[:m.start()] + broken + text[m.end():], text


def accent(text, rng):
    """The author added a missing accent."""
    spots = list(ACCENTED.finditer(text))
    if not spots:
        return None
    m = rng.choice(spots)
    plain = {"é": "e", "è": "e", "ê": "e", "à": "a", "â": "a", "î": "i", "ô": "o", "û": "u", "ç": "c"}[m.group(0)]
    return text[:m.start()] + plain + text[m.end():], text


def agreement(text, rng):
    """The author fixed an agreement: a plural or feminine ending was missing."""
    words = [m for m in WORD.finditer(text) if m.group(0)[-1] in "se" and len(m.group(0)) >= 6]
    if not words:
        return None
    m = rng.choice(words)
    return text[:m.start()] + m.group(0)[:-1] + text[m.end():], text


def typography(text, rng):
    """French typography: a narrow no-break space before ? ! : ;, curly apostrophes, guillemets."""
    m = PUNCT.search(text)
    if m:
        return text, text[:m.start()] + "\u202f" + text[m.start():]
    if "'" in text:
        return text, text.replace("'", "’", 1)
    if "’" in text:
        return text.replace("’", "'", 1), text
    return None


def case(text, rng):
    """The author capitalised the first letter, or fixed the case of a word."""
    if PROTECTED.match(text):
        return None
    if text[:1].isalpha() and text[:1] != text[:1].upper():
        return text, text[:1].upper() + text[1:]
    if text[:1].isalpha():
        return text[:1].lower() + text[1:], text
    return None


def spacing(text, rng):
    """A double space or a space before a comma removed."""
    spaces = [m.start() for m in SPACE.finditer(text)]
    if not spaces:
        return None
    i = rng.choice(spaces)
    return text[:i] + "  " + text[i + 1:], text


def word_added(text, rng):
    spaces = [m.start() for m in SPACE.finditer(text)]
    if not spaces:
        return None
    i = rng.choice(spaces)
    return text, text[:i] + " " + rng.choice(ADVERBS) + text[i:]


def word_removed(text, rng):
    words = list(ANY_WORD.finditer(text))
    if len(words) < 4:
        return None
    m = rng.choice(words[1:])
    return text, (text[:m.start()] + text[m.end():]).replace("  ", " ")


def word_replaced(text, rng):
    for old, new in SYNONYMS.items():
        if re.search(rf"\b{old}\b", text):
            return text, re.sub(rf"\b{old}\b", new, text, count=1)
    words = list(WORD.finditer(text))
    if len(words) < 2:
        return None
    a, b = rng.sample(words, 2)
    if classify_change(a.group(0), b.group(0)).kind != "substantive" and len(a.group(0)) == len(b.group(0)):
        return None
    return text, text[:a.start()] + b.group(0) + text[a.end():]


def negation(text, rng):
    m = re.search(r"\b(est|sont|faut|peut|peuvent|a|ont|fait|permet|va)\b", text)
    if m:
        return text, text[:m.start()] + "n'" + m.group(0) + " pas" + text[m.end():] if m.group(0)[0] in "aeiou" \
            else text[:m.start()] + "ne " + m.group(0) + " pas" + text[m.end():]
    return text, "Non : " + text


def number(text, rng):
    m = re.search(r"\d+", text)
    if m:
        return text, text[:m.start()] + str(int(m.group(0)) + 1) + text[m.end():]
    return None


def link(text, rng):
    m = re.search(r"\[\[([^\]|#]+)", text)
    if m:
        return text, text[:m.start(1)] + m.group(1) + " (suite)" + text[m.end(1):]
    return None


def emphasis(text, rng):
    words = list(WORD.finditer(text))
    if not words:
        return None
    m = rng.choice(words)
    return text, text[:m.start()] + "**" + m.group(0) + "**" + text[m.end():]


def sentence(text, rng):
    return text, text.rstrip() + " Et c’est tout."


#: (kind, edit, weight, meaning kept?): our assumption of how often an author makes each edit.
KINDS = [
    ("typo fixed", typo, 14, True), ("accent fixed", accent, 6, True), ("agreement fixed", agreement, 6, True),
    ("typography", typography, 8, True), ("case", case, 4, True), ("spacing", spacing, 4, True),
    ("word added", word_added, 14, False), ("word removed", word_removed, 10, False),
    ("word replaced", word_replaced, 12, False), ("negation", negation, 3, False), ("number", number, 3, False),
    ("link target", link, 3, False), ("emphasis", emphasis, 3, False), ("sentence added", sentence, 10, False),
]


def prose_segments(corpus: Path) -> list[str]:
    found = []
    for path in sorted(corpus.rglob("*.md")):
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        found += [s.msgid for s in segment_note(text) if s.type in ("paragraph", "list item") and len(s.msgid) > 20]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--edits", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"no corpus at {args.corpus}")
    rng = random.Random(args.seed)
    segments = prose_segments(args.corpus)
    weights = [k[2] for k in KINDS]
    tally: dict[str, Counter] = defaultdict(Counter)
    examples: dict[tuple[str, str], tuple[str, str]] = {}
    done = 0
    while done < args.edits:
        name, edit, _weight, keeps = rng.choices(KINDS, weights)[0]
        result = edit(rng.choice(segments), rng)
        if result is None or result[0] == result[1]:
            continue
        old, new = result
        verdict = classify_change(old, new)
        tally[name][verdict.kind] += 1
        examples.setdefault((name, verdict.kind), (old, new))
        done += 1
    total = Counter()
    for counts in tally.values():
        total.update(counts)
    print(f"{len(segments)} prose segments from {args.corpus.name}; {done} edits (seed {args.seed})")
    print(f"classified minor: {total['minor']} ({100 * total['minor'] / done:.1f} %), "
          f"substantive: {total['substantive']} ({100 * total['substantive'] / done:.1f} %)")
    print("\n| kind | meaning kept | edits | classified minor |\n|---|---|---|---|")
    for name, _edit, _weight, keeps in KINDS:
        counts = tally[name]
        n = sum(counts.values())
        print(f"| {name} | {'yes' if keeps else 'no'} | {n} | {100 * counts['minor'] / n:.1f} % |" if n else f"| {name} | - | 0 | - |")
    print("\nExamples:")
    for (name, kind), (old, new) in sorted(examples.items()):
        print(f"- {kind:11} {name}: {old[:90]!r} -> {new[:90]!r}")


if __name__ == "__main__":
    main()
