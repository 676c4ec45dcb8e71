"""Replay of a garden's real life: adds, edits, renames, moves, near-duplicates, colliding names.

After every step the translator translates what is new, GNU msgcat rewrites every catalog and
the garden syncs again. Checked at each step: no translated entry lost that ``msgmerge
--previous`` with the old catalog would keep, no slug moving between live notes, zero bytes
rewritten by a sync after msgcat. The figures are printed (``pytest -s``) and quoted in
docs/catalogs.md.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import polib
import pytest

from app.catalog.merge import merge_catalog
from app.catalog.po import format_catalog, read_catalog, write_catalog
from app.catalog.segment import segment_note
from app.catalog.sync import catalog_file, sync_all
from app.content.slugmap import SlugMap
from tests.test_gnu_format import gettext_021_reference_damage

pytestmark = pytest.mark.skipif(not (shutil.which("msgcat") and shutil.which("msgmerge")),
                                reason="GNU gettext (msgcat, msgmerge) is not installed")

PARAGRAPHS = [
    "Écrire chaque matin m’aide à clarifier ce que je pense vraiment, avant que la journée ne le brouille.",
    "Une réunion sans ordre du jour est une conversation : utile parfois, mais rarement décisive.",
    "Le **plan d’action** tient sur une page ; au-delà, personne ne le relit — pas même son auteur.",
    "Voir aussi [[Chef de projet]] et https://example.org/notes/plan-d-action pour le modèle complet.",
    "Un chef de projet arbitre, documente et protège l’équipe des interruptions qui coûtent cher.",
    "Les décisions importantes sont écrites, datées et signées ; les autres se perdent dans les messageries.",
]


def note(title: str, *paragraphs: str) -> str:
    return f"---\ntitle: {title}\ntags:\n  - atome\n---\n# {title}\n\n" + "\n\n".join(paragraphs) + "\n"


class Garden:
    """A garden on disk, synced like ``passerelle sync`` does, with a diligent translator and msgcat."""

    def __init__(self, root: Path):
        self.notes, self.po, self.state = root / "notes", root / "po", root / "state"
        self.notes.mkdir(parents=True)
        self.figures = {"renames": 0, "kept": 0, "msgmerge_kept": 0, "msgcat_changed": 0, "rewritten_after_msgcat": 0,
                        "catalogs_checked": 0}
        self.identity: dict[str, int] = {}  # file -> note id, followed across renames
        self.owner: dict[str, int] = {}  # slug -> the live note holding it

    def write(self, source: str, text: str) -> None:
        path = self.notes / source
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.identity.setdefault(source, len(self.identity) + 1000)

    def remove(self, source: str) -> None:
        (self.notes / source).unlink()
        gone = self.identity.pop(source)
        self.owner = {s: n for s, n in self.owner.items() if n != gone}

    def rename(self, old: str, new: str, text: str | None = None) -> None:
        data = (self.notes / old).read_text(encoding="utf-8") if text is None else text
        (self.notes / old).unlink()
        self.write(new, data)
        self.identity[new] = self.identity.pop(old)

    def sync(self):
        report = sync_all(self.notes, self.po, ["en"], self.state)
        assert not report.errors, report.errors
        return report

    def translate(self) -> None:
        for path in sorted(self.po.rglob("*.po")):
            po = read_catalog(path)
            for entry in po:
                if not entry.obsolete and (not entry.msgstr or entry.fuzzy):
                    entry.msgstr = "EN " + entry.msgid
                    entry.flags = [f for f in entry.flags if f != "fuzzy"]
                    entry.previous_msgid = None
            write_catalog(path, po)

    def catalog(self, source: str) -> Path:
        return catalog_file(self.po, "en", SlugMap.load(self.state).slugs[source])

    def check_slugs(self) -> None:
        slugs = SlugMap.load(self.state).slugs
        assert len(set(slugs.values())) == len(slugs)
        for source, slug in slugs.items():
            holder = self.owner.setdefault(slug, self.identity[source])
            assert holder == self.identity[source], f"slug {slug} moved from one live note to another"

    def msgcat_then_sync(self) -> None:
        paths = sorted(self.po.rglob("*.po"))
        for path in paths:
            gnu = subprocess.run(["msgcat", "--force-po", str(path)], capture_output=True, check=True).stdout
            if gnu != path.read_bytes():  # only gettext 0.21's re-split of file names with spaces, never a string
                assert gettext_021_reference_damage(path.read_text(encoding="utf-8"), gnu.decode("utf-8")), path
                self.figures["msgcat_changed"] += 1
            path.write_bytes(gnu)
        before = {p: p.read_bytes() for p in paths}
        assert sync_all(self.notes, self.po, ["en"], self.state, check=True).out_of_date == []
        self.sync()
        self.figures["rewritten_after_msgcat"] += sum(p.read_bytes() != before[p] for p in paths)
        self.figures["catalogs_checked"] += len(paths)

    def step(self) -> None:
        self.sync()
        self.check_slugs()
        self.translate()
        self.sync()
        self.msgcat_then_sync()

    def renamed(self, old: str, new: str, text: str | None, tmp: Path) -> None:
        """Rename, sync, and hold the result against msgmerge --previous with the old catalog."""
        old_catalog = tmp / "old.po"
        shutil.copyfile(self.catalog(old), old_catalog)
        self.rename(old, new, text)
        report = self.sync()
        assert [(r.old_source, r.new_source) for r in report.renames] == [(old, new)]
        pot = merge_catalog(None, segment_note((self.notes / new).read_text(encoding="utf-8")), new, "en")
        (tmp / "new.pot").write_text(format_catalog(pot), encoding="utf-8")
        subprocess.run(["msgmerge", "--quiet", "--previous", "-o", str(tmp / "gnu.po"), str(old_catalog), str(tmp / "new.pot")],
                       check=True)
        gnu = {e.msgid: e for e in polib.pofile(str(tmp / "gnu.po")) if not e.obsolete and e.msgstr}
        ours = {e.msgid: e for e in read_catalog(self.catalog(new)) if not e.obsolete}
        for msgid, entry in gnu.items():
            assert ours[msgid].msgstr == entry.msgstr and ours[msgid].fuzzy == entry.fuzzy, msgid
        self.figures["renames"] += 1
        self.figures["msgmerge_kept"] += len(gnu)
        self.figures["kept"] += sum(1 for e in ours.values() if e.msgstr)
        self.step()


def test_replay_of_a_garden_history(tmp_path, capsys):
    g = Garden(tmp_path / "garden")
    g.write("Écrire.md", note("Écrire", PARAGRAPHS[0], PARAGRAPHS[5]))
    g.write("projets/Plan d'action.md", note("Plan d'action", PARAGRAPHS[2], PARAGRAPHS[3]))
    g.write("b/Note.md", note("Note", PARAGRAPHS[1], PARAGRAPHS[4]))
    g.write("Réunions efficaces.md", note("Réunions efficaces", PARAGRAPHS[1], PARAGRAPHS[5], "Même texte", "Même texte"))
    g.write("Chef de projet.md", note("Chef de projet", PARAGRAPHS[4], PARAGRAPHS[2]))
    g.write("Alpha.md", note("Alpha", PARAGRAPHS[3], PARAGRAPHS[0][:60] + "."))
    g.step()
    # an edit
    g.write("Écrire.md", note("Écrire", PARAGRAPHS[0].replace("chaque matin", "chaque soir"), PARAGRAPHS[5]))
    g.step()
    work = tmp_path / "work"
    work.mkdir()
    # renames: without edits, with edits, a move between folders
    g.renamed("Réunions efficaces.md", "Réunions utiles.md", None, work)
    chef = (g.notes / "Chef de projet.md").read_text(encoding="utf-8")
    g.renamed("Chef de projet.md", "Cheffe de projet.md",
              chef.replace("arbitre, documente", "arbitre, écrit").replace("# Chef", "# Cheffe"), work)
    g.renamed("projets/Plan d'action.md", "archives/Plan d'action.md", None, work)
    assert SlugMap.load(g.state).slugs["archives/Plan d'action.md"] == "plan-daction"
    # a near-duplicate added, then removed: the owner keeps its slug and its catalog
    owner_catalog = g.catalog("b/Note.md").read_bytes()
    g.write("a/Note.md", note("Note", PARAGRAPHS[1], PARAGRAPHS[4].replace("cher", "très cher")))
    g.step()
    assert SlugMap.load(g.state).slugs["b/Note.md"] == "note"
    assert SlugMap.load(g.state).slugs["a/Note.md"] == "note-2"
    g.remove("a/Note.md")
    g.step()
    assert g.catalog("b/Note.md").read_bytes() == owner_catalog
    # a file renamed so that its name collides with another note's slug
    g.renamed("Alpha.md", "note.md", None, work)
    slugs = SlugMap.load(g.state).slugs
    assert slugs["b/Note.md"] == "note" and slugs["note.md"] not in ("note", "alpha")
    assert SlugMap.load(g.state).redirect("alpha") == "note.md"
    f = g.figures
    assert f["kept"] >= f["msgmerge_kept"] > 0
    assert f["rewritten_after_msgcat"] == 0
    with capsys.disabled():
        print(f"\nreplay: {f['renames']} renames, {f['kept']} translated entries kept "
              f"(msgmerge --previous with the old catalog keeps {f['msgmerge_kept']}); "
              f"{f['catalogs_checked']} catalogs through msgcat: {f['msgcat_changed']} changed by msgcat, "
              f"{f['rewritten_after_msgcat']} rewritten by the sync after it")
