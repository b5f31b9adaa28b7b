"""``GET nbcompare/index/progress``: the tag browser sees a first scan advance (issue #14).

The slow scan is made deterministic with a real contents manager: a subclass
of the server's default manager whose reads of a notebook's content wait for
tickets the test hands out. The index then goes through the generic read
path, exactly as it would for a remote storage, and the test decides how many
notebooks have been read when it asks for the progress.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
from tornado.httpclient import HTTPClientError

from jupyterlab_nbcompare.scans import KEPT_TOTALS, ScanFlights

from .conftest import tagged_notebook, text_output
from .test_custom_managers import server_config

#: The notebooks of the slow tree: four in ``runs/``, two in ``runs/deep/``.
SLOW_TREE = ["runs/a.ipynb", "runs/b.ipynb", "runs/c.ipynb", "runs/d.ipynb"]
SLOW_TREE += ["runs/deep/e.ipynb", "runs/deep/f.ipynb"]


class GatedManager(AsyncLargeFileManager):
    """The default manager, whose reads of a notebook's content wait for a ticket.

    Listings and models without content answer at once, so the scan finds
    every notebook, then reads only as many as the test allowed.
    """

    #: Tickets for notebook reads (set by the test, on the server's loop).
    tickets: asyncio.Semaphore | None = None
    #: The notebooks whose content was read, in order.
    reads: list[str] = []
    #: The folders listed, in order.
    listings: list[str] = []

    async def get(self, path, content=True, type=None, format=None, require_hash=False):
        if content and type == "directory":
            GatedManager.listings.append(path)
        if content and type != "directory" and path.endswith(".ipynb") and self.tickets:
            await self.tickets.acquire()
            GatedManager.reads.append(path)
        return await super().get(path, content, type, format, require_hash)


@pytest.fixture
def manager_class() -> type:
    """The server's manager: :class:`GatedManager` (so the generic path) unless a test says."""
    return GatedManager


@pytest.fixture
def jp_server_config(jp_server_config, manager_class):
    """The test server, reading through ``manager_class``."""
    return server_config(jp_server_config, manager_class)


@pytest.fixture
def slow_tree(jp_serverapp, write_notebook):
    """The tree, and tickets at zero: every notebook read waits until the test allows it."""
    for number, path in enumerate(SLOW_TREE):
        write_notebook(path, tagged_notebook({"mse": [text_output(str(number))]}))
    write_notebook("runs/notes.txt", "not a notebook")
    GatedManager.tickets = asyncio.Semaphore(0)
    GatedManager.reads = []
    GatedManager.listings = []
    service = jp_serverapp.web_app.settings["nbcompare_service"]
    assert not service.uses_fast_path
    yield service
    allow(len(SLOW_TREE) * 4)  # no read left waiting
    GatedManager.tickets = None


def allow(reads: int) -> None:
    """Let ``reads`` more notebook reads of :class:`GatedManager` go through."""
    for _ in range(reads):
        GatedManager.tickets.release()


async def fetch_json(jp_fetch, endpoint: str, **params) -> dict:
    """GET ``nbcompare/<endpoint>`` with ``params``; its JSON answer."""
    response = await jp_fetch("nbcompare", endpoint, params=params)
    return json.loads(response.body)


async def progress_until(jp_fetch, condition, **params) -> dict:
    """Ask the progress until ``condition(answer)`` holds (10 s at most); the last answer."""
    answer: dict = {}
    for _ in range(400):
        answer = await fetch_json(jp_fetch, "index/progress", **params)
        if condition(answer):
            return answer
        await asyncio.sleep(0.025)
    raise AssertionError(f"the progress never got there: {answer}")


async def test_progress_of_a_scan_in_flight_is_visible_and_increases(jp_fetch, slow_tree):
    # Given no scan yet: the progress says so, with zeros
    params = {"path": "runs", "recursive": "true"}
    idle = await fetch_json(jp_fetch, "index/progress", **params)
    assert idle == {"running": False, "folders": 0, "notebooks": 0, "read": 0}

    # When a recursive index starts and no notebook may be read yet
    index = asyncio.ensure_future(fetch_json(jp_fetch, "index", **params))
    found = await progress_until(jp_fetch, lambda a: a["notebooks"] == len(SLOW_TREE), **params)
    # Then the progress shows the scan running: both folders entered, every notebook found
    assert found == {"running": True, "folders": 2, "notebooks": 6, "read": 0}

    # When two notebooks may be read
    allow(2)
    two = await progress_until(jp_fetch, lambda a: a["read"] >= 2, **params)
    # Then exactly two are counted as read, and no more while the others wait
    assert two == {"running": True, "folders": 2, "notebooks": 6, "read": 2}
    await asyncio.sleep(0.2)
    assert (await fetch_json(jp_fetch, "index/progress", **params))["read"] == 2
    assert not index.done()

    # When the rest may be read
    allow(len(SLOW_TREE) - 2)
    answer = await asyncio.wait_for(index, 30)
    # Then the index answers every notebook, and the progress keeps the last totals only
    assert [nb["path"] for nb in answer["notebooks"]] == sorted(SLOW_TREE)
    after = await fetch_json(jp_fetch, "index/progress", **params)
    assert after == {"running": False, "folders": 2, "notebooks": 6, "read": 6}
    # And the other scans of the folder (not recursive) are another record
    flat = await fetch_json(jp_fetch, "index/progress", path="runs", recursive="false")
    assert flat == {"running": False, "folders": 0, "notebooks": 0, "read": 0}


async def test_identical_index_requests_share_one_scan_and_one_progress(jp_fetch, slow_tree):
    # Given a recursive index waiting for its reads
    params = {"path": "runs", "recursive": "true"}
    first = asyncio.ensure_future(fetch_json(jp_fetch, "index", **params))
    await progress_until(jp_fetch, lambda a: a["notebooks"] == len(SLOW_TREE), **params)
    listed = list(GatedManager.listings)
    # When the same index is asked again meanwhile (another tab)
    second = asyncio.ensure_future(fetch_json(jp_fetch, "index", **params))
    await asyncio.sleep(0.3)
    # Then no second scan lists the folders, and the one progress record goes on
    assert GatedManager.listings == listed
    shared = await fetch_json(jp_fetch, "index/progress", **params)
    assert shared == {"running": True, "folders": 2, "notebooks": 6, "read": 0}
    assert len(slow_tree.scans) == 1

    # When the reads go on
    allow(len(SLOW_TREE) * 2)
    answers = await asyncio.wait_for(asyncio.gather(first, second), 30)
    # Then both get the same answer, and each notebook was read once
    assert answers[0] == answers[1]
    assert len(answers[0]["notebooks"]) == len(SLOW_TREE)
    assert sorted(GatedManager.reads) == sorted(SLOW_TREE)
    assert len(slow_tree.scans) == 0


async def test_a_client_going_away_leaves_the_shared_scan_to_the_other(slow_tree):
    # Given two callers of one scan, the first of which goes away
    params = ("runs", True)
    first = asyncio.ensure_future(slow_tree.index(*params, lambda: True))
    second = asyncio.ensure_future(slow_tree.index(*params, lambda: False))
    await asyncio.sleep(0.2)
    # When the reads may go on
    allow(len(SLOW_TREE))
    answers = [
        json.loads(body) for body in await asyncio.wait_for(asyncio.gather(first, second), 30)
    ]
    # Then the scan was not cut: the caller still there gets every notebook
    assert answers[1]["truncated_reason"] is None
    assert len(answers[1]["notebooks"]) == len(SLOW_TREE)


@pytest.mark.parametrize(
    "params",
    [
        {"path": "nope"},
        {"path": "runs/a.ipynb"},
        {"path": "../outside", "recursive": "true"},
        {"path": "runs/../../outside"},
        {"path": ".hidden"},
        {"path": ".hidden", "recursive": "true"},
        {"path": "runs", "recursive": "perhaps"},
        {"path": "runs", "recursive": ""},
    ],
)
@pytest.mark.parametrize("manager_class", [AsyncLargeFileManager, GatedManager])
async def test_bad_paths_are_refused_as_index_refuses_them(
    jp_fetch, jp_serverapp, jp_root_dir, write_notebook, params, manager_class
):
    # Given a notebook, a hidden folder and a folder outside the root, on either read path
    write_notebook("runs/a.ipynb", tagged_notebook({"mse": [text_output("1")]}))
    write_notebook(".hidden/secret.ipynb", tagged_notebook({"mse": [text_output("1")]}))
    (jp_root_dir.parent / "outside").mkdir(exist_ok=True)
    service = jp_serverapp.web_app.settings["nbcompare_service"]
    assert service.uses_fast_path is (manager_class is AsyncLargeFileManager)

    # When the index and its progress are asked for the same path
    codes = []
    for endpoint in ("index", "index/progress"):
        with pytest.raises(HTTPClientError) as refused:
            await jp_fetch("nbcompare", endpoint, params=params)
        codes.append((refused.value.code, json.loads(refused.value.response.body)["message"]))
    # Then both refuse it with the same status and message
    assert codes[0] == codes[1]
    assert codes[0][0] == (
        400 if "recursive" in params and params["recursive"] in ("", "perhaps") else 404
    )


@pytest.mark.parametrize("manager_class", [AsyncLargeFileManager])
async def test_a_fast_scan_counts_folders_notebooks_and_reads(
    jp_fetch, jp_serverapp, write_notebook
):
    # Given a stock manager (the fast path) and three notebooks in two folders
    assert jp_serverapp.web_app.settings["nbcompare_service"].uses_fast_path
    for path in ("runs/a.ipynb", "runs/b.ipynb", "runs/deep/c.ipynb"):
        write_notebook(path, tagged_notebook({"mse": [text_output("1")]}))
    write_notebook("runs/deep/broken.ipynb", "{not json")
    expected = {"running": False, "folders": 2, "notebooks": 4, "read": 4}
    # When the folder is indexed twice (cold, then from the answer cache)
    for _ in range(2):
        answer = await fetch_json(jp_fetch, "index", path="runs", recursive="true")
        assert len(answer["notebooks"]) == 4
        # Then the last totals count both folders and every notebook, read or not readable
        assert (
            await fetch_json(jp_fetch, "index/progress", path="runs", recursive="true") == expected
        )
    # And the root's progress (another scan key) is zeros
    assert await fetch_json(jp_fetch, "index/progress") == {
        "running": False,
        "folders": 0,
        "notebooks": 0,
        "read": 0,
    }


async def test_progress_needs_an_authenticated_user(jp_fetch, slow_tree):
    # When the progress is asked without credentials
    with pytest.raises(HTTPClientError) as refused:
        await jp_fetch(
            "nbcompare", "index/progress", params={"path": "runs"}, headers={"Authorization": ""}
        )
    # Then it is refused, as every endpoint of the extension
    assert refused.value.code == 403


async def test_the_progress_is_not_a_post_endpoint(jp_fetch, slow_tree):
    # When the progress is sent a POST
    with pytest.raises(HTTPClientError) as refused:
        await jp_fetch("nbcompare", "index/progress", method="POST", body=b"{}")
    # Then it is refused and the allowed method is named
    assert refused.value.code == 405
    assert "GET" in refused.value.response.headers["Allow"].split(", ")


async def test_ended_scans_keep_only_bounded_last_totals():
    # Given more ended scans than the kept totals
    flights = ScanFlights()

    async def work(progress, gone):
        progress.add(folders=1, notebooks=2, read=2)
        return b"{}"

    for number in range(KEPT_TOTALS + 5):
        await flights.run((f"folder{number}", True), None, work)
    # Then nothing is in flight, and only the last KEPT_TOTALS totals remain
    assert len(flights) == 0
    assert len(flights._ended) == KEPT_TOTALS
    assert flights.progress(("folder0", True)) == {
        "running": False,
        "folders": 0,
        "notebooks": 0,
        "read": 0,
    }
    last = flights.progress((f"folder{KEPT_TOTALS + 4}", True))
    assert last == {"running": False, "folders": 1, "notebooks": 2, "read": 2}


async def test_a_caller_joining_an_abandoned_scan_scans_again():
    # Given a scan whose only caller went away, which is told so at its first check
    flights = ScanFlights()
    told = asyncio.Event()
    scans = []

    async def work(progress, gone):
        scans.append(gone)
        if len(scans) == 1:
            assert gone()  # every caller left: the scan stops for nobody
            told.set()
            await asyncio.sleep(0.05)
            return b"abandoned"
        return b"fresh"

    abandoned = asyncio.ensure_future(flights.run("key", lambda: True, work))
    await told.wait()
    # When a caller still there asks for the same scan
    answer = await flights.run("key", lambda: False, work)
    # Then it gets a scan of its own, not the empty answer of the abandoned one
    assert answer == b"fresh"
    assert await abandoned == b"abandoned"
    assert len(scans) == 2


async def test_an_error_of_the_scan_reaches_every_caller():
    # Given a scan that fails after a while, and two callers
    flights = ScanFlights()
    started = asyncio.Event()
    calls = []

    async def work(progress, gone):
        calls.append(gone)
        started.set()
        await asyncio.sleep(0.05)
        raise ValueError("no such folder")

    first = asyncio.ensure_future(flights.run("key", None, work))
    await started.wait()
    second = asyncio.ensure_future(flights.run("key", None, work))
    # Then both see the error, and no record is left in flight
    for caller in (first, second):
        with pytest.raises(ValueError, match="no such folder"):
            await caller
    assert len(calls) == 1
    assert len(flights) == 0
