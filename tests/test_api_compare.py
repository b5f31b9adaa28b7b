"""``POST nbcompare/compare`` against a real server, on real papermill runs and the corpus.

Most tests run twice (``read_path``): once through the fast file path and once
through the ContentsManager's generic path; both must give the same answers.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
from datetime import datetime, timezone
from pathlib import Path

import pytest
from tornado.httpclient import HTTPClientError

from .conftest import compare, tagged_notebook, text_output

ISO_Z = "%Y-%m-%dT%H:%M:%S.%fZ"


async def compare_error(jp_fetch, body: str) -> tuple[int, dict]:
    """POST a raw body that must be refused; answer (status, decoded JSON error)."""
    with pytest.raises(HTTPClientError) as error:
        await jp_fetch("nbcompare", "compare", method="POST", body=body)
    return error.value.code, json.loads(error.value.response.body)


def mtime_iso(path: Path) -> str:
    """The modification time api.md wants, computed here from the file itself."""
    return datetime.fromtimestamp(os.stat(path).st_mtime, timezone.utc).strftime(ISO_Z)


def by_name(answer: dict, name: str, origin: str = "tag") -> dict:
    """The row of one named value."""
    rows = [v for v in answer["values"] if v["name"] == name and v["origin"] == origin]
    assert len(rows) == 1, f"{origin}:{name} appears {len(rows)} times"
    return rows[0]


async def test_compare_example_runs(jp_fetch, jp_root_dir, served_runs, read_path):
    # Given the seven papermill runs of the example grid, one failed on purpose
    paths = served_runs
    # When they are compared with the defaults
    answer = await compare(jp_fetch, paths=paths)
    # Then there is one notebook per path, in request order, with the file's own time
    assert answer["baseline"] == paths[0]
    assert [nb["path"] for nb in answer["notebooks"]] == paths
    for nb in answer["notebooks"]:
        assert nb["last_modified"] == mtime_iso(jp_root_dir / nb["path"])
        expected = "failed" if nb["path"].endswith("ridge_diverged.ipynb") else "ok"
        assert nb["status"] == expected, nb["path"]
        assert nb["error"] is None
        assert isinstance(nb["duration"], float)
        assert nb["duration"] > 0
    # And the injected parameters are those the grid passed to papermill
    params = {nb["path"]: nb["parameters"] for nb in answer["notebooks"]}
    assert params["runs/ridge_alpha10.ipynb"]["alpha"] == {"value": 10.0, "injected": True}
    assert params["runs/ridge_alpha10.ipynb"]["noise"] == {"value": 0.5, "injected": False}
    # And every row has a cell for every path, deltas against the baseline
    mse = by_name(answer, "mse")
    assert set(mse["cells"]) == set(paths)
    assert mse["kind"] == "scalar"
    assert mse["direction"] == "lower"
    base = mse["cells"][paths[0]]["value"]
    assert mse["cells"][paths[0]]["delta"] == 0
    for path in paths[1:]:
        cell = mse["cells"][path]
        assert cell["delta"] == pytest.approx(cell["value"] - base)
        assert cell["better"] is (cell["value"] < base if cell["value"] != base else None)


async def test_compare_baseline_names_directions(jp_fetch, served_runs, read_path):
    # Given the example runs and a baseline that is not the first path
    paths = served_runs
    baseline = paths[2]
    # When only mse is asked for, with its direction overridden to "higher"
    answer = await compare(
        jp_fetch, paths=paths, baseline=baseline, names=["mse"], directions={"mse": "higher"}
    )
    # Then the answer is against that baseline, restricted to that name
    assert answer["baseline"] == baseline
    assert {v["name"] for v in answer["values"]} == {"mse"}
    mse = by_name(answer, "mse")
    assert mse["direction"] == "higher"
    base = mse["cells"][baseline]["value"]
    for path, cell in mse["cells"].items():
        if cell["value"] > base:
            assert cell["better"] is True, path
        elif cell["value"] < base:
            assert cell["better"] is False, path


async def test_compare_image_url_serves_the_hashed_bytes(jp_fetch, served_runs, read_path):
    # Given the runs' residual plots (matplotlib PNGs)
    answer = await compare(jp_fetch, paths=served_runs, names=["residuals_plot"])
    row = by_name(answer, "residuals_plot")
    assert row["kind"] == "image"
    for path, cell in row["cells"].items():
        # Then the bytes are not inline; the URL is relative to base_url
        assert set(cell) >= {"mime", "url", "sha256", "width", "height"}
        assert "data" not in cell
        assert not cell["url"].startswith("/")
        # When the URL is fetched, the bytes are those the hash describes
        endpoint, _, query = cell["url"].partition("?")
        params = dict(pair.split("=", 1) for pair in query.split("&"))
        params = {key: value.replace("%2F", "/") for key, value in params.items()}
        response = await jp_fetch(*endpoint.split("/"), params=params)
        import hashlib

        assert hashlib.sha256(response.body).hexdigest() == cell["sha256"], path
        assert response.headers["Content-Type"] == cell["mime"] == "image/png"


async def test_compare_keeps_going_past_bad_notebooks(
    jp_fetch, jp_root_dir, served_runs, write_notebook, read_path
):
    # Given good runs mixed with a missing file, a directory, broken JSON and non-notebook JSON
    write_notebook("bad/broken.ipynb", b'{"cells": [')
    write_notebook("bad/list.ipynb", b"[1, 2, 3]")
    write_notebook("bad/empty.ipynb", b"")
    (jp_root_dir / "bad" / "folder.ipynb").mkdir()
    bad = {
        "bad/missing.ipynb": "not_found",
        "bad/folder.ipynb": "not_found",
        "bad/broken.ipynb": "invalid_json",
        "bad/list.ipynb": "invalid_notebook",
        "bad/empty.ipynb": "invalid_json",
    }
    paths = [served_runs[0], *bad, served_runs[1]]
    # When they are compared together
    answer = await compare(jp_fetch, paths=paths)
    # Then each bad one is unreadable with its own code and a message, and the rest compare
    status = {nb["path"]: nb for nb in answer["notebooks"]}
    for path, code in bad.items():
        assert status[path]["status"] == "unreadable"
        assert status[path]["error"]["code"] == code, path
        assert status[path]["error"]["message"]
    assert status[served_runs[0]]["status"] == "ok"
    mse = by_name(answer, "mse")
    assert mse["cells"][served_runs[1]]["value"] is not None
    assert all(mse["cells"][path] is None for path in bad)
    assert status["bad/missing.ipynb"]["last_modified"] is None


@pytest.mark.parametrize("written_as", ["a Python escape", "a JSON escape"])
async def test_text_that_utf8_cannot_hold_spoils_nothing(
    jp_fetch, served_runs, write_notebook, read_path, written_as
):
    # Given a notebook holding a lone surrogate, which no UTF-8 text can carry:
    # printed by Python (what os.fsdecode makes of a stray byte in a file name)
    # or written as a JSON escape (orjson refuses it; the json module reads it)
    if written_as == "a Python escape":
        content = json.dumps(tagged_notebook({"files": [text_output("{'\\udcff': 1}")]}))
        name, expected = "files", {"\ufffd": {"value": 1}}
    else:
        content = json.dumps(tagged_notebook({"bad\ud800tag": [text_output("2")]}))
        name, expected = "bad\ufffdtag", None
    assert "\\ud" in content  # escaped in the file: the file itself is valid UTF-8
    write_notebook("odd/surrogate.ipynb", content)
    # When it is compared with a good run, and its folder is indexed
    answer = await compare(jp_fetch, paths=[served_runs[0], "odd/surrogate.ipynb"])
    response = await jp_fetch("nbcompare", "index", params={"path": "odd"})
    # Then both answers are given: the notebook is read, and the character that
    # cannot be carried is shown as U+FFFD
    status = {nb["path"]: nb["status"] for nb in answer["notebooks"]}
    assert status == {served_runs[0]: "ok", "odd/surrogate.ipynb": "ok"}
    cell = by_name(answer, name)["cells"]["odd/surrogate.ipynb"]
    if expected is not None:
        assert {key: {"value": item["value"]} for key, item in cell["items"].items()} == expected
    indexed = json.loads(response.body)["notebooks"]
    assert [n["name"] for n in indexed[0]["names"]] == [name]


async def test_a_byte_order_mark_is_read_on_both_paths(jp_fetch, write_notebook, read_path):
    # Given a notebook saved with a UTF-8 byte-order mark
    content = json.dumps(tagged_notebook({"mse": [text_output("0.25")]})).encode()
    write_notebook("bom.ipynb", b"\xef\xbb\xbf" + content)
    # When it is compared
    answer = await compare(jp_fetch, paths=["bom.ipynb"])
    # Then it is read as any other notebook
    assert answer["notebooks"][0]["status"] == "ok"
    assert by_name(answer, "mse")["cells"]["bom.ipynb"]["value"] == 0.25


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("{", "JSON"),
        ("", "JSON"),
        ("[]", "object"),
        ("null", "object"),
        ("{}", "paths"),
        ('{"paths": []}', "paths"),
        ('{"paths": "runs/a.ipynb"}', "paths"),
        ('{"paths": [1]}', "path"),
        ('{"paths": [""]}', "path"),
        ('{"paths": ["a.ipynb", "a.ipynb"]}', "twice"),
        ('{"paths": ["a.ipynb"], "baseline": "b.ipynb"}', "baseline"),
        ('{"paths": ["a.ipynb"], "baseline": 0}', "baseline"),
        ('{"paths": ["a.ipynb"], "names": "mse"}', "names"),
        ('{"paths": ["a.ipynb"], "names": [1]}', "names"),
        ('{"paths": ["a.ipynb"], "directions": ["mse"]}', "directions"),
        ('{"paths": ["a.ipynb"], "directions": {"mse": "down"}}', "direction"),
    ],
)
async def test_malformed_requests_are_400(jp_fetch, body, fragment):
    # When a request is malformed
    code, error = await compare_error(jp_fetch, body)
    # Then it is refused with 400 and a JSON message saying what is wrong
    assert code == 400
    assert fragment.lower() in error["message"].lower()


async def test_more_notebooks_than_allowed_is_413(jp_fetch, jp_serverapp, served_runs):
    # Given a server that compares at most two notebooks at once
    jp_serverapp.web_app.settings["nbcompare"].max_notebooks = 2
    # When three are asked for
    code, error = await compare_error(jp_fetch, json.dumps({"paths": served_runs[:3]}))
    # Then the answer is 413 with a message naming the limit
    assert code == 413
    assert "max_notebooks" in error["message"]
    # And two are still fine
    answer = await compare(jp_fetch, paths=served_runs[:2])
    assert len(answer["notebooks"]) == 2


async def test_too_large_is_a_per_notebook_error_without_parsing(
    jp_fetch, jp_serverapp, served_runs, write_notebook, read_path
):
    # Given a limit below the size of the papermill runs, and a tiny notebook under it
    settings = jp_serverapp.web_app.settings
    small = write_notebook("small.ipynb", tagged_notebook({"x": [text_output("1")]}))
    assert small.stat().st_size < 1000
    settings["nbcompare"].max_notebook_bytes = 1000
    parsed_before = settings["nbcompare_service"].parsed
    # When the runs and the tiny one are compared
    answer = await compare(jp_fetch, paths=[*served_runs[:2], "small.ipynb"])
    # Then the runs are unreadable with too_large, and were never parsed
    status = {nb["path"]: nb for nb in answer["notebooks"]}
    for path in served_runs[:2]:
        assert status[path]["status"] == "unreadable"
        assert status[path]["error"]["code"] == "too_large"
        assert "max_notebook_bytes" in status[path]["error"]["message"]
        assert status[path]["last_modified"] is not None
    assert status["small.ipynb"]["status"] == "ok"
    assert settings["nbcompare_service"].parsed == parsed_before + 1
    assert by_name(answer, "x")["cells"]["small.ipynb"]["value"] == 1


@pytest.fixture
def every_kind_of_path(served_runs, served_corpus, write_notebook) -> list[str]:
    """Runs, the whole corpus, a missing file and a file of broken JSON."""
    write_notebook("broken.ipynb", b"{not json")
    return [*served_runs, *served_corpus, "missing.ipynb", "broken.ipynb"]


async def cold_compare(jp_fetch, service, paths: list[str]) -> dict:
    """The answer to comparing ``paths`` with both of the service's caches emptied."""
    service.records.clear()
    service.responses.clear()
    return await compare(jp_fetch, paths=paths)


def kill_workers_sent(monkeypatch, marker: bytes) -> None:
    """Make every worker die right after it is sent a request containing ``marker``."""
    from jupyterlab_nbcompare import worker

    real_send = worker._Worker.send

    def send(self, frame):
        real_send(self, frame)
        if marker in frame:
            self.process.kill()
            self.process.wait()

    monkeypatch.setattr(worker._Worker, "send", send)


def in_workers_only(jp_serverapp, processes: int = 1, **options):
    """The server's service, parsing in worker processes alone (and other ``options``)."""
    config = jp_serverapp.web_app.settings["nbcompare"]
    config.parse_processes = processes
    config.parse_in_server = False  # every notebook goes to a worker
    for name, value in options.items():
        setattr(config, name, value)
    return jp_serverapp.web_app.settings["nbcompare_service"]


async def test_both_read_paths_give_identical_answers(jp_fetch, jp_serverapp, every_kind_of_path):
    # Given runs, the whole corpus, a missing file and broken JSON
    paths = every_kind_of_path
    settings = jp_serverapp.web_app.settings
    service = settings["nbcompare_service"]
    bodies = {}
    for fast in (True, False):
        # When the same request is answered by each read path from a cold cache
        settings["nbcompare"].fast_path = fast
        bodies[fast] = await cold_compare(jp_fetch, service, paths)
    # Then the answers are identical, field for field
    assert bodies[True] == bodies[False]


async def test_every_corpus_notebook_compares_without_a_server_error(
    jp_fetch, served_corpus, read_path
):
    # Given every notebook of the real-world corpus (some invalid on purpose)
    # When they are compared in one request
    answer = await compare(jp_fetch, paths=served_corpus)
    # Then each has a status of the contract, and an unreadable one says why
    assert [nb["path"] for nb in answer["notebooks"]] == served_corpus
    for nb in answer["notebooks"]:
        assert nb["status"] in ("ok", "failed", "unreadable"), nb["path"]
        if nb["status"] == "unreadable":
            assert nb["error"]["code"], nb["path"]
            assert nb["error"]["message"], nb["path"]
        else:
            assert nb["error"] is None
    # And the nbformat 3 notebooks of the corpus are upgraded and read, not refused
    status = {nb["path"]: nb["status"] for nb in answer["notebooks"]}
    assert status["corpus/nbformat/tests/test3.ipynb"] == "ok"


@pytest.mark.parametrize("index", range(0, 128, 8))
async def test_corpus_notebooks_one_by_one(jp_fetch, served_corpus, index):
    # Given a slice of the corpus, each notebook alone (its own baseline); the slices
    # cover the whole corpus
    assert len(served_corpus) <= 128, "the corpus grew: widen the slices"
    for path in served_corpus[index : index + 8]:
        # When it is compared on its own
        answer = await compare(jp_fetch, paths=[path])
        # Then it is never a server error, and every value has a cell for it
        assert answer["notebooks"][0]["status"] in ("ok", "failed", "unreadable")
        for row in answer["values"]:
            assert list(row["cells"]) == [path]


async def test_worker_processes_give_identical_answers(jp_fetch, jp_serverapp, every_kind_of_path):
    # Given runs, the corpus and broken files, and a server that can parse in processes
    paths = every_kind_of_path
    settings = jp_serverapp.web_app.settings
    service = settings["nbcompare_service"]
    bodies = {}
    # Small batches, so that workers and the server's thread all take some
    settings["nbcompare"].read_batch = 3
    try:
        for processes, in_server in ((0, True), (2, False), (1, True)):
            # When the same request is answered from a cold cache: in threads,
            # in two processes alone, then in a process beside a server thread
            settings["nbcompare"].parse_processes = processes
            settings["nbcompare"].parse_in_server = in_server
            parsed = service.parsed
            bodies[(processes, in_server)] = await cold_compare(jp_fetch, service, paths)
            # And every readable file was parsed once, wherever that happened
            assert service.parsed - parsed == len(paths) - 1
    finally:
        service.close()
    # Then the answers are identical
    assert bodies[(0, True)] == bodies[(2, False)] == bodies[(1, True)]


async def test_a_dead_worker_process_is_replaced(jp_fetch, jp_serverapp, served_runs):
    # Given a server with one worker process, and that worker killed
    service = in_workers_only(jp_serverapp)
    pool = service.pools.pool()
    (pid,) = pool.pids()
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    try:
        # When runs are compared
        answer = await compare(jp_fetch, served_runs)
        # Then the answer is complete: every notebook was read once, by a new worker
        assert [nb["status"] for nb in answer["notebooks"]].count("unreadable") == 0
        assert service.parsed == len(served_runs)
        assert pool.pids()
        assert pool.pids() != [pid]
    finally:
        service.close()


async def test_a_notebook_that_stops_its_worker_gets_an_error_and_spoils_nothing(
    jp_fetch, jp_serverapp, served_runs, write_notebook, monkeypatch
):
    # Given a server with one worker process, and a notebook whose reading
    # makes the worker die (simulated at the pipe: the worker "answers" nothing)
    write_notebook(
        "poison.ipynb", {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    )
    kill_workers_sent(monkeypatch, b"poison.ipynb")
    service = in_workers_only(jp_serverapp, read_batch=2)
    try:
        # When it is compared with the runs, after the baseline (read alone,
        # first), in the first of several batches (so that one batch is in
        # flight behind it, and more wait in the queue)
        paths = [served_runs[0], "poison.ipynb", *served_runs[1:]]
        answer = await compare(jp_fetch, paths)
    finally:
        service.close()
    # Then the poisonous notebook is unreadable, with a message that says why,
    # and every other notebook was read (retried one by one in fresh workers)
    notebooks = {nb["path"]: nb for nb in answer["notebooks"]}
    assert notebooks["poison.ipynb"]["status"] == "unreadable"
    assert notebooks["poison.ipynb"]["error"]["code"] == "invalid_notebook"
    assert "worker process" in notebooks["poison.ipynb"]["error"]["message"]
    assert all(notebooks[path]["status"] in ("ok", "failed") for path in served_runs)


@pytest.mark.parametrize("in_server", [True, False])
async def test_without_worker_processes_parsing_falls_back_to_threads(
    jp_fetch, jp_serverapp, served_runs, monkeypatch, in_server
):
    # Given a server configured for worker processes that cannot start any
    from jupyterlab_nbcompare import worker

    def cannot_start(self):
        raise OSError("no more processes")

    monkeypatch.setattr(worker._Worker, "__init__", cannot_start)
    settings = jp_serverapp.web_app.settings
    settings["nbcompare"].parse_processes = 2
    settings["nbcompare"].parse_in_server = in_server
    settings["nbcompare"].read_batch = 2
    service = settings["nbcompare_service"]
    try:
        # When runs are compared
        answer = await compare(jp_fetch, served_runs)
    finally:
        service.close()
    # Then every notebook was read, in the server's threads
    assert [nb["status"] for nb in answer["notebooks"]].count("unreadable") == 0
    assert service.parsed == len(served_runs)


@pytest.mark.parametrize(
    ("option", "cpus", "workers"),
    [(-1, 1, 0), (-1, 2, 1), (-1, 16, 1), (0, 16, 0), (3, 1, 3)],
)
def test_the_automatic_number_of_workers_follows_the_cpus(
    jp_serverapp, monkeypatch, option, cpus, workers
):
    # Given parse_processes (-1: automatic) on a machine with this many CPUs
    from jupyterlab_nbcompare import pools

    monkeypatch.setattr(pools, "_available_cpus", lambda: cpus)
    settings = jp_serverapp.web_app.settings
    settings["nbcompare"].parse_processes = option
    # Then one worker beside the server's thread when there is a second CPU,
    # none on one CPU, and exactly the number asked for otherwise
    assert settings["nbcompare_service"].worker_count() == workers


async def test_idle_workers_stop_and_the_next_compare_starts_them_again(
    jp_fetch, jp_serverapp, served_runs
):
    # Given a server with one worker that stops after 0.3 s unused
    service = in_workers_only(jp_serverapp, worker_idle_seconds=0.3)
    try:
        answer = await cold_compare(jp_fetch, service, served_runs)
        assert all(nb["status"] != "unreadable" for nb in answer["notebooks"])
        pool = service.pools._pool
        (pid,) = pool.pids()
        # When nothing uses it for a while
        for _ in range(200):
            if service.pools._pool is None:
                break
            await asyncio.sleep(0.02)
        # Then its process is gone (killed and reaped right after)
        assert service.pools._pool is None
        assert pool.pids() == []

        def gone() -> bool:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return True
            return False

        for _ in range(200):
            if gone():
                break
            await asyncio.sleep(0.02)
        assert gone()
        # And the next compare starts a worker again and is answered in full
        again = await cold_compare(jp_fetch, service, served_runs)
        assert again == answer
        assert service.pools._pool is not None
        assert service.pools._pool.pids()
    finally:
        service.close()


def test_workers_in_use_or_without_a_timeout_are_never_stopped(jp_serverapp):
    settings = jp_serverapp.web_app.settings
    settings["nbcompare"].parse_processes = 1
    service = settings["nbcompare_service"]
    pool = service.pools.pool()
    try:
        service.pools._last_use -= 1000  # unused for long
        # Given a compare using the workers, they stay, however long unused before
        settings["nbcompare"].worker_idle_seconds = 1
        service.pools._active += 1
        assert service.pools.stop_if_idle(pool) is False
        service.pools._active -= 1
        # Given no timeout, they stay
        settings["nbcompare"].worker_idle_seconds = 0
        assert service.pools.stop_if_idle(pool) is False
        assert service.pools._pool is pool
        # Given neither, they stop
        settings["nbcompare"].worker_idle_seconds = 1
        assert service.pools.stop_if_idle(pool) is True
        assert service.pools._pool is None
    finally:
        service.close()
        pool.close()


@pytest.mark.parametrize("processes", [0, 1], ids=["threads", "worker"])
async def test_cells_made_beside_the_records_are_those_made_at_the_end(
    jp_fetch, jp_serverapp, jp_root_dir, served_runs, processes
):
    # Given a server parsing in threads, or in a worker process only
    from jupyterlab_nbcompare.core.compare import compare as core_compare
    from jupyterlab_nbcompare.core.files import load_entry

    settings = jp_serverapp.web_app.settings
    settings["nbcompare"].parse_processes = processes
    settings["nbcompare"].parse_in_server = not processes
    settings["nbcompare"].read_batch = 2
    service = settings["nbcompare_service"]
    request = {
        "baseline": served_runs[1],
        "names": ["mse", "metrics", "coefficients", "residuals_plot", "top_features"],
        "directions": {"mae": "higher", "mse": "higher"},
    }
    try:
        # And some notebooks already cached, not the baseline (read first, alone)
        await compare(jp_fetch, paths=served_runs[2:4])
        service.responses.clear()
        # When all are compared with a baseline that is not first, a name
        # filter and directions (the others' cells made as they are read)
        answer = await compare(jp_fetch, paths=served_runs, **request)
    finally:
        service.close()
    # Then the answer is the core's over the same files, every cell made at the end
    entries = [load_entry(jp_root_dir / path, key=path) for path in served_runs]
    expected = core_compare(entries, **request)
    assert answer == json.loads(json.dumps(expected))
    assert service.parsed == len(served_runs)  # each notebook parsed once


async def test_a_compare_does_not_wait_for_workers_busy_with_another(
    jp_fetch, jp_serverapp, served_runs
):
    # Given a server with one worker beside its thread, and that worker taken
    # by another request's queue (its slot held)
    settings = jp_serverapp.web_app.settings
    settings["nbcompare"].parse_processes = 1
    settings["nbcompare"].parse_in_server = True
    service = settings["nbcompare_service"]
    slots = service.pools.slots(service.worker_count())
    await slots.acquire()
    try:
        # When runs are compared cold, Then the server's thread answers at once
        # (before, the request waited for the other one's whole queue)
        answer = await asyncio.wait_for(cold_compare(jp_fetch, service, served_runs), 60)
        assert all(nb["status"] != "unreadable" for nb in answer["notebooks"])
        assert service.parsed == len(served_runs)
    finally:
        slots.release()
        service.close()


async def test_a_worker_that_fails_on_the_baseline_never_hangs_a_compare(
    jp_fetch, jp_serverapp, served_runs, monkeypatch
):
    # Given workers that die whenever they are sent a compare's baseline
    kill_workers_sent(monkeypatch, b"compare_against")
    service = in_workers_only(jp_serverapp, read_batch=2)
    try:
        # When runs are compared cold, Then the answer comes (each batch the
        # failing workers had in hand was retried notebook by notebook)
        answer = await asyncio.wait_for(cold_compare(jp_fetch, service, served_runs), 120)
    finally:
        service.close()
    assert all(nb["status"] in ("ok", "failed") for nb in answer["notebooks"])
