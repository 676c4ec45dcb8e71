"""The three-way merge of a catalog translated offline (Poedit, an editor) with the catalog as it is now.

Entries are matched by msgid, so a file rewrapped, re-sorted or with its header changed by
Poedit or ``msgcat`` merges the same. Three states of each entry meet: the *base* (the entry
when the file was downloaded), *yours* (the uploaded file) and *theirs* (the server now):

- yours equals the base: nothing to do (you did not touch it);
- theirs is still the base (same version): yours is applied;
- theirs changed too: the same text on both sides is fine, anything else is a conflict, listed
  with both versions and never overwritten;
- the msgid no longer exists: reported (``vanished``), never applied;
- yours is marked fuzzy ("needs work" in Poedit) and differs from the base: a draft, reported
  and not applied (clear the mark in your editor to apply it).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import polib


@dataclass(frozen=True)
class EntryState:
    """An entry as one side has it: id and version (server sides), translation and fuzzy flag."""

    msgstr: str
    fuzzy: bool = False
    id: str = ""
    version: str = ""


@dataclass
class UploadPlan:
    """What an upload would do, entry by entry."""

    apply: list[tuple[str, EntryState, str]] = field(default_factory=list)  #: (msgid, theirs, your msgstr)
    conflicts: list[dict] = field(default_factory=list)  #: msgid, id, yours, theirs, base
    vanished: list[dict] = field(default_factory=list)  #: msgid, yours
    drafts: list[dict] = field(default_factory=list)  #: msgid, yours: changed but still fuzzy in the file
    unchanged: int = 0  #: entries of the file equal to the base
    same: int = 0  #: changed identically on both sides


def uploaded_states(po: polib.POFile) -> dict[str, EntryState]:
    """The live entries of an uploaded file by msgid (obsolete ones and the header ignored)."""
    return {e.msgid: EntryState(e.msgstr, e.fuzzy) for e in po if not e.obsolete and e.msgid and e.msgctxt is None}


def plan_upload(base: Mapping[str, EntryState], theirs: Mapping[str, EntryState],
                yours: Mapping[str, EntryState]) -> UploadPlan:
    """Merge ``yours`` into ``theirs`` given the common ``base`` (all keyed by msgid); pure and linear."""
    plan = UploadPlan()
    for msgid, mine in yours.items():
        original = base.get(msgid, EntryState(""))
        if (mine.msgstr, mine.fuzzy) == (original.msgstr, original.fuzzy):
            plan.unchanged += 1
            continue
        now = theirs.get(msgid)
        if now is None:
            plan.vanished.append({"msgid": msgid, "yours": mine.msgstr})
            continue
        if mine.fuzzy:
            plan.drafts.append({"msgid": msgid, "yours": mine.msgstr})
            continue
        unchanged_there = now.version == original.version if msgid in base else not now.msgstr and not now.fuzzy
        if unchanged_there:
            plan.apply.append((msgid, now, mine.msgstr))
        elif (now.msgstr, now.fuzzy) == (mine.msgstr, False):
            plan.same += 1
        else:
            plan.conflicts.append({"msgid": msgid, "id": now.id, "yours": mine.msgstr, "theirs": now.msgstr,
                                   "theirs_fuzzy": now.fuzzy, "base": original.msgstr})
    return plan
