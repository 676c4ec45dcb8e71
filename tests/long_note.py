"""A long French note made for the note screen: sections with paragraphs, a table and a nested list.

Used by the note screen's tests and by ``bench/note_screen.py``: every segment is distinct, so a
note of ``segments`` segments has that many catalog entries.
"""
from __future__ import annotations

TABLE_HEADER = "| Outil | Usage | Licence |"


def long_note(segments: int = 500, title: str = "Guide long") -> str:
    """A French note with about ``segments`` segments (title included), in sections of about 20."""
    lines = ["---", f"title: {title}", "---", ""]
    count, section = 1, 0
    while count < segments:
        section += 1
        lines += [f"## Partie {section}", ""]
        count += 1
        for n in range(1, 9):
            lines += [f"Le paragraphe {n} de la partie {section} explique une idée de plus, avec soin.", ""]
            count += 1
        lines += [TABLE_HEADER, "| --- | --- | --- |"]
        for row in range(1, 3):
            lines.append(f"| outil {section}.{row} | sert à la tâche {section}.{row} | libre {section}.{row} |")
        lines.append("")
        count += 9
        lines += [f"- Premier point de la partie {section}", f"  - Détail imbriqué {section}", f"- Second point de la partie {section}", ""]
        count += 3
    return "\n".join(lines)
