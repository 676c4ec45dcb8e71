"""A busy team on gunicorn (4 workers, production settings), with workers killed mid-run: no save lost.

For :data:`SECONDS` seconds, at the same time:

- six translators save through the API: three on the same three segments of the first note (each
  sends the version it last saw: the version a 200 returned, or the ``current`` of a 409), each also
  on a segment of its own, and two on the second note, which the editor keeps approving;
- four readers list entries, read one entry and its history, open the dashboard, the note screen,
  the review queue and the public pages (API token or a logged-in session);
- the editor submits and approves the second note again and again (a save withdraws the submission:
  409 then);
- a worker is killed with ``kill -9`` every few seconds; gunicorn starts another.

A killed worker's in-flight requests get no answer: the connection closes. For a read the client
just asks again. For a save the client cannot know whether it happened (the process may have died
before or after writing the catalog), so it sends the same save again with the same base version:
200 if the first never landed, 409 whose ``current`` is its own text if it did. Either way the save
is in the history once. Then, on SQLite and (with ``PASSERELLE_TEST_DATABASE_URL``) PostgreSQL:

- no answer was a 5xx; connections were cut only by the kills (at most ``threads`` per kill);
- every save that answered 200 is in the history exactly once, and each other history row is a
  save whose connection was cut; the history of each segment is one chain (each ``before`` is the
  previous ``after``), so no two accepted saves share a base version;
- the catalog and the API hold the last save of each segment, and both catalogs pass ``msgfmt -c``;
- the second note was approved at least once, and its published English is served.
"""
from __future__ import annotations

import random
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import pytest

from app.catalog.po import read_catalog
from tests.live_site import LANG, SLUG, Browser, Cut, Server, make_site, msgfmt_check, new_token, request

CEO = "ceo-noubliez-pas-votre-coo-ou-chief-of-staff"
SECONDS = 30.0
KILL_EVERY = 6.0
THREADS_PER_WORKER = 4


@dataclass
class Log:
    """Everything the clients saw, under one lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter = field(default_factory=Counter)  #: (kind, status) -> count
    unexpected: list[str] = field(default_factory=list)
    cuts: list[str] = field(default_factory=list)
    saves: list[dict] = field(default_factory=list)  #: one per logical save: entry, base, text, outcome
    kills: list[float] = field(default_factory=list)

    def answer(self, kind: str, status: int, expected: set[int], detail: str) -> None:
        with self.lock:
            self.statuses[(kind, status)] += 1
            if status not in expected:
                self.unexpected.append(f"{kind} {status}: {detail[:400]}")


def call(log: Log, kind: str, send, expected: set[int], retries: int = 5):
    """``send()`` until it is not cut (a killed worker); record the answer."""
    for _ in range(retries):
        try:
            status, body = send()
        except Cut as exc:
            with log.lock:
                log.cuts.append(f"{time.monotonic():.2f} {kind}: {exc}")
            time.sleep(0.05)
            continue
        log.answer(kind, status, expected, str(body))
        return status, body
    raise AssertionError(f"{kind}: cut {retries} times in a row")


def guarded(target, log: Log):
    """``target`` run in a thread: whatever it raises fails the test."""
    def run(*args):
        try:
            target(*args)
        except BaseException as exc:  # noqa: BLE001
            with log.lock:
                log.unexpected.append(f"{target.__name__} raised {exc!r}")
    return run


def writer(number: int, base: str, token: str, targets: dict[str, tuple[str, str]], versions: dict, stop: threading.Event,
           log: Log) -> None:
    """Save the targets (entry id -> (slug, prefix)) in random order with the version last seen."""
    rng = random.Random(number)
    seen, count = dict(versions), 0
    while not stop.is_set():
        ident = rng.choice(sorted(targets))
        slug, msgid = targets[ident]
        count += 1
        text = f"Save {count} of writer {number} — {msgid}"
        url = f"{base}/api/v1/notes/{slug}/{LANG}/entries/{ident}"
        save = {"entry": ident, "base": seen[ident], "text": text, "cut": 0}
        for _ in range(5):  # a cut save is sent again as it was: 200 if it never landed, 409 if it did
            try:
                status, body = request("PUT", url, {"msgstr": text, "base_version": save["base"]}, token)
                break
            except Cut as exc:
                save["cut"] += 1
                with log.lock:
                    log.cuts.append(f"{time.monotonic():.2f} save: {exc}")
                time.sleep(0.05)
        else:
            raise AssertionError("a save was cut 5 times in a row")
        log.answer("save", status, {200, 409}, str(body))
        save["status"] = status
        if status == 200:
            seen[ident] = save["version"] = body["entry"]["version"]
        elif status == 409 and isinstance(body, dict) and "current" in body:
            seen[ident] = body["current"]["version"]
            save["landed"] = save["cut"] > 0 and body["current"]["msgstr"] == text
        with log.lock:
            log.saves.append(save)
        # the second note's writers pause longer: each save withdraws the submission the editor approves
        time.sleep(rng.uniform(0.2, 0.6) if slug == CEO else rng.uniform(0, 0.05))


def reader(number: int, base: str, token: str, ids: list[str], stop: threading.Event, log: Log) -> None:
    """Read what translators and the editor read, through the API or a logged-in session."""
    rng = random.Random(100 + number)
    browser = Browser(base)
    if number % 2:
        assert call(log, "login", lambda: (browser.log_in("editor"), ""), {302})[0] == 302
    api = [f"/api/v1/notes/{SLUG}/{LANG}/entries", f"/api/v1/notes/{CEO}/{LANG}/entries", "/api/v1/notes",
           *(f"/api/v1/notes/{SLUG}/{LANG}/entries/{ident}" for ident in ids),
           *(f"/api/v1/notes/{SLUG}/{LANG}/entries/{ident}/history" for ident in ids)]
    screens = ["/translate/", f"/translate/{LANG}/{SLUG}", f"/translate/{LANG}/{CEO}", "/review/",
               f"/review/{LANG}/{CEO}", f"/en/notes/{CEO}", "/fr/", f"/fr/notes/{SLUG}"]
    while not stop.is_set():
        if number % 2:
            path = rng.choice(screens)
            call(log, "screen", lambda: browser.get(path), {200})
        else:
            path = rng.choice(api)
            call(log, "read", lambda: request("GET", base + path, token=token), {200})


def editor(base: str, tokens: dict[str, str], stop: threading.Event, log: Log) -> None:
    """Submit the second note (as a translator) and approve it (as the editor), again and again."""
    while not stop.is_set():
        call(log, "submit", lambda: request("POST", f"{base}/api/v1/notes/{CEO}/{LANG}/submit", {}, tokens["alice"]),
             {200, 409})
        call(log, "approve", lambda: request("POST", f"{base}/api/v1/notes/{CEO}/{LANG}/approve", {}, tokens["editor"]),
             {200, 409})
        time.sleep(0.2)


def killer(server: Server, stop: threading.Event, log: Log) -> None:
    """``kill -9`` a random worker every :data:`KILL_EVERY` seconds, once the arbiter has replaced the last one."""
    rng = random.Random(7)
    while not stop.wait(KILL_EVERY):
        deadline = time.monotonic() + 20
        while len(server.worker_pids()) < server.workers and time.monotonic() < deadline:
            time.sleep(0.1)
        server.kill_worker(rng.choice(sorted(server.worker_pids())))
        with log.lock:
            log.kills.append(time.monotonic())


def prepare(server: Server, tokens: dict[str, str]) -> tuple[dict, dict, dict]:
    """Translate the whole second note (so it can be approved); pick the segments; their entries as they start."""
    status, listing = request("GET", f"{server.base}/api/v1/notes/{CEO}/{LANG}/entries", token=tokens["alice"])
    assert status == 200, listing
    for entry in listing["entries"]:
        status, body = request("PUT", f"{server.base}/api/v1/notes/{CEO}/{LANG}/entries/{entry['id']}",
                               {"msgstr": entry["msgid"], "base_version": entry["version"]}, tokens["alice"])
        assert status == 200, body
    start = {}
    for slug in (SLUG, CEO):
        status, listing = request("GET", f"{server.base}/api/v1/notes/{slug}/{LANG}/entries", token=tokens["alice"])
        start.update({entry["id"]: dict(entry, slug=slug) for entry in listing["entries"]})
    cos = [e for e in start.values() if e["slug"] == SLUG and e["type"] in ("paragraph", "list item")]
    ceo = [e for e in start.values() if e["slug"] == CEO and e["type"] in ("paragraph", "list item")]
    assert len(cos) >= 7 and len(ceo) >= 2
    shared = {e["id"]: (SLUG, e["msgid"]) for e in cos[:3]}
    plans = {n: {**shared, cos[3 + n]["id"]: (SLUG, cos[3 + n]["msgid"])} for n in range(4)}
    plans |= {4 + n: {ceo[n]["id"]: (CEO, ceo[n]["msgid"])} for n in range(2)}
    return start, plans, shared


@pytest.mark.slow
def test_a_busy_team_with_killed_workers_never_loses_an_accepted_save(tmp_path):
    site = make_site(tmp_path, {"alice": "translator", "bob": "translator", "editor": "editor"})
    tokens = {name: new_token(site, name) for name in ("alice", "bob", "editor")}
    server = Server(site, threads=THREADS_PER_WORKER)
    log, stop = Log(), threading.Event()
    try:
        server.start()
        start, plans, shared = prepare(server, tokens)
        versions = {ident: entry["version"] for ident, entry in start.items()}
        threads = [threading.Thread(target=guarded(writer, log), args=(n, server.base, tokens["alice" if n % 2 else "bob"], plan,
                                                         versions, stop, log)) for n, plan in plans.items()]
        threads += [threading.Thread(target=guarded(reader, log), args=(n, server.base, tokens["editor"], sorted(shared), stop, log))
                    for n in range(4)]
        threads += [threading.Thread(target=guarded(editor, log), args=(server.base, tokens, stop, log)),
                    threading.Thread(target=guarded(killer, log), args=(server, stop, log))]
        for thread in threads:
            thread.start()
        time.sleep(SECONDS)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        assert not any(thread.is_alive() for thread in threads), "a client thread hung"

        summary = dict(sorted(log.statuses.items()))
        print(f"{summary}; {len(log.kills)} kills, {len(log.cuts)} cut connections")
        assert not log.unexpected, f"{summary}; first unexpected answers: {log.unexpected[:3]}\n{server.log_text()}"
        assert len(log.kills) >= 3, f"only {len(log.kills)} kills"
        assert len(log.cuts) <= len(log.kills) * THREADS_PER_WORKER, f"{len(log.cuts)} cut connections for {len(log.kills)} kills"
        assert log.statuses[("save", 200)] >= 20 and log.statuses[("save", 409)] >= 3, summary
        assert log.statuses[("approve", 200)] >= 1, f"the editor never managed to approve: {summary}"

        by_entry: dict[str, list[dict]] = defaultdict(list)
        for save in log.saves:
            by_entry[save["entry"]].append(save)
        for ident, saves in by_entry.items():
            slug, first = start[ident]["slug"], start[ident]["msgstr"]
            accepted = [s for s in saves if s["status"] == 200]
            bases = Counter(s["base"] for s in accepted)
            assert not bases or max(bases.values()) == 1, f"two accepted saves of {ident} share a base: {bases.most_common(1)}"
            status, body = request("GET", f"{server.base}/api/v1/notes/{slug}/{LANG}/entries/{ident}/history",
                                   token=tokens["editor"])
            assert status == 200, body
            history = [row for row in reversed(body["history"])]  # oldest first
            if slug == CEO:
                history = history[1:]  # the translation made by prepare()
            afters = Counter(row["after"] for row in history)
            for save in accepted:
                assert afters[save["text"]] == 1, f"{ident}: the accepted {save['text']!r} is in the history {afters[save['text']]} times"
            cut_texts = {s["text"] for s in saves if s["cut"]}
            strays = [row["after"] for row in history if row["after"] not in {s["text"] for s in accepted} | cut_texts]
            assert not strays, f"{ident}: history rows that no save accounts for: {strays[:3]}"
            assert [row["before"] for row in history] == [first] + [row["after"] for row in history[:-1]], f"{ident}: broken chain"
            assert max(afters.values(), default=0) == 1, f"{ident}: a save is in the history twice"
            assert all(afters[s["text"]] == 1 for s in saves if s.get("landed")), f"{ident}: a save that landed is missing"
            status, body = request("GET", f"{server.base}/api/v1/notes/{slug}/{LANG}/entries/{ident}", token=tokens["editor"])
            assert status == 200 and body["entry"]["msgstr"] == (history[-1]["after"] if history else first)
            in_file = {e.msgid: e.msgstr for e in read_catalog(site.catalog(slug)) if not e.obsolete}
            assert in_file[start[ident]["msgid"]] == body["entry"]["msgstr"], f"{ident}: the catalog is not the last save"
        status, page = request("GET", f"{server.base}/en/notes/{CEO}")
        assert status == 200 and 'data-translation-state="published"' in page
    finally:
        stop.set()
        server.stop()
    for slug in (SLUG, CEO):
        assert msgfmt_check(site.catalog(slug)) == ""
    assert len(list(site.catalog().parent.glob(".*.tmp"))) <= len(log.kills)  # only a killed writer leaves one
