"""The reports: the HTML one is self-contained and safe with hostile notebook outputs."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from jupyterlab_nbcompare import cli, report
from jupyterlab_nbcompare.core.files import compare_paths

SCRIPT = "<script>alert('out')</script>"
HOSTILE_HTML = (
    "<div><b>kept bold</b>"
    + SCRIPT
    + '<img src="x" onerror="alert(1)"><a href="javascript:alert(2)">link</a>'
    + '<img src="https://example.invalid/track.png"><a href="data:text/html,hi">d</a>'
    + '<iframe src="https://example.invalid"></iframe>'
    + "<svg><script>alert(3)</script></svg></div>"
)
#: An SVG image with a script inside: safe only because it is shown through <img>.
HOSTILE_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    "<script>alert(4)</script><rect width='10' height='10'/></svg>"
)


class Page(HTMLParser):
    """Every element and attribute of a document, plus its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.open_tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self.open_tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)

    def tags(self, name: str) -> list[dict[str, str | None]]:
        return [attrs for tag, attrs in self.elements if tag == name]


def parse(document: str) -> Page:
    page = Page()
    page.feed(document)
    page.close()
    return page


def hostile_copy(source: Path, target: Path) -> Path:
    """A real run plus tagged cells whose outputs try to run script."""
    nb = json.loads(source.read_text())

    def cell(tag: str, outputs: list) -> dict:
        return {
            "cell_type": "code",
            "execution_count": 1,
            "id": f"hostile-{tag}",
            "metadata": {"tags": [tag]},
            "outputs": outputs,
            "source": "",
        }

    nb["cells"] += [
        cell(
            "evil_html",
            [{"output_type": "display_data", "data": {"text/html": HOSTILE_HTML}, "metadata": {}}],
        ),
        cell("evil_text", [{"output_type": "stream", "name": "stdout", "text": SCRIPT}]),
        cell(
            "evil_svg",
            [
                {
                    "output_type": "display_data",
                    "data": {"image/svg+xml": HOSTILE_SVG},
                    "metadata": {},
                }
            ],
        ),
        cell(
            '<img src=x onerror="alert(5)">',
            [{"output_type": "stream", "name": "stdout", "text": "1\n"}],
        ),
    ]
    target.write_text(json.dumps(nb))
    return target


@pytest.fixture(scope="module")
def hostile_report(example_runs, tmp_path_factory) -> tuple[str, dict]:
    """The HTML report of a clean run against a hostile one, and the response."""
    folder = tmp_path_factory.mktemp("hostile")
    base = str(example_runs["ridge_alpha1"])
    evil = str(hostile_copy(example_runs["ridge_alpha10"], folder / "evil.ipynb"))
    response = compare_paths([base, evil])
    return report.to_html(response, image_source=cli.image_source_for_files()), response


def test_html_report_parses_and_is_a_whole_document(hostile_report):
    document, response = hostile_report
    page = parse(document)
    assert document.startswith("<!DOCTYPE html>")
    assert [tag for tag, _ in page.elements][:2] == ["html", "head"]
    # every compared notebook is named, with the baseline marked
    text = "".join(page.text)
    for nb in response["notebooks"]:
        assert nb["path"] in text
    assert "(baseline)" in text


def test_html_report_embeds_the_images_it_compares(hostile_report):
    # Given the residuals plot of both runs (PNG) and the hostile SVG
    document, response = hostile_report
    plot = next(v for v in response["values"] if v["name"] == "residuals_plot")
    expected = {cell["sha256"] for cell in plot["cells"].values()}
    # When the <img> elements of the report are decoded
    sources = [attrs["src"] for attrs in parse(document).tags("img") if "src" in attrs]
    assert sources, "no image in the report"
    # Then every image is a data: URI (nothing loads from elsewhere)...
    assert all(src.startswith("data:image/") for src in sources)
    # ...and the PNGs are byte for byte the images the comparison hashed
    pngs = [base64.b64decode(s.split(",", 1)[1]) for s in sources if "image/png" in s]
    assert {hashlib.sha256(data).hexdigest() for data in pngs} == expected
    assert all(data.startswith(b"\x89PNG\r\n\x1a\n") for data in pngs)


def test_html_report_runs_no_script_from_outputs(hostile_report):
    document, _ = hostile_report
    page = parse(document)
    # No script element, no inline handler, no javascript: URL, no frame
    assert page.tags("script") == []
    assert page.tags("iframe") == []
    for tag, attrs in page.elements:
        for name, value in attrs.items():
            assert not name.lower().startswith("on"), (tag, name)
            assert "javascript:" not in (value or "").lower(), (tag, name)
    # Harmless markup survives the sanitizer
    assert "kept bold" in "".join(page.text)
    # Text that looks like script is shown as text
    assert "alert('out')" in "".join(page.text)
    assert SCRIPT not in document
    # The hostile SVG is only ever an <img> (scripts in images never run)
    assert "<svg" not in document
    # And a Content-Security-Policy forbids scripts even if one slipped through
    csp = [a for a in page.tags("meta") if a.get("http-equiv") == "Content-Security-Policy"]
    assert csp
    assert "script-src" not in csp[0]["content"]
    assert "default-src 'none'" in csp[0]["content"]
    # base-uri and form-action do not fall back to default-src
    assert "base-uri 'none'" in csp[0]["content"]
    assert "form-action 'none'" in csp[0]["content"]


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_text_formats_show_hostile_names_as_plain_text(hostile_report, fmt):
    # Given a run with a tag that looks like markup
    _, response = hostile_report
    # When it is rendered for a terminal or a spreadsheet (neither renders HTML)
    out = report.render(response, fmt)
    # Then the name is shown verbatim (the CSV as a CSV reader reads it)
    if fmt == "csv":
        out = "\n".join(row["name"] for row in csv.DictReader(io.StringIO(out)))
    assert '<img src=x onerror="alert(5)">' in out
    assert "evil_html" in out


def test_markdown_shows_hostile_names_and_text_as_text(hostile_report):
    # Given a run with a tag that looks like markup and a text value with <script>
    _, response = hostile_report
    # When it is rendered as Markdown (which GitHub and JupyterLab render as HTML)
    out = report.to_markdown(response)
    # Then no notebook markup survives as markup, but its text is still readable
    assert "<img" not in out
    assert "<script" not in out
    assert '&lt;img src=x onerror="alert(5)"&gt;' in out
    assert "evil_html" in out


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("![x](https://e.invalid/t.png)", "!\\[x\\](https://e.invalid/t.png)"),
        ("[click](javascript:alert(1))", "\\[click\\](javascript:alert(1))"),
        ("`code` & <b>", "\\`code\\` &amp; &lt;b&gt;"),
        ("a|b\nc", "a\\|b c"),
    ],
)
def test_markdown_cell_text_cannot_become_links_images_or_markup(text, shown):
    # Given a text value that is Markdown or HTML
    response = _one_text_response("note", text)
    # When rendered as Markdown
    out = report.to_markdown(response)
    # Then the cell holds the escaped text (a literal, never a link or an image)
    assert shown in out


def _one_text_response(name: str, text: str, path: str = "runs/a.ipynb") -> dict:
    """A one-notebook compare response with one text value."""
    return {
        "baseline": path,
        "notebooks": [
            {
                "path": path,
                "last_modified": None,
                "status": "ok",
                "error": None,
                "duration": None,
                "parameters": {},
            }
        ],
        "values": [
            {
                "name": name,
                "origin": "tag",
                "kind": "text",
                "direction": None,
                "differs": False,
                "cells": {path: {"kind": "text", "text": text}},
            }
        ],
    }


@pytest.mark.parametrize(
    "formula",
    ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "=cmd|' /C calc'!A0"],
)
def test_csv_defuses_formulas_in_notebook_text(formula):
    # Given a tag name, a path and a text value that a spreadsheet would run
    response = _one_text_response(formula, formula, path=f"{formula}.ipynb")
    # When the CSV is read back as a spreadsheet reads it
    rows = list(csv.reader(io.StringIO(report.to_csv(response))))
    header, row = rows[0], rows[1]
    fields = dict(zip(header, row))
    # Then none of them starts like a formula: each is prefixed with '
    for column in ("notebook", "name", "value"):
        assert fields[column].startswith("'"), (column, fields[column])
        assert fields[column][1:].startswith(formula[:1])


def test_csv_keeps_negative_numbers_as_numbers():
    # Given a scalar below zero (its text starts with '-')
    response = _one_text_response("delta", "")
    response["values"][0]["kind"] = "scalar"
    response["values"][0]["cells"]["runs/a.ipynb"] = {
        "kind": "scalar",
        "value": -0.5,
        "delta": 0.0,
        "rel_delta": 0.0,
        "better": None,
    }
    # When written as CSV
    row = next(iter(csv.DictReader(io.StringIO(report.to_csv(response)))))
    # Then it is still a number a spreadsheet or pandas reads as one
    assert float(row["value"]) == -0.5


@pytest.mark.parametrize(
    ("text", "control"),
    [
        ("\x1b]52;c;ZWNobyBwd25lZA==\x07", "\x1b"),  # OSC 52: write the clipboard
        ("ok\x1b[2K\x1b[1Afake", "\x1b"),  # erase and rewrite a line
        ("abc\u202edcba", "\u202e"),  # right-to-left override
    ],
)
def test_terminal_table_shows_control_characters_inert(text, control):
    # Given a value and a name holding terminal control sequences
    response = _one_text_response(f"name{text}", text)
    # When rendered as the terminal table, in colour or not
    for color in (False, True):
        out = report.to_table(response, color=color)
        # Then the only ESC characters are our own colour codes, and the
        # notebook's controls are shown escaped
        assert control not in out.replace("\x1b[1m", "").replace("\x1b[0m", "")
        assert "\\x1b" in out or "\\u202e" in out


_CONTROLS = [
    ("\x1b]52;c;ZWNobyBwd25lZA==\x07", "\x1b", "\\x1b"),  # OSC 52: write the clipboard
    ("ok\x1b[2K\x1b[1Afake", "\x1b", "\\x1b"),  # erase and rewrite a line
    ("abc\u202edcba", "\u202e", "\\u202e"),  # right-to-left override
    ("a\x9b31mred", "\x9b", "\\x9b"),  # the one-byte CSI
]


@pytest.mark.parametrize(("text", "control", "shown"), _CONTROLS)
@pytest.mark.parametrize("render", [report.to_csv, report.to_markdown])
def test_csv_and_markdown_show_control_characters_inert(text, control, shown, render):
    # Given a name, a path and a text value holding terminal control sequences
    response = _one_text_response(f"name{text}", text, path=f"runs/{text}.ipynb")
    # When rendered as CSV or Markdown (both are often printed to a terminal)
    out = render(response)
    # Then no control character is left, and each is shown escaped instead
    assert control not in out
    assert out.count(shown) == 3 * text.count(control), out  # the path, the name, the value


def test_csv_keeps_tabs_and_newlines_of_text():
    # Given a multi-line text value with a tab
    response = _one_text_response("summary", "converged\tyes\nsteps 12")
    # When written as CSV and read back
    row = next(iter(csv.DictReader(io.StringIO(report.to_csv(response)))))
    # Then the text is the notebook's, as it was
    assert row["value"] == "converged\tyes\nsteps 12"


def test_markdown_escapes_pipes():
    response = _one_text_response("x|y", "1 | 2", path="a|b.ipynb")
    lines = report.to_markdown(response).strip().splitlines()
    assert all(line.replace("\\|", "").count("|") == 3 for line in lines)


@pytest.mark.parametrize(
    ("paths", "labels"),
    [
        (["runs/a.ipynb", "runs/b.ipynb"], ["a", "b"]),
        (["x/runs/a.ipynb", "y/runs/a.ipynb"], ["x/runs/a", "y/runs/a"]),
        (["a.ipynb"], ["a"]),
        (["runs/a.ipynb", "runs/sub/a.ipynb"], ["a", "sub/a"]),
    ],
)
def test_short_labels(paths, labels):
    assert list(report.short_labels(paths).values()) == labels


@pytest.mark.parametrize(
    ("value", "number"),
    [("NaN", "nan"), ("Infinity", "inf"), ("-Infinity", "-inf"), (1.5, 1.5), (True, None)],
)
def test_as_number_reads_the_contract_spelling(value, number):
    got = report.as_number(value)
    if number is None:
        assert got is None
    else:
        assert repr(float(number)) == repr(float(got))


def _table_notebook(rows: list[tuple[str, int]]) -> dict:
    """A notebook whose tagged cell displays a Table Schema table of (label, v) rows."""
    resource = {
        "schema": {
            "fields": [{"name": "index", "type": "string"}, {"name": "v", "type": "integer"}],
            "primaryKey": ["index"],
        },
        "data": [{"index": label, "v": v} for label, v in rows],
    }
    output = {
        "output_type": "display_data",
        "data": {"application/vnd.dataresource+json": resource},
        "metadata": {},
    }
    cell = {
        "cell_type": "code",
        "execution_count": 1,
        "metadata": {"tags": ["t"]},
        "outputs": [output],
        "source": "",
    }
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [cell]}


def test_html_marks_only_the_occurrence_of_a_repeated_label_that_changed(tmp_path):
    # Given a baseline table with row x twice, and a run where the second x
    # changed (2 -> 5) and a third x was added (the first x and y are equal)
    base = tmp_path / "base.ipynb"
    run = tmp_path / "run.ipynb"
    base.write_text(json.dumps(_table_notebook([("x", 1), ("x", 2), ("y", 3)])))
    run.write_text(json.dumps(_table_notebook([("y", 3), ("x", 1), ("x", 5), ("x", 7)])))
    response = compare_paths([str(base), str(run)])
    # When the run's table is rendered against the baseline's
    rows = report.rows_of(response)
    cells = rows[0].cells
    html = report.cell_html(cells[1], path=str(run), row=rows[0], base=cells[0], is_base=False)
    # Then exactly two cells are marked: the changed x (5) and the added x (7)
    marked = [
        td.split(">", 1)[1].split("<", 1)[0]
        for td in html.split("<td")[1:]
        if report._CHANGED_BACKGROUND in td.split(">", 1)[0]
    ]
    assert sorted(marked) == ["5", "7"]


def test_mapping_rows_take_the_directions_the_answer_gives_overrides_included():
    # Given two notebooks whose metrics mapping has an equal item "foo", and
    # "metrics.foo" overridden to lower-is-better (no heuristic knows "foo")
    from jupyterlab_nbcompare.core.compare import compare

    def entry(path: str, foo: float, mse: float) -> dict:
        cell = {"kind": "mapping", "items": {"foo": {"value": foo}, "mse": {"value": mse}}}
        value = {"name": "metrics", "origin": "tag", "cell": cell}
        record = {"status": "ok", "duration": None, "parameters": {}, "values": [value]}
        return {"path": path, "last_modified": None, "record": record, "error": None}

    answer = compare(
        [entry("a.ipynb", 1.0, 0.5), entry("b.ipynb", 1.0, 0.4)],
        directions={"metrics.foo": "lower"},
    )
    # When the report flattens it, Then each row has the answer's direction,
    # even where no value moved and nothing says "better"
    rows = {row.label: row.direction for row in report.rows_of(answer)}
    assert rows == {"metrics.foo": "lower", "metrics.mse": "lower"}


# --------------------------------------------------------------------------- issue #12


def _outputs_png(path: Path, tag: str) -> list[bytes]:
    """The PNG bytes of every output of a tagged cell, in order, from the file."""
    nb = json.loads(path.read_text())
    cell = next(c for c in nb["cells"] if tag in c.get("metadata", {}).get("tags", []))
    return [
        base64.b64decode("".join(o["data"]["image/png"]))
        for o in cell["outputs"]
        if "image/png" in o.get("data", {})
    ]


class Rows(HTMLParser):
    """The report's rows: header text and the ``<img>`` sources of each cell."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[tuple[str, list[list[str]]]] = []
        self._in_th = False

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append(("", []))
        elif tag == "th" and self.rows:
            self._in_th = not self.rows[-1][1]
        elif tag == "td" and self.rows:
            self._in_th = False
            self.rows[-1][1].append([])
        elif tag == "img" and self.rows and self.rows[-1][1]:
            self.rows[-1][1][-1].append(dict(attrs)["src"])

    def handle_data(self, data):
        if self._in_th and self.rows:
            label, cells = self.rows[-1]
            self.rows[-1] = (label + data, cells)

    def handle_endtag(self, tag):
        if tag == "th":
            self._in_th = False


def test_html_report_shows_every_figure_of_a_cell_aligned_by_position(sweep_runs):
    # Given three runs whose `curves` cell displayed two figures each
    paths = [sweep_runs[k] for k in ("depth4", "depth8", "deep_failed")]
    figures = {p: _outputs_png(p, "curves") for p in paths}
    assert all(len(f) == 2 for f in figures.values())
    # When the HTML report is made
    response = compare_paths([str(p) for p in paths])
    document = report.to_html(response, image_source=cli.image_source_for_files())
    parser = Rows()
    parser.feed(document)
    rows = {label.strip(): cells for label, cells in parser.rows}
    # Then row curves[i] holds, for each run, that run's i-th figure, embedded
    for position in (1, 2):
        cells = rows[f"curves[{position}]"]
        for path, sources in zip(paths, cells):
            assert len(sources) == 1
            assert sources[0].startswith("data:image/png;base64,")
            shown = base64.b64decode(sources[0].split(",", 1)[1])
            assert shown == figures[path][position - 1]
    # And the value's own row does not embed the last figure a third time
    assert all(sources == [] for sources in rows["curves"])


def test_html_report_never_cuts_a_parameter(example_runs, tmp_path):
    # Given two runs whose papermill metadata holds a long string parameter
    long = "a rather long description of the experiment, " * 3
    paths = []
    for i, stem in enumerate(("ridge_alpha1", "ridge_alpha10")):
        nb = json.loads(example_runs[stem].read_text())
        nb["metadata"]["papermill"]["parameters"]["description"] = f"{long}{i}"
        target = tmp_path / f"{stem}.ipynb"
        target.write_text(json.dumps(nb))
        paths.append(str(target))
    response = compare_paths(paths)
    # When shown as HTML (the report, and the notebook view)
    page = parse(report.to_html(response))
    text = "".join(page.text)
    # Then each value is shown whole; the terminal table may shorten it
    for i in range(2):
        assert json.dumps(f"{long}{i}") in text
    assert json.dumps(f"{long}0") not in report.to_table(response)


def test_html_report_shows_duration_and_a_failed_runs_missing_values(sweep_runs):
    paths = [str(sweep_runs[k]) for k in ("depth4", "deep_failed")]
    response = compare_paths(paths)
    parser = Rows()
    parser.feed(report.to_html(response))
    rows = {label.strip(): cells for label, cells in parser.rows}
    assert "duration (s)" in rows
    document = report.to_html(response)
    # `after` comes after the failing cell: missing because the run failed
    assert "— (run failed)" in document
    papermill = [json.loads(Path(p).read_text())["metadata"]["papermill"] for p in paths]
    for nb, meta in zip(response["notebooks"], papermill):
        assert f"{meta['duration']:.1f}" in document
        assert nb["duration"] == meta["duration"]
