"""Attachment digests are shared by the worker processes: a large file is hashed once, not once per worker."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from app.content import digests
from app.content.attachments import AttachmentIndex

BIG = digests.SHARED_MIN_SIZE + 1


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    folder = tmp_path / "fr" / "assets"
    folder.mkdir(parents=True)
    (folder / "film.mp4").write_bytes(b"\x00\x01" * (BIG // 2 + 1))
    (folder / "small.png").write_bytes(b"\x89PNG tiny")
    return tmp_path / "fr"


@pytest.fixture
def hashed(monkeypatch) -> list[str]:
    """The files each process really read and hashed."""
    calls: list[str] = []
    real = digests.hash_file

    def counting(path, chars):
        calls.append(Path(path).name)
        return real(path, chars)

    monkeypatch.setattr(digests, "hash_file", counting)
    return calls


def worker(vault: Path, cache: Path) -> AttachmentIndex:
    """One gunicorn worker's index: its own memory, the state folder's cache file shared."""
    index = AttachmentIndex([vault], digest_cache=cache)
    index.refresh()
    return index


def test_a_large_attachment_is_hashed_by_one_worker_only(vault, tmp_path, hashed):
    cache = tmp_path / "state" / "attachment-digests.json"
    workers = [worker(vault, cache) for _ in range(4)]
    film = workers[0].get("assets/film.mp4")
    values = {w.digest(w.get("assets/film.mp4")) for w in workers}
    assert len(values) == 1 and hashed == ["film.mp4"]
    stored = json.loads(cache.read_text())
    assert stored["digests"][str(vault / "assets" / "film.mp4")] == [film.size, film.mtime_ns, values.pop()]
    assert not [p for p in cache.parent.iterdir() if p.name.startswith(".attachment-digests.json.") and
                not p.name.endswith(".lock")]  # written atomically: no temporary file left behind


def test_a_changed_file_is_hashed_again_and_the_cache_follows(vault, tmp_path, hashed):
    cache = tmp_path / "state" / "attachment-digests.json"
    first, second = worker(vault, cache), worker(vault, cache)
    before = first.digest(first.get("assets/film.mp4"))
    path = vault / "assets" / "film.mp4"
    path.write_bytes(b"\x02" * BIG)
    os.utime(path, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    second.refresh()
    after = second.digest(second.get("assets/film.mp4"))
    assert after != before and hashed == ["film.mp4", "film.mp4"]
    first.refresh()
    assert first.digest(first.get("assets/film.mp4")) == after and len(hashed) == 2  # read from the shared cache


def test_small_files_are_hashed_in_each_process_and_never_written(vault, tmp_path, hashed):
    cache = tmp_path / "state" / "attachment-digests.json"
    one, two = worker(vault, cache), worker(vault, cache)
    assert one.digest(one.get("assets/small.png")) == two.digest(two.get("assets/small.png"))
    assert hashed == ["small.png", "small.png"] and not cache.exists()


@pytest.mark.parametrize("damage", [b"", b"{not json", b'{"version": 1, "digests": {"x": "y"}}', b"[1, 2]",
                                    b'{"version": 99, "digests": {}}', b"\xff\xfe"])
def test_a_damaged_cache_counts_as_empty_and_is_replaced(vault, tmp_path, hashed, damage):
    cache = tmp_path / "state" / "attachment-digests.json"
    cache.parent.mkdir()
    cache.write_bytes(damage)
    index = worker(vault, cache)
    value = index.digest(index.get("assets/film.mp4"))
    assert hashed == ["film.mp4"] and len(value) == 16
    assert json.loads(cache.read_text())["version"] == digests.CACHE_VERSION


def test_without_a_state_folder_each_process_keeps_its_own(vault, hashed):
    index = AttachmentIndex([vault])
    index.refresh()
    film = index.get("assets/film.mp4")
    assert index.digest(film) == index.digest(film) and hashed == ["film.mp4"]


def test_the_site_keeps_the_cache_in_its_state_folder(app, client):
    from app.services.garden import get_garden

    with app.app_context():
        garden = get_garden(0)
        folder = garden.notes.folder / "assets"
        folder.mkdir(exist_ok=True)
        (folder / "clip.mp4").write_bytes(b"\x03" * BIG)
        garden.attachments.refresh()
        clip = garden.attachments.get("assets/clip.mp4")
        digest = garden.attachments.digest(clip)
        cache = garden.state_dir / "attachment-digests.json"
    assert digest in cache.read_text()
    assert client.get(f"/files/{digest}/assets/clip.mp4").status_code == 200
