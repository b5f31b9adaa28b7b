"""``GET nbcompare/index``: the notebooks of a folder and the names they carry, bounded."""

from __future__ import annotations

import json
import os
from datetime import datetime

import pytest
from jupyter_server.services.contents.filemanager import FileContentsManager
from tornado.httpclient import HTTPClientError

from jupyterlab_nbcompare.listing import name_filter

from .conftest import marked_generated, tagged_notebook, text_output
from .test_cli import printed_mse
from .test_export_notebook import GENERATED


async def index(jp_fetch, **params) -> dict:
    """GET the index with these query parameters; answer the decoded body."""
    response = await jp_fetch("nbcompare", "index", params=params)
    assert response.headers["Content-Type"].startswith("application/json")
    return json.loads(response.body)


def notebook(**values: str) -> dict:
    """A notebook with one tagged cell per keyword, printing the given repr."""
    return tagged_notebook({name: [text_output(text)] for name, text in values.items()})


@pytest.fixture
def tree(write_notebook):
    """A small folder tree: numbers, a broken file, nesting, a non-notebook file."""
    write_notebook("b.ipynb", notebook(mse="2.5", label="'b'"))
    write_notebook("a.ipynb", notebook(mse="1.5", flag="True"))
    write_notebook("c.ipynb", b"{broken")
    write_notebook("notes.txt", b"mse = 3")
    write_notebook("sub/d.ipynb", notebook(mse="9.0"))
    write_notebook("sub/deeper/e.ipynb", notebook(mse="-4.0"))
    write_notebook("sub/deeper/deepest/f.ipynb", notebook(mse="100.0"))


async def test_root_folder_is_listed_by_path(jp_fetch, tree, read_path):
    # When the root is indexed with the defaults (not recursive)
    answer = await index(jp_fetch)
    # Then its notebooks are listed in path order, not the text file, not sub folders
    assert answer["path"] == ""
    assert answer["truncated"] is False
    assert [nb["path"] for nb in answer["notebooks"]] == ["a.ipynb", "b.ipynb", "c.ipynb"]
    # And the broken one is listed as unreadable with its error
    broken = answer["notebooks"][2]
    assert broken["status"] == "unreadable"
    assert broken["error"]["code"] == "invalid_json"
    # And scalars carry their value, others only their kind
    names_of_a = {n["name"]: n for n in answer["notebooks"][0]["names"]}
    assert names_of_a["mse"] == {"name": "mse", "origin": "tag", "kind": "scalar", "value": 1.5}
    names_of_b = {n["name"]: n for n in answer["notebooks"][1]["names"]}
    assert names_of_b["label"]["kind"] == "text"
    assert "value" not in names_of_b["label"]
    # And each name is summarised: how many carry it, and the range of its numbers
    names = {n["name"]: n for n in answer["names"]}
    assert names["mse"]["count"] == 2
    assert (names["mse"]["min"], names["mse"]["max"]) == (1.5, 2.5)
    assert names["flag"]["count"] == 1
    assert "min" not in names["flag"]  # booleans are not numbers here


async def test_recursive_scan_goes_down_to_the_depth_limit(jp_fetch, jp_serverapp, tree, read_path):
    # Given a recursive scan limited to one folder level below the start
    jp_serverapp.web_app.settings["nbcompare"].index_max_depth = 1
    # When sub/ is indexed recursively
    answer = await index(jp_fetch, path="sub", recursive="true")
    # Then sub/ and sub/deeper/ are read, sub/deeper/deepest/ is not, and that is said
    assert answer["path"] == "sub"
    assert [nb["path"] for nb in answer["notebooks"]] == ["sub/d.ipynb", "sub/deeper/e.ipynb"]
    assert answer["truncated"] is True
    names = {n["name"]: n for n in answer["names"]}
    assert (names["mse"]["min"], names["mse"]["max"]) == (-4.0, 9.0)


async def test_a_branch_too_deep_is_cut_alone(jp_fetch, jp_serverapp, write_notebook, read_path):
    # Given a folder whose first sub-folder goes deeper than the limit, and
    # whose later sub-folders (in scan order) hold notebooks within it
    write_notebook("runs/top.ipynb", notebook(mse="1.0"))
    write_notebook("runs/a_deep/d1/d2/d3/deep.ipynb", notebook(mse="2.0"))
    write_notebook("runs/b_shallow/one.ipynb", notebook(mse="3.0"))
    write_notebook("runs/c_shallow/two.ipynb", notebook(mse="4.0"))
    jp_serverapp.web_app.settings["nbcompare"].index_max_depth = 2
    # When the folder is indexed recursively
    answer = await index(jp_fetch, path="runs", recursive="true")
    # Then only the part below the limit is left out: the siblings are listed
    assert [nb["path"] for nb in answer["notebooks"]] == [
        "runs/b_shallow/one.ipynb",
        "runs/c_shallow/two.ipynb",
        "runs/top.ipynb",
    ]
    assert answer["truncated"] is True


async def test_recursive_scan_of_everything(jp_fetch, tree, read_path):
    # When the root is indexed recursively with the default limits
    answer = await index(jp_fetch, path="/", recursive="true")
    # Then every notebook is there, ordered by path, and nothing was cut
    assert [nb["path"] for nb in answer["notebooks"]] == [
        "a.ipynb",
        "b.ipynb",
        "c.ipynb",
        "sub/d.ipynb",
        "sub/deeper/deepest/f.ipynb",
        "sub/deeper/e.ipynb",
    ]
    assert answer["truncated"] is False
    assert {n["name"]: n["count"] for n in answer["names"]}["mse"] == 5


async def test_notebook_limit_truncates(jp_fetch, jp_serverapp, tree, read_path):
    # Given a scan limited to two notebooks
    jp_serverapp.web_app.settings["nbcompare"].index_max_notebooks = 2
    # When a folder with more is indexed
    answer = await index(jp_fetch, recursive="true")
    # Then two are listed and the answer says it was cut
    assert len(answer["notebooks"]) == 2
    assert answer["truncated"] is True


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"recursive": value}, "recursive")
        # the schema's type is boolean: only true or false, not yes, 1 or nothing
        for value in ["maybe", "2", "", "yes", "no", "1", "0", " true", "on"]
    ],
)
async def test_malformed_index_requests_are_400(jp_fetch, tree, params, fragment):
    # When recursive is neither true nor false
    with pytest.raises(HTTPClientError) as error:
        await jp_fetch("nbcompare", "index", params=params)
    # Then it is 400 with a message naming it
    assert error.value.code == 400
    assert fragment in json.loads(error.value.response.body)["message"]


@pytest.mark.parametrize("path", ["nope", "a.ipynb", "notes.txt", "sub/nope"])
async def test_not_a_folder_is_404(jp_fetch, tree, path, read_path):
    # When something that is not a folder is indexed
    with pytest.raises(HTTPClientError) as error:
        await jp_fetch("nbcompare", "index", params={"path": path})
    # Then it is 404
    assert error.value.code == 404


async def test_index_and_compare_share_the_cache(jp_fetch, jp_serverapp, tree, read_path):
    # Given a folder indexed once
    service = jp_serverapp.web_app.settings["nbcompare_service"]
    await index(jp_fetch)
    parsed = service.parsed
    # When its notebooks are compared, and the folder indexed again
    body = json.dumps({"paths": ["a.ipynb", "b.ipynb", "c.ipynb"]})
    await jp_fetch("nbcompare", "compare", method="POST", body=body)
    await index(jp_fetch)
    # Then nothing was parsed again
    assert service.parsed == parsed


async def test_empty_folder(jp_fetch, jp_root_dir, read_path):
    # Given an empty folder
    (jp_root_dir / "empty").mkdir()
    # When it is indexed
    answer = await index(jp_fetch, path="empty", recursive="false")
    # Then the answer is empty but complete
    assert answer == {
        "path": "empty",
        "notebooks": [],
        "names": [],
        "truncated": False,
        "truncated_reason": None,
    }


@pytest.fixture
def awkward_tree(jp_root_dir, write_notebook, tree):
    """What real folders hold besides notebooks: checkpoints, caches, links, odd names."""
    write_notebook(".ipynb_checkpoints/a-checkpoint.ipynb", notebook(mse="0.0"))
    write_notebook("__pycache__/cached.ipynb", notebook(mse="0.0"))
    write_notebook("sub/.hidden.ipynb", notebook(mse="0.0"))
    write_notebook("folder.ipynb/inner.ipynb", notebook(mse="7.0"))
    write_notebook("ünïcode dir/ß.ipynb", notebook(mse="8.0"))
    (jp_root_dir / "linked").symlink_to(jp_root_dir / "sub", target_is_directory=True)
    (jp_root_dir / "dead.ipynb").symlink_to(jp_root_dir / "nowhere.ipynb")
    (jp_root_dir / "alias.ipynb").symlink_to(jp_root_dir / "a.ipynb")
    os.utime(jp_root_dir / "alias.ipynb", (1e9, 1e9), follow_symlinks=False)  # the link's own
    (jp_root_dir / ".hidden_alias.ipynb").symlink_to(jp_root_dir / "a.ipynb")
    os.utime(jp_root_dir / ".hidden_alias.ipynb", (1e9, 1e9), follow_symlinks=False)
    write_notebook(".hidden dir/g.ipynb", notebook(mse="0.0"))
    write_notebook("draft_1.ipynb", notebook(mse="0.0"))
    write_notebook("x[1].ipynb", notebook(mse="0.0"))
    write_notebook("y[1].ipynb", notebook(mse="6.0"))
    os.mkfifo(jp_root_dir / "fifo.ipynb")


@pytest.mark.parametrize("allow_hidden", [False, True])
async def test_both_read_paths_list_the_same(
    jp_fetch, jp_serverapp, jp_root_dir, awkward_tree, allow_hidden
):
    # Given a folder with checkpoints, caches, links, a dead link, a fifo and odd names
    jp_serverapp.contents_manager.allow_hidden = allow_hidden
    # and the user's own hide_globs beside the stock ones, with glob brackets
    stock = list(jp_serverapp.contents_manager.hide_globs)
    jp_serverapp.contents_manager.hide_globs = [*stock, "draft_*", "[x]*"]
    settings = jp_serverapp.web_app.settings
    answers = {}
    for fast in (True, False):
        # When it is indexed recursively through each read path
        settings["nbcompare"].fast_path = fast
        answers[fast] = await index(jp_fetch, recursive="true")
    # Then both list exactly the same notebooks with the same summaries, but for
    # one known difference: a link's last_modified is its target's on the fast
    # path (when the notebook changed), the link's own on the manager's (lstat)
    links = {"alias.ipynb", ".hidden_alias.ipynb"}
    for fast, answer in answers.items():
        for alias in [nb for nb in answer["notebooks"] if nb["path"] in links]:
            stamp = datetime.fromisoformat(alias.pop("last_modified")).timestamp()
            expected = os.stat(jp_root_dir / "a.ipynb").st_mtime if fast else 1e9
            assert stamp == pytest.approx(expected, abs=1e-5)  # ISO text: microseconds
    assert answers[True] == answers[False]
    listed = [nb["path"] for nb in answers[True]["notebooks"]]
    # And the manager's rules hold: hide_globs always, hidden files unless allowed
    assert not any("__pycache__" in path for path in listed)
    assert any("checkpoint" in path for path in listed) is allow_hidden
    assert "fifo.ipynb" not in listed
    assert "draft_1.ipynb" not in listed
    assert "x[1].ipynb" not in listed
    assert "y[1].ipynb" in listed
    # And a link to a notebook is a notebook; a hidden one, or one in a hidden
    # folder, only if allowed
    assert "alias.ipynb" in listed
    assert (".hidden_alias.ipynb" in listed) is allow_hidden
    assert (".hidden dir/g.ipynb" in listed) is allow_hidden
    assert "folder.ipynb/inner.ipynb" in listed
    assert "ünïcode dir/ß.ipynb" in listed
    # And sub/ is entered once, by the first path to it in order (the link)
    assert "linked/d.ipynb" in listed
    assert "sub/d.ipynb" not in listed
    assert ("linked/.hidden.ipynb" in listed) is allow_hidden
    # And a dead link is listed as Jupyter lists it, then refused when read
    (dead,) = [nb for nb in answers[True]["notebooks"] if nb["path"] == "dead.ipynb"]
    assert dead["error"]["code"] == "not_found"


def test_the_name_filter_is_the_managers_own_rule():
    # Given the stock manager with globs of every fnmatch kind, and names around them
    globs = ["__pycache__", "*.pyc", "draft_?", "[!a-m]*.tmp", "*~"]
    manager = FileContentsManager(hide_globs=globs)
    names = ["__pycache__", "a.pyc", "a.pyc.ipynb", "draft_1", "draft_12"]
    names += ["n.tmp", "a.tmp", "x~", "ok"]
    # Then the compiled filter answers what should_list answers, name by name
    assert [name_filter(manager)(n) for n in names] == [manager.should_list(n) for n in names]
    assert [name_filter(manager)(n) for n in names].count(True) == 4

    # Given a manager with a rule of its own
    class Picky(FileContentsManager):
        def should_list(self, name):
            return name.startswith("keep")

    # Then that rule is the filter
    assert name_filter(Picky()).__func__ is Picky.should_list
    assert [name_filter(Picky())(n) for n in ["keep.ipynb", "a.ipynb"]] == [True, False]
    # and so is a rule set on the manager itself
    manager.should_list = lambda name: name == "ok"
    assert [name_filter(manager)(n) for n in names].count(True) == 1
    # And no globs at all list every name
    assert all(name_filter(FileContentsManager(hide_globs=[]))(n) for n in names)


@pytest.fixture
def service(jp_serverapp):
    """The server's NotebookService."""
    return jp_serverapp.web_app.settings["nbcompare_service"]


async def test_links_back_to_a_folder_never_enter_it_twice(
    jp_fetch, jp_serverapp, jp_root_dir, write_notebook, read_path
):
    # Given a folder holding a notebook and six links to itself (and a link to its parent)
    write_notebook("loop/run.ipynb", notebook(mse="1.0"))
    for number in range(6):
        (jp_root_dir / "loop" / f"self{number}").symlink_to(".", target_is_directory=True)
    (jp_root_dir / "loop" / "up").symlink_to("..", target_is_directory=True)
    jp_serverapp.web_app.settings["nbcompare"].index_max_depth = 3
    # When it is indexed recursively
    answer = await index(jp_fetch, path="loop", recursive="true")
    # Then its notebook is listed once, and the links were not a reason to cut
    assert [nb["path"] for nb in answer["notebooks"]] == ["loop/run.ipynb"]
    assert answer["truncated"] is False
    assert answer["truncated_reason"] is None


async def test_the_folder_limit_truncates(jp_fetch, jp_serverapp, tree, read_path):
    # Given a scan limited to two folders
    jp_serverapp.web_app.settings["nbcompare"].index_max_folders = 2
    # When the root (with sub/, sub/deeper/, sub/deeper/deepest/) is indexed recursively
    answer = await index(jp_fetch, recursive="true")
    # Then the root and sub/ were listed, no deeper, and the answer says which limit cut it
    assert [nb["path"] for nb in answer["notebooks"]] == [
        "a.ipynb",
        "b.ipynb",
        "c.ipynb",
        "sub/d.ipynb",
    ]
    assert answer["truncated"] is True
    assert answer["truncated_reason"] == "index_max_folders"


async def test_the_time_limit_truncates(jp_fetch, jp_serverapp, tree, read_path):
    # Given a scan with no time for any folder beyond the first
    jp_serverapp.web_app.settings["nbcompare"].index_max_seconds = 0
    # When the root is indexed recursively
    answer = await index(jp_fetch, recursive="true")
    # Then only the root was listed, and the answer says why
    assert [nb["path"] for nb in answer["notebooks"]] == ["a.ipynb", "b.ipynb", "c.ipynb"]
    assert answer["truncated_reason"] == "index_max_seconds"


@pytest.mark.parametrize(
    ("option", "value", "reason"),
    [("index_max_notebooks", 2, "index_max_notebooks"), ("index_max_depth", 1, "index_max_depth")],
)
async def test_every_cut_names_its_option(jp_fetch, jp_serverapp, tree, option, value, reason):
    # Given one limit the tree exceeds
    setattr(jp_serverapp.web_app.settings["nbcompare"], option, value)
    # When the root is indexed recursively
    answer = await index(jp_fetch, recursive="true")
    # Then the answer is truncated, and names that option
    assert answer["truncated"] is True
    assert answer["truncated_reason"] == reason


async def test_a_scan_stops_when_its_client_is_gone(tree, service, read_path):
    # Given a client that goes away after the scan's first check
    checks = []

    def gone() -> bool:
        checks.append(True)
        return len(checks) > 1

    # When the root is indexed recursively for it
    answer = json.loads(await service.index("", True, gone))
    # Then the scan stopped at the next folder and read no notebook for nobody
    assert len(checks) == 2
    assert answer["notebooks"] == []
    assert answer["truncated_reason"] == "disconnected"


async def test_exported_comparisons_are_not_runs_of_the_index(
    jp_fetch, write_notebook, example_runs, read_path
):
    # Given two real papermill runs, a copy of a third marked as generated by the
    # extension (so it carries a run's values), and the comparison notebook the
    # panel exports, in a subfolder
    for stem in ("ridge_alpha1", "ridge_alpha10"):
        write_notebook(f"runs/{stem}.ipynb", example_runs[stem].read_bytes())
    write_notebook("runs/export.ipynb", marked_generated(example_runs["ols_seed1"].read_bytes()))
    write_notebook("runs/sub/comparison.ipynb", GENERATED.read_bytes())
    ols_mse = printed_mse(example_runs["ols_seed1"])
    # When the folder is indexed, flat and recursively
    flat = await index(jp_fetch, path="runs")
    deep = await index(jp_fetch, path="runs", recursive="true")
    # Then neither generated notebook is listed, and their names are not counted
    for answer in (flat, deep):
        assert [nb["path"] for nb in answer["notebooks"]] == [
            "runs/ridge_alpha1.ipynb",
            "runs/ridge_alpha10.ipynb",
        ]
        mse = next(n for n in answer["names"] if n["name"] == "mse" and n["origin"] == "tag")
        assert mse["count"] == 2
        assert ols_mse not in (mse["min"], mse["max"])
    # And the marked copy is still compared when it is named explicitly
    body = json.dumps({"paths": ["runs/ridge_alpha1.ipynb", "runs/export.ipynb"]})
    compared = json.loads((await jp_fetch("nbcompare", "compare", method="POST", body=body)).body)
    mse = next(v for v in compared["values"] if v["name"] == "mse")
    assert mse["cells"]["runs/export.ipynb"]["value"] == ols_mse


@pytest.fixture
def counted_loads(service, monkeypatch) -> list[list[str]]:
    """Every ``service.load`` call's paths, from now on."""
    calls: list[list[str]] = []
    original = service.load

    async def load(paths, *args, **kwargs):
        calls.append(list(paths))
        return await original(paths, *args, **kwargs)

    monkeypatch.setattr(service, "load", load)
    return calls


async def test_an_unchanged_tree_is_answered_from_its_listings(
    jp_fetch, jp_root_dir, tree, service, counted_loads, read_path
):
    # Given a tree indexed once, recursively
    first = await index(jp_fetch, recursive="true")
    assert len(counted_loads) == 1
    # When it is indexed again with nothing changed
    again = await index(jp_fetch, recursive="true")
    # Then the answer is the same, and no notebook was looked up: the listings sufficed
    assert again == first
    assert len(counted_loads) == 1
    # When one notebook is rewritten (same size, a later modification time)
    target = jp_root_dir / "sub" / "d.ipynb"
    before = target.stat()
    target.write_text(json.dumps(notebook(mse="8.0")))
    assert target.stat().st_size == before.st_size
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns + 10**9))
    changed = await index(jp_fetch, recursive="true")
    # Then the next index reads again, only that notebook's folder, and shows its new value
    assert counted_loads[1:] == [["sub/d.ipynb"]]
    d = next(nb for nb in changed["notebooks"] if nb["path"] == "sub/d.ipynb")
    assert {n["name"]: n.get("value") for n in d["names"]} == {"mse": 8.0}
    # And the answer is what an index with nothing kept in memory says
    service.responses.clear()
    assert await index(jp_fetch, recursive="true") == changed
    # And a notebook added to a folder is listed at once, that folder read again
    (jp_root_dir / "sub" / "g.ipynb").write_text(json.dumps(notebook(mse="7.0")))
    added = await index(jp_fetch, recursive="true")
    assert "sub/g.ipynb" in [nb["path"] for nb in added["notebooks"]]
    assert counted_loads[3:] == [["sub/d.ipynb", "sub/g.ipynb"]]
