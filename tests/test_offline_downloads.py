"""Downloads for offline work are recorded once per content and pruned; a pruned base is refused clearly."""
from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import polib
import pytest
from sqlalchemy import delete, func, select, update

from app.extensions import db
from app.models import CatalogBase, CatalogDownload, utcnow
from app.services.translating.downloads import prune_downloads
from tests.review_support import LANG, OTHER, SLUG, fill
from tests.test_offline import PO_URL, auth, download, login, server_catalog, site, translate_text, upload  # noqa: F401


def counts(app) -> tuple[int, int]:
    """(downloads, bases) stored."""
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(CatalogDownload)),
                db.session.scalar(select(func.count()).select_from(CatalogBase)))


def age_all(app, days: float) -> None:
    """Make every recorded download ``days`` old (as if downloaded then)."""
    with app.app_context():
        db.session.execute(update(CatalogDownload).values(at=utcnow() - timedelta(days=days)))
        db.session.commit()


def token_of(text: str) -> str:
    return re.search(r'"X-Passerelle-Download: ([0-9a-f]+)\\n"', text).group(1)


def test_n_downloads_of_an_unchanged_catalog_store_one_base(site):
    texts = [download(site) for _ in range(5)]
    client = login(site)
    texts += [client.get(f"/translate/{LANG}/{SLUG}/po").get_data(as_text=True) for _ in range(3)]
    assert len({token_of(t) for t in texts}) == 8  # each download still has its own token
    assert counts(site) == (8, 1)
    fill(site)  # the catalog changes: the next download is a new base
    download(site)
    assert counts(site) == (9, 2)


def test_a_zip_shares_the_bases_of_single_downloads(site):
    download(site)
    response = site.test_client().get("/api/v1/po.zip?filter=all", headers=auth(site))
    assert response.status_code == 200
    downloads, bases = counts(site)
    assert bases == downloads - 1  # the zip's copy of the note downloaded above is the same base


def test_pruning_keeps_the_newest_and_the_young_and_drops_orphan_bases(site):
    site.config.update(DOWNLOADS_KEEP_LATEST=2, DOWNLOADS_KEEP_DAYS=30)
    old = download(site)
    fill(site)  # later downloads have another base: the first one's base is used by it alone
    for _ in range(3):
        download(site)
    age_all(site, 40)
    assert counts(site) == (4, 2)
    young = [download(site) for _ in range(3)]  # each download prunes its note's old ones
    assert counts(site) == (3, 1)  # all 3 young kept (beyond the newest 2); every old one pruned with its base
    with site.app_context():
        kept = set(db.session.scalars(select(CatalogDownload.token)))
    assert kept == {token_of(t) for t in young} and token_of(old) not in kept


def test_pruning_keeps_the_newest_old_downloads_of_each_catalog(site):
    site.config.update(DOWNLOADS_KEEP_LATEST=2, DOWNLOADS_KEEP_DAYS=30)
    texts = [download(site) for _ in range(4)]
    other = site.test_client().get(f"/api/v1/notes/{OTHER}/{LANG}/po", headers=auth(site)).get_data(as_text=True)
    age_all(site, 40)
    with site.app_context():
        assert prune_downloads() == 2  # the CLI's global prune: 2 newest of this note kept, the other note's one too
        kept = set(db.session.scalars(select(CatalogDownload.token)))
    assert kept == {token_of(texts[2]), token_of(texts[3]), token_of(other)}
    msgid = next(e.msgid for e in polib.pofile(texts[3]) if e.msgid)
    assert upload(site, translate_text(texts[3], {msgid: "Kept"})).status_code == 200  # an old kept base still merges


def test_an_upload_whose_base_was_pruned_is_refused_and_says_to_download_again(site):
    site.config.update(DOWNLOADS_KEEP_LATEST=1, DOWNLOADS_KEEP_DAYS=7)
    text = download(site)
    msgid = next(e.msgid for e in polib.pofile(text) if e.msgid)
    stale = translate_text(text, {msgid: "Translated long ago"})
    stale = re.sub(r"X-Passerelle-Downloaded: [0-9TZ:-]+", "X-Passerelle-Downloaded: 2020-01-02T03:04:05Z", stale)
    age_all(site, 8)
    download(site)  # a newer download prunes the old one
    response = upload(site, stale)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert "2020-01-02" in error and "download the catalog again" in error and "7 days" in error
    assert server_catalog(site)[msgid].msgstr == ""  # never merged two ways
    client = login(site)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    page = client.post(f"/translate/{LANG}/{SLUG}/upload",
                       data={"mode": "check", "file": (io.BytesIO(stale.encode()), "x.po")})
    text_fr = page.get_data(as_text=True)
    assert page.status_code == 400 and "Téléchargez à nouveau le catalogue" in text_fr and "2020-01-02" in text_fr


def test_an_unknown_recent_download_is_not_called_pruned(site):
    text = download(site)
    text = text.replace(token_of(text), "f" * 32)
    response = upload(site, text)
    assert response.status_code == 400 and "not downloaded from this site" in response.get_json()["error"]


def test_the_keep_settings_must_be_whole_numbers(tmp_path):
    import pytest

    from app.config import load_config

    assert load_config(str(tmp_path), {})["DOWNLOADS_KEEP_DAYS"] == 90
    with pytest.raises(ValueError, match="PASSERELLE_DOWNLOADS_KEEP_LATEST"):
        load_config(str(tmp_path), {"PASSERELLE_DOWNLOADS_KEEP_LATEST": "none"})


def test_the_migration_shares_existing_snapshots_and_gives_them_back(site):
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    directory = site.extensions["migrate"].directory
    same, other = '{"b": ["2", "v", "", false], "a": ["1", "v", "A", false]}', '{"a": ["1", "w", "B", true]}'
    with site.app_context():
        downgrade(directory=directory, revision="c3e9a1f07b25")
        for ident, entries in ((1, same), (2, same), (3, other)):
            db.session.execute(text("INSERT INTO catalog_downloads (id, token, source, lang, entries, at) "
                                    "VALUES (:i, :t, 'n.md', 'en', :e, '2026-12-01 10:00:00')"),
                               {"i": ident, "t": f"t{ident}", "e": entries})
        db.session.commit()
        upgrade(directory=directory)
        db.session.remove()
        assert db.session.scalar(select(func.count()).select_from(CatalogBase)) == 2
        from app.services.translating.downloads import find_download
        row, base = find_download("t2")
        assert base["a"].msgstr == "A" and base["b"].id == "2" and find_download("t3")[1]["a"].fuzzy
        db.session.remove()  # end the reading transaction: PostgreSQL's ALTER TABLE would wait for it
        downgrade(directory=directory, revision="c3e9a1f07b25")
        back = dict(db.session.execute(text("SELECT token, entries FROM catalog_downloads")).all())
        db.session.commit()
        upgrade(directory=directory)
        db.session.remove()
    assert {token: json.loads(e) for token, e in back.items()} == {"t1": json.loads(same), "t2": json.loads(same),
                                                                   "t3": json.loads(other)}


def test_a_prune_between_storing_the_base_and_recording_the_download_loses_no_download(site, monkeypatch):
    from app.services.translating import downloads

    with site.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite holds its write lock from the base's insert to the commit: no prune can come between")
    first = download(site)
    real, raced = downloads._store_bases, []

    def then_a_concurrent_prune(texts):
        real(texts)
        if not raced:  # another worker's prune, committed before this download is
            raced.append(True)
            with db.engine.begin() as other:
                other.execute(delete(CatalogDownload).where(CatalogDownload.base.in_(list(texts))))
                other.execute(delete(CatalogBase).where(CatalogBase.digest.in_(list(texts))))

    monkeypatch.setattr(downloads, "_store_bases", then_a_concurrent_prune)
    second = download(site)
    assert raced and token_of(second) != token_of(first)
    with site.app_context():
        assert downloads.find_download(token_of(second)) is not None  # its base was stored again
