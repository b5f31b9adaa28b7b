"""The ``.nbcompare`` format (``core/views.py``): schema, paths, patterns, round trip."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest

from jupyterlab_nbcompare.core import views
from jupyterlab_nbcompare.core.views import ViewError, dump_view, expand, parse_view, resolve

EXAMPLE = {
    "nbcompare": 1,
    "notebooks": ["runs/*.ipynb", "prod/production.ipynb"],
    "baseline": "prod/production.ipynb",
    "names": ["mse", "metrics"],
    "filter": "",
    "only_differences": False,
    "directions": {"margin": "higher"},
    "group_by": ["model"],
    "sort": {"by": "mse"},
    "layout": "columns",
    "chart": {"x": "model_params.C", "y": "mse", "color": "model"},
    "gates": {"mse": "0.01", "metrics.r2": "1%"},
}


def fs_listing(root: Path):
    """A ``list_dir`` over a real folder, as the command line gives it."""

    def list_dir(path: str):
        try:
            with os.scandir(root / path if path else root) as entries:
                return [(e.name, e.is_dir()) for e in entries]
        except OSError:
            return None

    return list_dir


def test_the_shipped_schema_is_a_valid_schema_and_accepts_the_issue_example():
    # Given the schema shipped in the package
    schema = views.view_schema()
    # Then it is itself a valid JSON Schema, and the documented example passes it
    jsonschema.Draft202012Validator.check_schema(schema)
    assert parse_view(json.dumps(EXAMPLE)) == EXAMPLE


@pytest.mark.parametrize(
    ("doc", "field", "words"),
    [
        ({"nbcompare": 1}, "", "the view needs the field 'notebooks'"),
        ({"notebooks": ["a.ipynb"]}, "", "needs the field 'nbcompare'"),
        ({"nbcompare": 1, "notebooks": []}, "notebooks", "at least one"),
        ({"nbcompare": 1, "notebooks": ["a.ipynb", 3]}, "notebooks[1]", "expected a string"),
        ({"nbcompare": 1, "notebooks": ["a"], "layout": "grid"}, "layout", '"columns", "rows"'),
        ({"nbcompare": 1, "notebooks": ["a"], "chart": {"x": "C"}}, "chart", "'y'"),
        ({"nbcompare": 1, "notebooks": ["a"], "gates": {"mse": "lots"}}, "gates.mse", "'lots'"),
        ({"nbcompare": 1, "notebooks": ["a"], "gates": {"mse": -1}}, "gates.mse", "tolerance"),
        ({"nbcompare": 1, "notebooks": ["a"], "directions": {"m": "up"}}, "directions.m", "lower"),
        ({"nbcompare": 1, "notebooks": ["a"], "only_differences": "yes"}, "only_differences", ""),
        ({"nbcompare": 0, "notebooks": ["a"]}, "nbcompare", ""),
    ],
)
def test_a_malformed_view_names_the_field_at_fault(doc, field, words):
    # Given a view with one field wrong; When it is parsed
    with pytest.raises(ViewError) as caught:
        parse_view(json.dumps(doc))
    # Then the error names that field, in words a person reads
    assert caught.value.field == field
    assert words in str(caught.value)
    assert str(caught.value).startswith(f"{field}: " if field else "")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("{", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        (b"\xff\xfe{}", "UTF-8"),
        ("[" * 100_000, "not valid JSON"),
        ('{"nbcompare": 7, "notebooks": ["a"]}', "version 7"),
    ],
)
def test_a_file_that_is_no_view_gets_a_clear_error(text, words):
    with pytest.raises(ViewError, match=words):
        parse_view(text)


def test_dump_keeps_unknown_fields_and_their_order():
    # Given a view written by a newer version, with a field this one does not know
    original = parse_view(
        json.dumps({"nbcompare": 1, "x_future": {"a": 1}, "notebooks": ["a.ipynb"], "filter": "m"})
    )
    # When the panel changes the baseline, clears the filter and saves
    text = dump_view({**original, "baseline": "a.ipynb", "filter": None}, original)
    # Then the unknown field is kept where it was, the change is written, the cleared one gone
    saved = json.loads(text)
    assert list(saved) == ["nbcompare", "x_future", "notebooks", "baseline"]
    assert saved["x_future"] == {"a": 1}
    assert saved["baseline"] == "a.ipynb"
    assert text.endswith("\n")
    assert parse_view(text) == saved


@pytest.mark.parametrize(
    ("folder", "path", "expected"),
    [
        ("views", "../runs/a.ipynb", "runs/a.ipynb"),
        ("views", "a.ipynb", "views/a.ipynb"),
        ("", "./runs/../runs/a.ipynb", "runs/a.ipynb"),
        ("deep/er", "../../a.ipynb", "a.ipynb"),
        ("views", "/runs/a.ipynb", "runs/a.ipynb"),
    ],
)
def test_paths_are_relative_to_the_view_folder_and_may_climb_inside_the_root(
    folder, path, expected
):
    assert resolve(folder, path) == expected


@pytest.mark.parametrize(
    ("folder", "path"),
    [("", "../a.ipynb"), ("views", "../../a.ipynb"), ("a", "../../../etc/passwd"), ("", "//x")],
)
def test_a_path_that_leaves_the_server_root_is_refused(folder, path):
    with pytest.raises(ViewError, match="leaves the server root"):
        resolve(folder, path)


def test_on_the_filesystem_dotdot_may_leave_the_view_folder():
    assert (
        resolve("/home/me/views", "../runs/a.ipynb", inside_root=False) == "/home/me/runs/a.ipynb"
    )
    assert resolve("", "../a.ipynb", inside_root=False) == "../a.ipynb"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """runs/ with notebooks, a nested sweep, a hidden file, a bracket name and other files."""
    for rel in [
        "runs/b.ipynb",
        "runs/a.ipynb",
        "runs/a2.ipynb",
        "runs/notes.txt",
        "runs/.hidden.ipynb",
        "runs/run[1].ipynb",
        "runs/sub/c.ipynb",
        "runs/sub/deeper/d.ipynb",
        "runs/.ckpt/e.ipynb",
        "prod/production.ipynb",
        "views/x.nbcompare",
    ]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("{}")
    return tmp_path


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        (
            ["../runs/*.ipynb"],
            ["runs/a.ipynb", "runs/a2.ipynb", "runs/b.ipynb", "runs/run[1].ipynb"],
        ),
        (["../runs/a?.ipynb"], ["runs/a2.ipynb"]),
        (["../runs/run[1].ipynb"], ["runs/run[1].ipynb"]),
        (["../runs/*[1].ipynb"], ["runs/run[1].ipynb"]),
        (
            ["../runs/**/*.ipynb"],
            [
                "runs/a.ipynb",
                "runs/a2.ipynb",
                "runs/b.ipynb",
                "runs/run[1].ipynb",
                "runs/sub/c.ipynb",
                "runs/sub/deeper/d.ipynb",
            ],
        ),
        (["../runs/sub/**"], ["runs/sub/c.ipynb", "runs/sub/deeper/d.ipynb"]),
        (["../*/production.ipynb"], ["prod/production.ipynb"]),
        (["../runs/.*.ipynb"], ["runs/.hidden.ipynb"]),
        (["../runs/*.txt"], []),
        # explicit entries stand where written, and a pattern adds only what is new
        (
            ["../prod/production.ipynb", "../runs/a*.ipynb", "../runs/a.ipynb"],
            ["prod/production.ipynb", "runs/a.ipynb", "runs/a2.ipynb"],
        ),
        # a missing explicit file is kept: the comparison says not_found for it
        (["../runs/missing.ipynb"], ["runs/missing.ipynb"]),
        (["../nowhere/*.ipynb"], []),
    ],
)
def test_patterns_expand_through_the_listing_sorted_by_path(tree, entries, expected):
    got = expand("views", entries, fs_listing(tree))
    assert got.paths == expected
    assert got.truncated is None


def test_keep_drops_pattern_matches_but_never_an_explicit_path(tree):
    # Given a predicate that says runs/a.ipynb is a generated export
    def keep(path):
        return path != "runs/a.ipynb"

    # When a pattern and an explicit entry both name it
    by_pattern = expand("", ["runs/*.ipynb"], fs_listing(tree), keep=keep)
    explicit = expand("", ["runs/a.ipynb"], fs_listing(tree), keep=keep)
    # Then only the pattern drops it
    assert "runs/a.ipynb" not in by_pattern.paths
    assert explicit.paths == ["runs/a.ipynb"]


def test_a_pattern_that_climbs_out_names_its_entry(tree):
    with pytest.raises(ViewError) as caught:
        expand("", ["runs/*.ipynb", "../*.ipynb"], fs_listing(tree))
    assert caught.value.field == "notebooks[1]"


def test_a_symlink_loop_under_double_star_stops_with_a_reason(tmp_path):
    # Given a folder holding six links to itself (a listing sees ever deeper paths)
    loop = tmp_path / "loop"
    loop.mkdir()
    (loop / "a.ipynb").write_text("{}")
    for n in range(6):
        (loop / f"l{n}").symlink_to(loop, target_is_directory=True)
    # When a ** pattern walks it
    got = expand("", ["loop/**/*.ipynb"], fs_listing(tmp_path))
    # Then the walk ends, says why, and still found the real notebook
    assert got.truncated
    assert "loop/a.ipynb" in got.paths


def test_listing_calls_are_bounded_by_the_folder_budget(tmp_path, monkeypatch):
    # Given a budget of 5 folders and a tree of 20
    monkeypatch.setattr(views, "MAX_FOLDERS", 5)
    for n in range(20):
        (tmp_path / f"d{n}").mkdir()
        (tmp_path / f"d{n}" / "x.ipynb").write_text("{}")
    calls = []
    listing = fs_listing(tmp_path)

    def counted(path):
        calls.append(path)
        return listing(path)

    got = expand("", ["**/*.ipynb"], counted)
    assert len(calls) == 5
    assert "more than 5 folders" in got.truncated


def test_an_absolute_pattern_on_the_filesystem(tree):
    got = expand("", [f"{tree.as_posix()}/runs/b*.ipynb"], fs_listing(Path("/")), inside_root=False)
    assert got.paths == [f"{tree.as_posix()}/runs/b.ipynb"]
