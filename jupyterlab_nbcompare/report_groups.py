"""Groups of runs (``--group-by``) in every CLI format: one row per group and statistic.

Kept apart from :mod:`.report` (one room per capability): the rows are
:func:`.core.groups.tidy_rows` of the answer, the same ones the Python API's
``NotebookCollection.groups`` gives as a DataFrame, so the CLI never computes
a statistic. Text from notebooks goes through the escaping of :mod:`.report`.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from . import report
from .core.groups import tidy_rows

__all__ = ["add_groups"]


def _text(value: Any) -> str:
    """A cell as people read it: numbers by :func:`report.format_number`, the rest as JSON."""
    if value is None:
        return ""
    if isinstance(value, (bool, int, float)):
        return report.format_number(value)
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _lines(answer: dict) -> tuple[list[str], list[list[str]]]:
    columns, rows = tidy_rows(answer)
    return columns, [[_text(row[column]) for column in columns] for row in rows]


def to_table(answer: dict) -> str:
    """An aligned plain-text table, under a ``Groups`` heading."""
    columns, lines = _lines(answer)
    cells = [[report.terminal_safe(c) for c in line] for line in [columns, *lines]]
    widths = [max(len(line[j]) for line in cells) for j in range(len(columns))]
    out = ["", f"Groups (baseline group {answer['baseline_group']}):"]
    for i, line in enumerate(cells):
        out.append("  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip())
        if i == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out) + "\n"


def to_markdown(answer: dict) -> str:
    """A Markdown table (notebook text escaped as in the comparison table)."""
    columns, lines = _lines(answer)
    escape = report._md_escape
    out = ["", f"### Groups (baseline group {answer['baseline_group']})", ""]
    out.append("| " + " | ".join(escape(c) for c in columns) + " |")
    out.append("|" + "---|" * len(columns))
    out += ["| " + " | ".join(escape(c) for c in line) + " |" for line in lines]
    return "\n".join(out) + "\n"


def to_csv(answer: dict) -> str:
    """Tidy CSV of the groups (numbers as numbers, text guarded against formulas)."""
    columns, rows = tidy_rows(answer)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([report.csv_text(c) for c in columns])
    for row in rows:
        fields = []
        for column in columns:
            value = row[column]
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                fields.append(report._csv_number(value))
            else:
                fields.append(report.csv_text(_text(value)))
        writer.writerow(fields)
    return buffer.getvalue()


def to_html(answer: dict) -> str:
    """An HTML table section (every text escaped)."""
    columns, lines = _lines(answer)
    head = "".join(f"<th>{report._e(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{report._e(c)}</td>" for c in line) + "</tr>" for line in lines
    )
    return (
        f"<h2>Groups (baseline group {answer['baseline_group']})</h2>"
        f'<table class="groups"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    )


def add_groups(text: str, answer: dict, fmt: str) -> str:
    """The CLI's output with the groups added in ``fmt``.

    ``json`` already carries ``groups`` (the REST answer); ``csv`` becomes the
    tidy groups CSV alone (two tables in one CSV would break every reader);
    ``table`` and ``markdown`` get a section after the comparison; ``html``
    gets one before the end of the body.
    """
    if "groups" not in answer or fmt == "json":
        return text
    if fmt == "csv":
        return to_csv(answer)
    if fmt == "table":
        return text + to_table(answer)
    if fmt == "markdown":
        return text + to_markdown(answer)
    if fmt == "html":
        at = text.rfind("</body>")
        return text[:at] + to_html(answer) + text[at:] if at >= 0 else text + to_html(answer)
    raise ValueError(f"unknown format {fmt!r}")
