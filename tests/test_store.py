"""The persistent record store, and requests sharing one parse (single flight).

Each test runs a real server (pytest-jupyter) on real papermill runs; a
"restart" is a second :class:`NotebookService` on the same contents manager
and configuration, with its own store object and SQLite connections, as a
new server process would have.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import os
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from jupyterlab_nbcompare import store as store_module
from jupyterlab_nbcompare.core import extract
from jupyterlab_nbcompare.service import NotebookService
from jupyterlab_nbcompare.store import RecordStore

from .conftest import REPO, compare, tagged_notebook, text_output


@pytest.fixture
def store_path(tmp_path) -> str:
    """Where this test's record store lives (outside the served root)."""
    return str(tmp_path / "state" / "records.sqlite3")


@pytest.fixture
def service(jp_serverapp, store_path) -> NotebookService:
    """The server's service, with the persistent store turned on at ``store_path``."""
    config = jp_serverapp.web_app.settings["nbcompare"]
    config.record_store_bytes = 64 * 1024 * 1024
    config.record_store_path = store_path
    return jp_serverapp.web_app.settings["nbcompare_service"]


def restarted(jp_serverapp, old: NotebookService) -> NotebookService:
    """A new service, as a restarted server has, once ``old`` committed what it queued."""
    old_store = old.record_store()
    if old_store is not None:
        assert old_store.flush(30)
    settings = jp_serverapp.web_app.settings
    return NotebookService(settings["contents_manager"], settings["nbcompare"])


def integrity(path: str) -> str:
    """SQLite's own verdict on a file."""
    connection = sqlite3.connect(path)
    try:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        connection.close()


# ------------------------------------------------------------------ restart


async def test_a_restarted_server_answers_from_the_store_without_parsing(
    jp_fetch, jp_serverapp, service, served_runs, write_notebook, read_path
):
    # Given runs, a notebook printing non-finite numbers and a broken one, compared once
    values = {"x": [text_output("nan")], "y": [text_output("[1.0, inf, -inf]")]}
    write_notebook("odd/nan.ipynb", tagged_notebook(values))
    write_notebook("odd/broken.ipynb", b'{"cells": [')
    paths = [*served_runs, "odd/nan.ipynb", "odd/broken.ipynb"]
    first = await compare(jp_fetch, paths)
    readable = service.parsed
    assert readable > len(served_runs)
    # When a new server compares them again
    again = restarted(jp_serverapp, service)
    body = json.loads(await again.compare(paths))
    # Then nothing was parsed, and the answer is the same to the byte's meaning
    assert again.parsed == 0
    assert again.stats()["store"]["hits"] == readable
    assert body == first


async def test_a_restarted_server_indexes_an_unchanged_tree_from_the_store(
    jp_fetch, jp_serverapp, service, served_runs, write_notebook, read_path, monkeypatch
):
    # Given a tree of runs (one folder deeper too) indexed once, recursively
    write_notebook("deeper/more.ipynb", tagged_notebook({"x": [text_output("3")]}))
    first = json.loads(await service.index("", True))
    assert len(first["notebooks"]) == len(served_runs) + 1
    # When a new server indexes it again, nothing changed
    again = restarted(jp_serverapp, service)
    loads = []
    monkeypatch.setattr(again, "load", lambda paths: loads.append(paths))
    body = json.loads(await again.index("", True))
    # Then its answer came from the store: no notebook was looked up, the same answer
    assert loads == []
    assert body == first
    # And once a notebook is touched, a new server looks every notebook up
    # again (the others from the store's records) and shows the new time
    target = os.path.join(jp_serverapp.root_dir, "deeper", "more.ipynb")
    info = os.stat(target)
    os.utime(target, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))
    third = restarted(jp_serverapp, again)
    touched = json.loads(await third.index("", True))
    assert third.parsed == 1  # the touched one is a new key
    assert third.stats()["store"]["hits"] == len(served_runs)
    times = {nb["path"]: nb["last_modified"] for nb in touched["notebooks"]}
    before = {nb["path"]: nb["last_modified"] for nb in first["notebooks"]}
    assert [path for path in times if times[path] != before[path]] == ["deeper/more.ipynb"]


async def test_a_starting_server_opens_its_store_before_any_request(
    jp_serverapp, service, store_path
):
    # Given a server whose store file does not exist yet
    assert not os.path.exists(store_path)
    # When a new service starts its start-up work (as the extension does when it loads)
    again = restarted(jp_serverapp, service)
    again.start_workers()
    # Then the store is opened (its file made) with no request asked of it
    deadline = time.monotonic() + 30
    while not os.path.exists(store_path) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert os.path.exists(store_path)
    assert again.record_store().hits == again.record_store().misses == 0
    again.close()


async def test_records_parsed_in_worker_processes_reach_the_store(
    jp_fetch, jp_serverapp, service, served_runs
):
    # Given a server that parses in a worker process only
    config = jp_serverapp.web_app.settings["nbcompare"]
    config.parse_processes = 1
    config.parse_in_server = False
    try:
        first = await compare(jp_fetch, served_runs)
        assert service.parsed == len(served_runs)
    finally:
        service.close()
    # When a new server, without workers, compares the same runs
    config.parse_processes = 0
    again = restarted(jp_serverapp, service)
    body = json.loads(await again.compare(served_runs))
    # Then it found every record the worker made
    assert again.parsed == 0
    assert body == first


@pytest.mark.parametrize("change", ["touched", "rewritten"])
async def test_a_changed_notebook_is_parsed_again(
    jp_fetch, jp_serverapp, service, write_notebook, change
):
    # Given a notebook compared once, its record in the store
    target = write_notebook("a.ipynb", tagged_notebook({"x": [text_output("1")]}))
    other = write_notebook("b.ipynb", tagged_notebook({"x": [text_output("5")]}))
    await compare(jp_fetch, ["a.ipynb", "b.ipynb"])
    info = target.stat()
    # When it is touched (same bytes), or rewritten to the same size, with a new time
    if change == "rewritten":
        write_notebook("a.ipynb", tagged_notebook({"x": [text_output("2")]}))
        assert target.stat().st_size == info.st_size
    os.utime(target, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))
    # Then a new server parses it again (only it), and answers what it holds now
    again = restarted(jp_serverapp, service)
    body = json.loads(await again.compare(["a.ipynb", "b.ipynb"]))
    assert again.parsed == 1
    cells = body["values"][0]["cells"]
    assert cells["a.ipynb"]["value"] == (2 if change == "rewritten" else 1)
    assert cells["b.ipynb"]["value"] == 5
    assert other.exists()


async def test_records_of_another_extractor_version_are_ignored(
    jp_fetch, jp_serverapp, service, served_runs, monkeypatch
):
    # Given runs compared once, their records stored
    await compare(jp_fetch, served_runs)
    # When the extractor's version changes and a new server compares them
    monkeypatch.setattr(extract, "RECORD_VERSION", extract.RECORD_VERSION + 1)
    again = restarted(jp_serverapp, service)
    await again.compare(served_runs)
    # Then none of the old records was used
    assert again.parsed == len(served_runs)
    assert again.stats()["store"]["hits"] == 0


def test_records_arriving_one_by_one_are_written_in_one_transaction(tmp_path, monkeypatch):
    # Given a store whose writer waits for more records until a flush (a long linger)
    monkeypatch.setattr(store_module, "LINGER_SECONDS", 60.0)
    store = RecordStore(str(tmp_path / "records.sqlite3"), 1 << 20)
    # When records arrive a few milliseconds apart, as a compare parses them
    for number in range(20):
        store.put(("file", f"{number}.ipynb", number), {"n": number})
        time.sleep(0.003)
    # Then the flush ends the wait, and all of them went in one transaction
    assert store.flush(30)
    assert (store.writes, store.batches) == (20, 1)
    assert store.get_many([("file", "7.ipynb", 7)])[("file", "7.ipynb", 7)][0] == {"n": 7}
    store.close()


def test_a_record_is_stored_under_the_version_it_was_queued_with(tmp_path, monkeypatch):
    # Given a store whose writer thread is held up by another process's lock
    path = str(tmp_path / "v.sqlite3")
    store = RecordStore(path, 64 * 1024)
    version = extract.RECORD_VERSION
    store.put(("k", 0), ({"n": 0}, None, None))
    assert store.flush(30)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    store.put(("k", 1), ({"n": 1}, None, None))
    time.sleep(0.3)  # the writer has taken it and waits for the lock
    # and a record queued behind it by the extractor of version V
    store.put(("k", 2), ({"n": 2}, None, None))
    # When the version changes before the queue is committed
    monkeypatch.setattr(extract, "RECORD_VERSION", version + 1)
    holder.execute("ROLLBACK")
    holder.close()
    assert store.flush(30)
    # Then both records are stored under V, where V + 1 does not see them
    assert store.get_many([("k", 1), ("k", 2)]) == {}
    monkeypatch.setattr(extract, "RECORD_VERSION", version)
    found = store.get_many([("k", 1), ("k", 2)])
    assert [found[("k", n)][0] for n in (1, 2)] == [({"n": 1}, None, None), ({"n": 2}, None, None)]
    store.close()


# ------------------------------------------------------------------ damaged store


def _garbage(path: str) -> None:
    with open(path, "wb") as handle:
        handle.write(b"this is no database\n" * 400)


def _foreign(path: str) -> None:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE other (x)")
    connection.execute("INSERT INTO other VALUES (1)")
    connection.commit()
    connection.close()


@pytest.mark.parametrize("spoil", [_garbage, _foreign], ids=["garbage", "foreign"])
async def test_a_corrupt_or_foreign_store_is_discarded_with_a_log_line(
    jp_fetch, jp_serverapp, service, served_runs, store_path, spoil, caplog
):
    # Given a file at the store's path that is not a record store
    os.makedirs(os.path.dirname(store_path), exist_ok=True)
    spoil(store_path)
    # When runs are compared
    with caplog.at_level(logging.WARNING, logger="jupyterlab_nbcompare.store"):
        answer = await compare(jp_fetch, served_runs)
    # Then the server answered, and said why it set the file aside
    assert [nb["status"] for nb in answer["notebooks"]].count("unreadable") == 0
    assert any("discarding the record store" in r.getMessage() for r in caplog.records)
    assert os.path.exists(store_path + ".discarded")
    # And a new store replaced it, valid, holding the records for the next server
    again = restarted(jp_serverapp, service)
    await again.compare(served_runs)
    assert again.parsed == 0
    assert integrity(store_path) == "ok"


async def test_an_unusable_store_location_only_costs_the_store(
    jp_fetch, jp_serverapp, service, served_runs, write_notebook, caplog
):
    # Given a store path below a file (no folder can be made there)
    blocker = write_notebook("plain.txt", b"x")
    jp_serverapp.web_app.settings["nbcompare"].record_store_path = str(blocker / "s.sqlite3")
    # When runs are compared
    with caplog.at_level(logging.WARNING, logger="jupyterlab_nbcompare.store"):
        answer = await compare(jp_fetch, served_runs)
    # Then the answer is complete and the log says why nothing is stored
    assert len(answer["notebooks"]) == len(served_runs)
    assert any("record store" in r.getMessage() for r in caplog.records)


# ------------------------------------------------------------------ concurrent writers

_WRITER = textwrap.dedent(
    """
    import sys
    from jupyterlab_nbcompare.store import RecordStore

    path, name = sys.argv[1], sys.argv[2]
    store = RecordStore(path, 64 * 1024 * 1024)
    for batch in range(40):
        for i in range(25):
            n = batch * 25 + i
            record = {"name": name, "n": n, "nan": float("nan"), "pad": "x" * 500}
            store.put(("test", name, n), (record, None, "2026-01-01T00:00:00.000000Z"))
        assert store.flush(60)
    store.close()
    print(store.writes)
    """
)


def test_two_processes_writing_at_once_leave_a_valid_store(tmp_path):
    # Given two processes that each write 1000 records to one new store, in
    # 40 transactions, started together
    path = str(tmp_path / "shared.sqlite3")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, path, name],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("left", "right")
    ]
    outputs = [writer.communicate(timeout=120) for writer in writers]
    # Then both finished, having committed every record
    for writer, (out, err) in zip(writers, outputs):
        assert writer.returncode == 0, err
        assert out.strip() == "1000"
    # And the file is intact, and a third reader finds all 2000 records exactly
    assert integrity(path) == "ok"
    reader = RecordStore(path, 64 * 1024 * 1024)
    keys = [("test", name, n) for name in ("left", "right") for n in range(1000)]
    found = reader.get_many(keys)
    assert len(found) == 2000
    (record, error, modified), _ = found[("test", "right", 999)]
    assert (record["name"], record["n"]) == ("right", 999)
    assert math.isnan(record["nan"])
    assert error is None
    assert modified.startswith("2026")
    reader.close()


def test_a_store_locked_by_another_process_is_used_once_the_lock_is_gone(tmp_path, monkeypatch):
    # Given a new store file that another connection holds an exclusive lock on,
    # for longer than the store waits
    monkeypatch.setattr("jupyterlab_nbcompare.store.BUSY_TIMEOUT_SECONDS", 0.2)
    path = str(tmp_path / "locked.sqlite3")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("CREATE TABLE other_process_busy (x)")
    store = RecordStore(path, 64 * 1024)
    # When it is read while locked, then written once the lock is released
    assert store.get_many([("k", 1)]) == {}
    holder.execute("ROLLBACK")
    holder.close()
    store.put(("k", 1), ({"value": 1}, None, None))
    assert store.flush(30)
    # Then the lock cost that one look-up only: the record is stored and found
    assert store.writes == 1
    assert store.get_many([("k", 1)])[("k", 1)][0] == ({"value": 1}, None, None)
    assert integrity(path) == "ok"
    store.close()


def test_the_store_evicts_the_least_recently_used_beyond_its_budget(tmp_path):
    # Given a store with room for about ten records of 1 kB
    store = RecordStore(str(tmp_path / "small.sqlite3"), 10_500)
    # When thirty are written, in order
    for n in range(30):
        store.put(("k", n), ({"pad": "x" * 1000}, None, None))
        assert store.flush(30)
    # Then the values stay within the budget, the newest kept, the oldest gone
    found = store.get_many([("k", n) for n in range(30)])
    assert sum(nbytes for _, nbytes in found.values()) <= 10_500
    assert ("k", 29) in found
    assert ("k", 0) not in found
    assert store.evictions >= 19
    store.close()


# ------------------------------------------------------------------ single flight


async def test_concurrent_compares_share_one_parse_per_notebook(
    jp_fetch, service, served_runs, read_path
):
    # Given a cold server (the store off: only sharing can spare the parses)
    service.config.record_store_bytes = 0
    # When six identical compares, and three with another baseline, arrive at once
    same = [compare(jp_fetch, served_runs) for _ in range(6)]
    other = [compare(jp_fetch, served_runs, baseline=served_runs[-1]) for _ in range(3)]
    answers = await asyncio.gather(*same, *other)
    # Then each notebook was parsed once, and every answer is right
    assert service.parsed == len(served_runs)
    assert all(answer == answers[0] for answer in answers[:6])
    assert all(answer == answers[6] for answer in answers[6:])
    assert answers[6]["baseline"] == served_runs[-1]
    alone = await compare(jp_fetch, served_runs, baseline=served_runs[-1])
    assert alone == answers[6]


async def test_concurrent_index_and_compare_share_one_parse(
    jp_fetch, service, served_runs, read_path
):
    # Given a cold server
    service.config.record_store_bytes = 0
    # When index calls of the folder and compares of its runs arrive at once
    index = [jp_fetch("nbcompare", "index", params={"path": "runs"}) for _ in range(4)]
    compares = [compare(jp_fetch, served_runs) for _ in range(4)]
    results = await asyncio.gather(*index, *compares)
    # Then each notebook was parsed once, and the index calls agree
    assert service.parsed == len(served_runs)
    bodies = [json.loads(response.body) for response in results[:4]]
    assert all(body == bodies[0] for body in bodies)
    assert len(bodies[0]["notebooks"]) == len(served_runs)


async def test_one_file_under_two_paths_in_one_request(jp_fetch, service, write_notebook):
    # Given one notebook named twice in one request, the second name its baseline
    write_notebook("d/a.ipynb", tagged_notebook({"x": [text_output("3")]}))
    service.config.record_store_bytes = 0
    # When compared (the first name claims the read, the baseline waits for it)
    answer = await asyncio.wait_for(
        compare(jp_fetch, ["d/../d/a.ipynb", "d/a.ipynb"], baseline="d/a.ipynb"), 30
    )
    # Then it answers both, parsed once
    assert [nb["path"] for nb in answer["notebooks"]] == ["d/../d/a.ipynb", "d/a.ipynb"]
    assert service.parsed == 1
