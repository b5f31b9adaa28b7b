"""``POST nbcompare/compare`` with ``group_by``, ``failure``, ``parameters_flat``, ``missing``.

The server's answer must be the core's (the CLI and the Python API give the
same numbers); the request is validated; the whole-answer cache keys on
``group_by``.
"""

from __future__ import annotations

import json

import pytest
from tornado.httpclient import HTTPClientError

from jupyterlab_nbcompare.core.files import compare_paths

from .conftest import compare


async def test_groups_over_rest_are_the_cores(jp_fetch, served_runs, example_runs, read_path):
    # Given the demo runs served as runs/, grouped by model
    answer = await compare(jp_fetch, served_runs, group_by=["model"])
    # Then the groups are those the core gives for the same files
    files = [str(p) for p in example_runs.values()]
    local = compare_paths(files, group_by=["model"])
    rename = dict(zip(files, served_runs))
    for group in local["groups"]:
        group["paths"] = [rename[p] for p in group["paths"]]
        group["failed"] = [rename[p] for p in group["failed"]]
    assert answer["groups"] == json.loads(json.dumps(local["groups"]))
    assert answer["baseline_group"] == 0
    assert [g["key"] for g in answer["groups"]] == [{"model": "ridge"}, {"model": "ols"}]
    # And failure and parameters_flat are on every notebook
    diverged = served_runs[list(example_runs).index("ridge_diverged")]
    by_path = {n["path"]: n for n in answer["notebooks"]}
    assert by_path[diverged]["failure"]["ename"] == "RuntimeError"
    assert by_path[served_runs[0]]["failure"] is None
    assert by_path[served_runs[0]]["parameters_flat"]["alpha"] == {"value": 0.1, "injected": True}


async def test_the_answer_cache_keys_on_group_by(jp_fetch, served_runs):
    plain = await compare(jp_fetch, served_runs)
    grouped = await compare(jp_fetch, served_runs, group_by=["model"])
    by_seed = await compare(jp_fetch, served_runs, group_by=["seed"])
    again = await compare(jp_fetch, served_runs)
    assert "groups" not in plain
    assert "groups" not in again
    assert [g["key"] for g in grouped["groups"]] == [{"model": "ridge"}, {"model": "ols"}]
    assert {"seed": 1} in [g["key"] for g in by_seed["groups"]]


@pytest.mark.parametrize(
    ("group_by", "message"),
    [
        (["modle"], "modle"),
        ("model", "list"),
        ([1], "list"),
        (["model", "model"], "more than once"),
    ],
)
async def test_bad_group_by_is_a_400(jp_fetch, served_runs, group_by, message):
    body = json.dumps({"paths": served_runs[:2], "group_by": group_by})
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch("nbcompare", "compare", method="POST", body=body)
    assert caught.value.code == 400
    assert message in json.loads(caught.value.response.body)["message"]
