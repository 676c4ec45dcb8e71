"""Why an entry is fuzzy: its own French changed, or it is new and was pre-filled from a similar passage.

``msgmerge --previous`` writes both cases the same way (``#, fuzzy`` and ``#| msgid``): the
French the translation was made from. They differ in whether that French is still in the note.
When the previous msgid is the msgid of another live entry, the passage it came from is still
there, so this entry is a *new* segment suggested from a similar one (Weblate and Poedit call it
a fuzzy match); when it is gone, the French of this segment was edited.
"""
from __future__ import annotations

from collections.abc import Iterable

import polib

from .po import entry_id

#: The French of this very segment changed since it was translated.
FRENCH_CHANGED = "french_changed"
#: A new segment, pre-filled from a similar passage that is still in the note.
SIMILAR_PASSAGE = "similar_passage"


def fuzzy_reasons(entries: Iterable[polib.POEntry]) -> dict[str, tuple[str, str | None]]:
    """``{entry id: (reason, id of the passage it was suggested from or None)}`` for every fuzzy entry with a previous msgid."""
    live = [entry for entry in entries if not entry.obsolete and entry.msgid]
    by_text = {(entry.msgctxt, entry.msgid): entry_id(entry) for entry in live}
    reasons = {}
    for entry in live:
        if not entry.fuzzy or not entry.msgstr or entry.previous_msgid is None:
            continue
        source = by_text.get((entry.previous_msgctxt or entry.msgctxt, entry.previous_msgid))
        if source is not None and source != entry_id(entry):
            reasons[entry_id(entry)] = (SIMILAR_PASSAGE, source)
        else:
            reasons[entry_id(entry)] = (FRENCH_CHANGED, None)
    return reasons
