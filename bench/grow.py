"""Grow a garden of N notes from a folder of real notes, deterministically.

Usage: python bench/grow.py SRC DST N [--seed S]

Each grown note is a copy of a real note (cycling through SRC in sorted order) under its
own file name, with a few prose words swapped for other words of the corpus and a closing
paragraph of its own, so no two notes have the same text. The same SRC, N and seed always
give the same files, byte for byte.
"""
from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]{5,}")
FENCE = re.compile(r"^\s*(```|~~~)")


def source_notes(src: Path) -> list[Path]:
    """The readable ``.md`` files under ``src``, sorted by relative path."""
    found = []
    for path in sorted(src.rglob("*.md")):
        if any(part.startswith(".") for part in path.relative_to(src).parts):
            continue
        try:
            path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        found.append(path)
    return found


def vocabulary(texts: list[str]) -> list[str]:
    """Every prose word of the corpus, sorted, to draw replacements from."""
    return sorted({w.lower() for text in texts for w in WORD.findall(text)})


def _prose_lines(lines: list[str]) -> list[int]:
    """Indexes of body lines outside front matter and code fences that hold words."""
    indexes, in_code, start = [], False, 0
    if lines and lines[0].rstrip("\r\n") == "---":
        for i in range(1, len(lines)):
            if lines[i].rstrip("\r\n") in ("---", "..."):
                start = i + 1
                break
    for i in range(start, len(lines)):
        if FENCE.match(lines[i]):
            in_code = not in_code
        elif not in_code and WORD.search(lines[i]):
            indexes.append(i)
    return indexes


def vary_line(line: str, rng: random.Random, vocab: list[str], rate: float) -> str:
    """Swap some whole prose words of ``line`` (never inside links or URLs) for others."""
    tokens = line.split(" ")
    for i, token in enumerate(tokens):
        if WORD.fullmatch(token) and rng.random() < rate:
            tokens[i] = rng.choice(vocab)
    return " ".join(tokens)


def vary_text(text: str, rng: random.Random, vocab: list[str], rate: float = 0.04) -> str:
    """A slightly different version of ``text``: a few words swapped in prose lines."""
    lines = text.splitlines(keepends=True)
    for i in _prose_lines(lines):
        lines[i] = vary_line(lines[i], rng, vocab, rate)
    return "".join(lines)


def edit_note(text: str, rng: random.Random, vocab: list[str]) -> str:
    """Edit one prose line of ``text`` (one whole word swapped), as an author fixing a sentence."""
    lines = text.splitlines(keepends=True)
    candidates = [i for i in _prose_lines(lines) if sum(bool(WORD.fullmatch(t)) for t in lines[i].split(" ")) >= 3]
    if not candidates:
        return text.rstrip("\n") + "\n\nUne phrase ajoutée par une modification.\n"
    i = rng.choice(candidates)
    tokens = lines[i].split(" ")
    k = rng.choice([k for k, token in enumerate(tokens) if WORD.fullmatch(token)])
    replacement = rng.choice(vocab)
    tokens[k] = replacement if replacement != tokens[k] else replacement + "s"
    lines[i] = " ".join(tokens)
    return "".join(lines)


def grow(src: Path, dst: Path, count: int, seed: int = 1) -> list[Path]:
    """Write ``count`` notes grown from ``src`` into ``dst`` (flat); return their paths."""
    originals = source_notes(src)
    if not originals:
        raise SystemExit(f"no readable .md notes under {src}")
    texts = [p.read_text(encoding="utf-8") for p in originals]
    vocab = vocabulary(texts)
    rng = random.Random(seed)
    dst.mkdir(parents=True, exist_ok=True)
    written, used = [], set()
    for k in range(count):
        i = k % len(originals)
        stem = originals[i].stem
        name = f"{stem}.md" if k < len(originals) else f"{stem} {k // len(originals):04d}.md"
        while name.casefold() in used:  # same stem in two folders of SRC
            name = name[:-3] + " bis.md"
        used.add(name.casefold())
        text = texts[i]
        if k >= len(originals):
            text = vary_text(text, rng, vocab)
            if not text.endswith("\n"):
                text += "\n"
            text += f"\nCopie {k} : " + " ".join(rng.choice(vocab) for _ in range(8)) + ".\n"
        path = dst / name
        path.write_text(text, encoding="utf-8", newline="")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("src", type=Path, help="folder of real notes (searched recursively)")
    parser.add_argument("dst", type=Path, help="folder to write the grown notes into (flat)")
    parser.add_argument("count", type=int, help="how many notes to write")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    written = grow(args.src, args.dst, args.count, args.seed)
    print(f"wrote {len(written)} notes into {args.dst}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
