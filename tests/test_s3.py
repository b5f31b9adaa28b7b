"""A real S3 deployment: Jupyter on s3contents, reading a bucket of moto's S3 server.

s3contents' manager is synchronous and every call costs several S3 requests,
so the generic read path must call it in threads (the server stays
responsive), several notebooks at once (``NbCompare.remote_concurrency``), and
validate a warm cache with one folder listing instead of a request per
notebook. Compare, output and index must give on S3 what they give on files.

The moto server and the bucket are made once for the module; each test gets
its own Jupyter server (so an empty cache).
"""

from __future__ import annotations

import asyncio
import json
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest
from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager

from jupyterlab_nbcompare.app import NbCompare
from jupyterlab_nbcompare.service import NotebookService

from .conftest import compare
from .deployments import GetRecorder, MotoServer, s3contents_config, upload_tree

pytest.importorskip("s3contents", reason="s3contents is not installed (pip install -e .[test])")

#: Not named like a top-level folder of its keys (s3contents would list it as empty).
BUCKET = "nbbucket"


@pytest.fixture(scope="module")
def tree(example_runs, tmp_path_factory) -> Path:
    """The example runs as ``runs/*.ipynb`` plus one in ``runs/more/``, on disk."""
    root = tmp_path_factory.mktemp("s3tree")
    (root / "runs" / "more").mkdir(parents=True)
    for path in example_runs.values():
        shutil.copyfile(path, root / "runs" / path.name)
    shutil.copyfile(example_runs["ridge_alpha10"], root / "runs" / "more" / "again.ipynb")
    (root / "runs" / "notes.txt").write_text("not a notebook\n")
    return root


@pytest.fixture(scope="module")
def moto(tree, tmp_path_factory):
    """moto's S3 server with the bucket holding ``tree``, once per module."""
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with MotoServer(log) as server:
        upload_tree(server.client(), BUCKET, tree)
        yield server


@pytest.fixture
def jp_server_config(jp_server_config, moto):
    """The project's test server, on s3contents reading the bucket."""
    from s3contents import S3ContentsManager

    server_app = {**jp_server_config["ServerApp"], "contents_manager_class": S3ContentsManager}
    return {
        **jp_server_config,
        "ServerApp": server_app,
        "S3ContentsManager": s3contents_config(moto.endpoint, BUCKET),
    }


@pytest.fixture
def file_service(tree) -> NotebookService:
    """The same notebooks read from the file system (the reference answers)."""
    manager = AsyncLargeFileManager(root_dir=str(tree))
    return NotebookService(manager, NbCompare(parse_processes=0, gc_collect_after=0))


@pytest.fixture
def record(jp_serverapp):
    """Install a :class:`GetRecorder` on the server's manager; answers a function to do so."""
    manager = jp_serverapp.contents_manager

    def install(**options: Any) -> GetRecorder:
        recorder = GetRecorder(manager.get, **options)
        manager.get = recorder
        return recorder

    return install


def notebooks(tree: Path) -> list[str]:
    """Every notebook's API path below ``tree`` (sorted)."""
    return sorted(p.relative_to(tree).as_posix() for p in tree.rglob("*.ipynb"))


def without_times(value: Any) -> Any:
    """``value`` without its ``last_modified`` fields (S3 and the disk keep their own)."""
    if isinstance(value, dict):
        return {k: without_times(v) for k, v in value.items() if k != "last_modified"}
    if isinstance(value, list):
        return [without_times(v) for v in value]
    return value


def test_the_server_reads_through_s3contents(jp_serverapp):
    # Then the server under test is a real S3 deployment, read on the generic path
    service = jp_serverapp.web_app.settings["nbcompare_service"]
    assert type(jp_serverapp.contents_manager).__name__ == "S3ContentsManager"
    assert service.uses_fast_path is False


async def test_compare_on_s3_gives_what_the_file_system_gives(jp_fetch, tree, file_service):
    # Given the same runs on disk and in the bucket, and one path that exists in neither
    paths = [*notebooks(tree), "runs/missing.ipynb"]
    # When they are compared through the REST API on S3, cold then warm
    cold = await compare(jp_fetch, paths, baseline="runs/ridge_alpha1.ipynb")
    warm = await compare(jp_fetch, paths, baseline="runs/ridge_alpha1.ipynb")
    # Then both answers equal the file system's, times aside
    expected = json.loads(await file_service.compare(paths, "runs/ridge_alpha1.ipynb"))
    assert without_times(cold) == without_times(expected)
    assert warm == cold
    # And the answer holds real values and S3's modification times
    statuses = [notebook["status"] for notebook in cold["notebooks"]]
    assert statuses.count("unreadable") == 1
    assert "failed" in statuses
    assert statuses.count("ok") == len(paths) - 1 - statuses.count("failed")
    assert cold["notebooks"][-1]["error"]["code"] == "not_found"
    assert all(n["last_modified"].endswith("Z") for n in cold["notebooks"][:-1])
    assert {"mse", "metrics"} <= {value["name"] for value in cold["values"]}


async def test_output_and_index_on_s3_give_what_the_file_system_gives(jp_fetch, tree, file_service):
    # Given the runs on S3 and on disk
    expected_index = json.loads(await file_service.index("runs", True))
    # When the folder is indexed through the REST API on S3
    response = await jp_fetch("nbcompare", "index", params={"path": "runs", "recursive": "true"})
    index = json.loads(response.body)
    # Then it lists and summarises the same notebooks
    assert without_times(index) == without_times(expected_index)
    assert [n["path"] for n in index["notebooks"]] == notebooks(tree)
    # And every image value of a run comes back with the bytes on disk
    answer = json.loads(await file_service.compare(["runs/ridge_alpha1.ipynb"]))
    images = [v for v in answer["values"] if v["kind"] == "image"]
    assert images, "the template's runs carry an image"
    for value in images:
        params = {"path": "runs/ridge_alpha1.ipynb", "name": value["name"]}
        params["origin"] = value["origin"]
        response = await jp_fetch("nbcompare", "output", params=params)
        mime, data = await file_service.image(**params)
        assert (response.headers["Content-Type"], response.body) == (mime, data)


async def test_reads_run_in_threads_several_at_once(jp_fetch, tree, record):
    # Given a recorder on the manager, whose notebook reads wait until four overlap
    recorder = record(rendezvous=4)
    paths = notebooks(tree)
    # When a cold compare reads them
    answer = await compare(jp_fetch, paths)
    # Then no read ran on the event loop's thread, and four (or more) ran at once
    assert recorder.on_loop_thread == 0
    assert 4 <= recorder.max_in_flight <= NbCompare().remote_concurrency
    assert {n["status"] for n in answer["notebooks"]} <= {"ok", "failed"}


async def test_remote_concurrency_bounds_the_reads_in_flight(jp_fetch, jp_serverapp, tree, record):
    # Given at most two reads at once, and reads that wait until two overlap
    jp_serverapp.web_app.settings["nbcompare"].remote_concurrency = 2
    recorder = record(rendezvous=2)
    # When every notebook is compared, and the folder indexed
    await compare(jp_fetch, notebooks(tree))
    await jp_fetch("nbcompare", "index", params={"path": "runs", "recursive": "true"})
    # Then two ran at once, never more
    assert recorder.max_in_flight == 2


async def test_the_server_answers_while_s3_reads_wait(jp_fetch, tree, record):
    # Given notebook reads that wait until the test lets them go
    release = threading.Event()
    recorder = record(hold=release)
    # When a compare starts
    pending = asyncio.ensure_future(compare(jp_fetch, notebooks(tree)))
    for _ in range(500):
        if recorder.in_flight or pending.done():
            break
        await asyncio.sleep(0.01)
    # Then, while its reads wait, the server still answers other requests
    status = await jp_fetch("api", "status")
    waiting = recorder.in_flight
    release.set()
    answer = await pending
    assert status.code == 200
    assert waiting > 0, "the reads did not wait in threads: the event loop was blocked"
    assert len(answer["notebooks"]) == len(notebooks(tree))


async def test_a_warm_compare_lists_each_folder_once(jp_fetch, tree, record):
    # Given a compare that read every notebook once
    paths = notebooks(tree)
    recorder = record()
    first = await compare(jp_fetch, paths)
    # Then the cold read asked for each notebook's content once, and no stamp alone
    assert sorted(path for path, _, _ in recorder.notebook_calls()) == paths
    assert all(content for _, content, _ in recorder.notebook_calls())
    # When the same notebooks are compared again, and indexed
    recorder.calls.clear()
    again = await compare(jp_fetch, paths, names=["mse"])
    # Then the manager was asked for one listing per folder and nothing per notebook
    assert sorted(recorder.calls) == [("runs", True, "directory"), ("runs/more", True, "directory")]
    assert [v["name"] for v in again["values"]] == ["mse"]
    assert first["notebooks"] == again["notebooks"]


async def test_a_notebook_changed_on_s3_is_read_again(jp_fetch, moto, example_runs):
    # Given a notebook in its own folder of the bucket, compared once
    client = moto.client()
    before = example_runs["ridge_alpha1"].read_bytes()
    after = example_runs["ridge_alpha100"].read_bytes()
    assert len(before) != len(after)
    client.put_object(Bucket=BUCKET, Key="scratch/run.ipynb", Body=before)
    client.put_object(Bucket=BUCKET, Key="scratch/base.ipynb", Body=before)
    paths = ["scratch/base.ipynb", "scratch/run.ipynb"]
    first = await compare(jp_fetch, paths)
    # When it is replaced by another run and compared again
    client.put_object(Bucket=BUCKET, Key="scratch/run.ipynb", Body=after)
    second = await compare(jp_fetch, paths)
    # Then the new content is what is compared
    parameters = [answer["notebooks"][1]["parameters"]["alpha"] for answer in (first, second)]
    assert [p["value"] for p in parameters] == [1.0, 100.0]


async def test_a_view_saved_and_expanded_on_s3(jp_fetch, tree):
    # Given a view saved in the bucket through Jupyter's contents API (as the
    # document manager saves it), naming runs by patterns from its own folder
    text = json.dumps(
        {"nbcompare": 1, "notebooks": ["../runs/ridge_*.ipynb", "../runs/**/again.ipynb"]}
    )
    body = json.dumps({"type": "file", "format": "text", "content": text})
    await jp_fetch("api", "contents", "views", "s3.nbcompare", method="PUT", body=body)
    saved = await jp_fetch("api", "contents", "views", "s3.nbcompare", params={"content": "1"})
    assert json.loads(saved.body)["content"] == text
    # When the panel opens it
    request = json.dumps({"path": "views/s3.nbcompare", "view": text})
    response = await jp_fetch("nbcompare", "view", "expand", method="POST", body=request)
    answer = json.loads(response.body)
    # Then the patterns were expanded by listing the bucket's folders
    ridge = sorted(p for p in notebooks(tree) if p.startswith("runs/ridge_"))
    assert ridge
    assert answer["notebooks"] == [*ridge, "runs/more/again.ipynb"]
    assert answer["baseline"] is None
