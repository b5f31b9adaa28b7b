"""Render a ``compare`` response (``shared/api.md``) for people and programs.

One renderer per output format of ``jupyter nbcompare --format``: a terminal
``table``, ``markdown`` (for pull-request comments), tidy ``csv`` (one row per
notebook and value, for pandas or a spreadsheet), ``json`` (exactly the REST
response) and a self-contained ``html`` report. The collection of the Python
API reuses the HTML pieces for its ``_repr_html_``.

Everything here works on the response dict only, so every face shows the same
numbers. The HTML is safe to open from untrusted notebooks: every notebook
string is escaped, notebook HTML goes through the ``nh3`` sanitizer (the
maintained Rust ``ammonia`` binding; ``bleach`` is deprecated upstream), images
are embedded as ``data:`` URIs, and a Content-Security-Policy forbids scripts
even if one slipped through.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from .core.classify import IMAGE_MIMES
from .core.numbers import as_number, js_number

#: Output formats of the command line, the first is the default.
FORMATS = ("table", "json", "markdown", "csv", "csv-wide", "html")

#: ``image_source(path, name, origin, part)`` -> ``(mime, bytes)`` or None.
#: The response carries no image bytes (api.md), so whoever renders HTML says
#: where they come from: the CLI reads the notebooks, a test can fake them.
ImageSource = Callable[[str, str, str, "int | None"], "tuple[str, bytes] | None"]

_MISSING = "—"
#: The contract's spellings of non-finite numbers.
_CELL_TEXT_WIDTH = 32
_IMAGE_MIMES = frozenset(IMAGE_MIMES)


# --------------------------------------------------------------------------
# Shared model: the response flattened into displayable rows
# --------------------------------------------------------------------------


@dataclass
class Row:
    """One displayed row: a value, or one item of a mapping value (``name.key``).

    Mapping items get their own rows because each item has its own delta and
    direction; that is also how the gate and ``to_frame`` name them.
    """

    label: str
    name: str
    origin: str
    key: str | None
    direction: str | None
    differs: bool
    #: One entry per notebook path (response order): the cell, or for a mapping
    #: row the item dict ``{"value", "delta", "rel_delta", "better"}``, or None.
    cells: list[dict | None]
    #: The full value cell (for a mapping row, the whole mapping), per path.
    parents: list[dict | None]
    #: For a part row: the 0-based position of the output in its cell.
    part: int | None = None


def notebook_paths(response: dict) -> list[str]:
    """The compared paths, in column order."""
    return [nb["path"] for nb in response["notebooks"]]


def short_labels(paths: Sequence[str]) -> dict[str, str]:
    """Column labels without the folder all paths share and without ``.ipynb``.

    ``runs/a.ipynb`` and ``runs/b.ipynb`` become ``a`` and ``b``; a label that
    would be ambiguous keeps its full path.
    """
    parts = [PurePosixPath(p.replace("\\", "/")).parts for p in paths]
    common = 0
    if len(paths) > 1:
        while all(len(p) > common + 1 for p in parts) and len({p[common] for p in parts}) == 1:
            common += 1
    else:
        common = max(0, len(parts[0]) - 1) if parts else 0
    labels = {}
    for path, p in zip(paths, parts):
        label = "/".join(p[common:]) or path
        labels[path] = label[:-6] if label.endswith(".ipynb") else label
    if len(set(labels.values())) != len(labels):
        return {p: p for p in paths}
    return labels


def parts_of(cell: dict | None) -> list[dict]:
    """Every output of a cell in order: its ``parts``, or the cell itself when it
    had one output (so a one-output run lines up with the first part of others)."""
    if cell is None:
        return []
    parts = cell.get("parts")
    return parts if isinstance(parts, list) else [cell]


def _part_key(part: dict | None) -> Any:
    """What makes two parts equal: an image's ``sha256``, else its classified fields."""
    if part is None:
        return None
    if part.get("kind") == "image":
        return ("image", part.get("sha256"))
    ignored = {"parts", "part", "url", "duplicate", "cell_index", "delta", "rel_delta", "better"}
    return json.dumps({k: v for k, v in part.items() if k not in ignored}, sort_keys=True)


def _part_rows(value: dict, cells: list[dict | None]) -> list[Row]:
    """``name[1]``, ``name[2]``...: one row per output position, when a cell had several.

    A cell that shows two figures has one value (the last figure, with its
    deltas) but two outputs; the rows line the outputs up across notebooks by
    position, numbered from 1 as people count them.
    """
    if not any(cell is not None and isinstance(cell.get("parts"), list) for cell in cells):
        return []
    columns = [parts_of(cell) for cell in cells]
    rows = []
    for position in range(max(len(c) for c in columns)):
        parts = [c[position] if position < len(c) else None for c in columns]
        keys = [_part_key(p) for p in parts]
        rows.append(
            Row(
                label=f"{value['name']}[{position + 1}]",
                name=value["name"],
                origin=value["origin"],
                key=None,
                direction=None,
                differs=None in keys or len(set(keys)) > 1,
                cells=parts,
                parents=cells,
                part=position,
            )
        )
    return rows


def rows_of(response: dict, names: Iterable[str] | None = None, parts: bool = False) -> list[Row]:
    """Flatten ``values`` into rows, mapping items as ``name.key`` rows.

    ``names`` restricts (and orders) the values shown; unknown names are skipped.
    With ``parts``, a value whose cell had several outputs is followed by one
    row per output (see :func:`_part_rows`).
    """
    paths = notebook_paths(response)
    values = response["values"]
    if names is not None:
        wanted = list(names)
        values = [v for n in wanted for v in values if v["name"] == n]
    rows: list[Row] = []
    for value in values:
        cells = [value["cells"].get(p) for p in paths]
        if value["kind"] == "mapping":
            keys: list[str] = []
            for cell in cells:
                for key in (cell or {}).get("items", {}):
                    if key not in keys:
                        keys.append(key)
            for key in keys:
                items = [
                    (c.get("items") or {}).get(key) if c and c["kind"] == "mapping" else None
                    for c in cells
                ]
                present = [i["value"] for i in items if i is not None]
                differs = len(present) != len(items) or any(
                    not _same(present[0], v) for v in present[1:]
                )
                rows.append(
                    Row(
                        label=f"{value['name']}.{key}",
                        name=value["name"],
                        origin=value["origin"],
                        key=key,
                        direction=direction_of(value, key),
                        differs=differs,
                        cells=items,
                        parents=cells,
                    )
                )
        else:
            rows.append(
                Row(
                    label=value["name"],
                    name=value["name"],
                    origin=value["origin"],
                    key=None,
                    direction=value.get("direction"),
                    differs=value.get("differs", True),
                    cells=cells,
                    parents=cells,
                )
            )
        if parts:
            rows.extend(_part_rows(value, cells))
    _mark_scrap_twins(rows)
    return rows


def _mark_scrap_twins(rows: list[Row]) -> None:
    """Suffix ``(scrap)`` where a tag and a scrap share a label, so rows stay apart."""
    tags = {r.label for r in rows if r.origin == "tag"}
    for row in rows:
        if row.origin == "scrap" and row.label in tags:
            row.label = f"{row.label} (scrap)"


def direction_of(value: dict, key: str | None = None) -> str | None:
    """The direction the core gave a value row, or one key of its mapping.

    The answer carries it (overrides applied): on the row, and on every item
    of a mapping (``name.key`` can be overridden apart from ``name``).
    """
    if key is None:
        return value.get("direction")
    for cell in value["cells"].values():
        item = (cell.get("items") or {}).get(key) if cell else None
        if isinstance(item, dict) and "direction" in item:
            return item["direction"]
    return None


def _same(a: Any, b: Any) -> bool:
    na, nb = as_number(a), as_number(b)
    if na is not None and nb is not None:
        return na == nb or (math.isnan(na) and math.isnan(nb))
    return a == b


# --------------------------------------------------------------------------
# Plain-text formatting of one cell (table, markdown, csv)
# --------------------------------------------------------------------------


def format_number(value: Any) -> str:
    """A number as people read it: 6 significant digits, ints and bools as is."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return f"{value:.6g}"
    return str(value)


def equals_base(cell: dict | None, base: dict | None) -> bool:
    """Whether a cell (or mapping item) holds its baseline's very value.

    Then it has no delta to show, even where arithmetic has none to give:
    ``inf - inf`` is NaN, yet two equal infinite losses are simply equal (and
    NaN equals NaN, as in the comparison's ``differs``).
    """
    if cell is None or base is None:
        return False
    value, base_value = as_number(cell.get("value")), as_number(base.get("value"))
    if value is None or base_value is None:
        return False
    return value == base_value or (math.isnan(value) and math.isnan(base_value))


def format_delta(cell: dict, base: dict | None = None) -> str:
    """``+0.0123 (+4.1%)`` for a cell with a nonzero delta, else ``""``.

    ``base`` (the baseline's cell or item) lets a value equal to it show
    nothing, infinities included (their arithmetic delta is NaN).
    """
    delta = as_number(cell.get("delta"))
    if delta is None or delta == 0 or equals_base(cell, base):
        return ""
    text = f"{delta:+.4g}" if not math.isnan(delta) else "NaN"
    rel = as_number(cell.get("rel_delta"))
    if rel is not None and not math.isnan(rel) and not math.isinf(rel):
        text += f" ({rel:+.1%})"
    return text


def _clip(text: str, width: int = _CELL_TEXT_WIDTH) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _label(label: Any) -> str:
    return " / ".join(label) if isinstance(label, list) else str(label)


def summarize(cell: dict | None, base: dict | None = None, is_base: bool = False) -> str:
    """One line describing a cell (or a mapping item), without its delta."""
    if cell is None:
        return _MISSING
    kind = cell.get("kind")
    if kind is None or kind == "scalar":  # a mapping item has no kind
        value = cell.get("value")
        text = (
            format_number(value)
            if as_number(value) is not None or isinstance(value, bool)
            else _clip(
                json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
            )
        )
    elif kind == "mapping":
        text = f"{len(cell.get('items', {}))} items"
    elif kind == "sequence":
        text = _clip("[" + ", ".join(str(i) for i in cell.get("items", [])) + "]")
        added, removed = cell.get("added") or [], cell.get("removed") or []
        if added or removed:
            text += f" +{len(added)}/-{len(removed)}"
    elif kind == "table":
        text = f"table {len(cell.get('index', []))}x{len(cell.get('columns', []))}"
        changes = [
            f"{len(cell[k])} {word}"
            for k, word in (
                ("changed", "changed"),
                ("added_rows", "rows added"),
                ("removed_rows", "rows removed"),
                ("added_columns", "cols added"),
                ("removed_columns", "cols removed"),
            )
            if cell.get(k)
        ]
        if changes:
            text += " (" + ", ".join(changes) + ")"
    elif kind == "image":
        size = (
            f" {cell['width']}x{cell['height']}"
            if cell.get("width") is not None and cell.get("height") is not None
            else ""
        )
        text = f"image{size}"
        if base is not None and not is_base and base.get("kind") == "image":
            text += " same" if base.get("sha256") == cell.get("sha256") else " differs"
    elif kind == "text":
        text = _clip(cell.get("text", ""))
    elif kind == "html":
        text = f"html ({len(cell.get('html', ''))} chars)"
    elif kind == "error":
        text = _clip(f"{cell.get('ename', '')}: {cell.get('evalue', '')}")
    elif kind == "unsupported":
        text = _clip(f"unsupported: {cell.get('message', '')}")
    else:
        text = str(kind)
    if isinstance(cell.get("parts"), list):
        text += f" ({len(cell['parts'])} outputs)"
    if cell.get("duplicate"):
        text += " (dup)"
    return text


def failure_text(nb: dict) -> str | None:
    """``ename: evalue`` of a failed run's first error, when the answer carries one."""
    failure = nb.get("failure")
    if not isinstance(failure, dict):
        return None
    return f"{failure.get('ename', '')}: {failure.get('evalue', '')}"


def _status_text(nb: dict) -> str:
    if nb["status"] == "unreadable" and nb.get("error"):
        return f"unreadable ({nb['error'].get('code')})"
    return nb["status"]


def flat_parameters(nb: dict) -> dict[str, dict]:
    """A notebook's parameters with dict values as their leaves (``model_params.C``).

    The answer's ``parameters_flat`` when it has one (api.md), else the same
    rule applied here: every dict-valued parameter is replaced by its leaves,
    named ``name.key`` (nested: ``name.a.b``), each with the parameter's
    ``injected``; an empty dict stays as it is. A sweep over ``model_params``
    then shows which leaf changed instead of a dict cut short.
    """
    flat = nb.get("parameters_flat")
    if isinstance(flat, dict):
        return flat
    out: dict[str, dict] = {}
    for name, param in (nb.get("parameters") or {}).items():
        value = param.get("value") if isinstance(param, dict) else None
        if not (isinstance(value, dict) and value):
            out[name] = param
            continue
        # Depth first, in key order, without recursion (metadata can nest deep).
        stack = [(name, iter(value.items()))]
        while stack:
            prefix, items = stack[-1]
            for key, item in items:
                if isinstance(item, dict) and item:
                    stack.append((f"{prefix}.{key}", iter(item.items())))
                    break
                out[f"{prefix}.{key}"] = {"value": item, "injected": param.get("injected")}
            else:
                stack.pop()
    return out


def parameter_text(param: dict | None) -> str | None:
    """A parameter as written (``None`` when the notebook lacks it)."""
    if param is None:
        return None
    if param.get("value") is None and param.get("source"):
        return str(param["source"])
    return json.dumps(param.get("value"), ensure_ascii=False)


def _parameter_rows(response: dict, clip: bool = True) -> list[tuple[str, list[str]]]:
    """Parameters whose values differ between notebooks: what tells runs apart.

    Flattened (see :func:`flat_parameters`); ``clip`` shortens long values for
    the terminal, never for HTML, where a parameter is shown whole.
    """
    flats = [flat_parameters(nb) for nb in response["notebooks"]]
    names: list[str] = []
    for flat in flats:
        for name in flat:
            if name not in names:
                names.append(name)
    rows = []
    for name in names:
        shown = []
        for flat in flats:
            text = parameter_text(flat.get(name))
            shown.append(_MISSING if text is None else _clip(text) if clip else text)
        if len(set(shown)) > 1:
            rows.append((f"param {name}", shown))
    return rows


# --------------------------------------------------------------------------
# table / markdown / csv / json
# --------------------------------------------------------------------------

_GREEN, _RED, _DIM, _BOLD, _RESET = "\x1b[32m", "\x1b[31m", "\x1b[2m", "\x1b[1m", "\x1b[0m"


def _grid(response: dict, names: Iterable[str] | None, mark: Callable[[bool | None], str]):
    """Header and body of the table/markdown grid; ``mark(better)`` marks deltas."""
    paths = notebook_paths(response)
    labels = short_labels(paths)
    baseline = response["baseline"]
    header = ["name"] + [labels[p] + (" (baseline)" if p == baseline else "") for p in paths]
    body: list[tuple[list[str], list[bool | None]]] = []
    body.append((["status"] + [_status_text(nb) for nb in response["notebooks"]], []))
    durations = [nb.get("duration") for nb in response["notebooks"]]
    if any(d is not None for d in durations):
        body.append(
            (
                ["duration (s)"]
                + [_MISSING if d is None else f"{as_number(d) or 0:.1f}" for d in durations],
                [],
            )
        )
    failures = [failure_text(nb) for nb in response["notebooks"]]
    if any(failures):
        body.append((["failure"] + [_clip(f) if f else "" for f in failures], []))
    for label, shown in _parameter_rows(response):
        body.append(([label, *shown], []))
    base_index = paths.index(baseline) if baseline in paths else 0
    for row in rows_of(response, names, parts=True):
        texts, betters = [row.label], []
        base = row.cells[base_index]
        for i, cell in enumerate(row.cells):
            text = summarize(cell, base, i == base_index)
            better = None
            if cell is not None and i != base_index and row.part is None:
                delta = format_delta(cell, base)
                better = cell.get("better")
                if delta:
                    text += f" {delta}{mark(better)}"
            texts.append(text)
            betters.append(better)
        body.append((texts, betters))
    return header, body


#: C0/C1 controls (ESC starts terminal escape sequences) and the bidirectional
#: overrides/isolates that can make a terminal show text in another order.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape_control(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_safe(text: str) -> str:
    """Text from a notebook made inert for a terminal: controls shown as ``\\xNN``.

    A printed value can hold ``ESC`` sequences that recolour, retitle, hide
    lines or (OSC 52) write the clipboard of whoever runs the command; written
    out visibly, they can neither act nor go unnoticed.
    """
    return _UNPRINTABLE.sub(_escape_control, text)


def _column_blocks(widths: list[int], width: int | None) -> list[list[int]]:
    """Notebook columns cut into blocks that each fit ``width`` beside the name column.

    Eleven runs side by side run past any terminal; like pandas printing a
    wide frame, the table then continues below, the name column repeated.
    A block always holds at least one notebook.
    """
    columns = list(range(1, len(widths)))
    if width is None or sum(widths) + 2 * (len(widths) - 1) <= width:
        return [columns]
    blocks: list[list[int]] = [[]]
    used = widths[0]
    for i in columns:
        if blocks[-1] and used + 2 + widths[i] > width:
            blocks.append([])
            used = widths[0]
        blocks[-1].append(i)
        used += 2 + widths[i]
    return blocks


def to_table(
    response: dict,
    names: Iterable[str] | None = None,
    color: bool = False,
    width: int | None = None,
) -> str:
    """A terminal table: names as rows, notebooks as columns, deltas vs the baseline.

    ``color`` (the CLI passes "stdout is a TTY") paints better deltas green and
    worse ones red; without colour a ``✓``/``✗`` mark says the same. ``width``
    (the terminal's) wraps the notebook columns into blocks that fit it.
    """
    header, body = _grid(
        response, names, lambda b: " ✓" if b is True else " ✗" if b is False else ""
    )
    header = [terminal_safe(text) for text in header]
    body = [([terminal_safe(text) for text in cells], betters) for cells, betters in body]
    widths = [max(len(r[0][i]) for r in [(header, []), *body]) for i in range(len(header))]

    def line(
        cells: list[str], betters: list[bool | None], widths: list[int], bold: bool = False
    ) -> str:
        out = []
        for i, text in enumerate(cells):
            padded = text.ljust(widths[i])
            if color:
                better = betters[i - 1] if 0 < i <= len(betters) else None
                if bold:
                    padded = f"{_BOLD}{padded}{_RESET}"
                elif better is True:
                    padded = f"{_GREEN}{padded}{_RESET}"
                elif better is False:
                    padded = f"{_RED}{padded}{_RESET}"
                elif text == _MISSING:
                    padded = f"{_DIM}{padded}{_RESET}"
            out.append(padded)
        return "  ".join(out).rstrip()

    blocks = []
    for columns in _column_blocks(widths, width):
        keep = [0, *columns]

        def pick(cells: list[str], keep=keep) -> list[str]:
            return [cells[i] for i in keep]

        def pick_betters(betters: list[bool | None], columns=columns) -> list[bool | None]:
            return [betters[i - 1] if i - 1 < len(betters) else None for i in columns]

        shown_widths = [widths[i] for i in keep]
        rule = "  ".join("-" * w for w in shown_widths)
        lines = [line(pick(header), [], shown_widths, bold=True), rule]
        lines += [line(pick(cells), pick_betters(betters), shown_widths) for cells, betters in body]
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


def _md_escape(text: str) -> str:
    """Notebook text as the content of one Markdown table cell, never as markup.

    Pipes and newlines would break the table; ``<``, ``>`` and ``&`` become
    entities so an output such as ``<img src=x onerror=...>`` is shown, not
    rendered, wherever the Markdown lands (a PR comment, a CI summary), and
    escaped brackets and backticks keep ``![](https://tracker)`` or a link
    from becoming one. Control characters are shown as ``\\xNN``, as in the
    terminal table: Markdown is often printed before it is published.
    """
    text = html.escape(text.replace("\\", "\\\\"), quote=False)
    for char in "|[]`":
        text = text.replace(char, "\\" + char)
    return terminal_safe(text.replace("\n", " "))


def to_markdown(response: dict, names: Iterable[str] | None = None) -> str:
    """A GitHub-flavoured Markdown table (for a pull-request or CI summary)."""
    header, body = _grid(
        response, names, lambda b: " ✅" if b is True else " ❌" if b is False else ""
    )
    lines = [
        "| " + " | ".join(_md_escape(h) for h in header) + " |",
        "|" + "|".join(["---"] + [":--" for _ in header[1:]]) + "|",
    ]
    lines += ["| " + " | ".join(_md_escape(c) for c in cells) + " |" for cells, _ in body]
    return "\n".join(lines) + "\n"


CSV_COLUMNS = (
    "notebook",
    "baseline",
    "status",
    "failure",
    "name",
    "key",
    "part",
    "origin",
    "kind",
    "direction",
    "value",
    "delta",
    "rel_delta",
    "better",
)
#: Prefix of the parameter columns of the long CSV (``param.model_params.C``).
CSV_PARAMETER_PREFIX = "param."


#: First characters that make a spreadsheet read a field as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


#: Characters a CSV field shows as ``\\xNN``: all of terminal_safe's but tab and
#: newline, which are text that CSV quoting carries.
_CSV_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def csv_text(text: str) -> str:
    """A text field a spreadsheet shows as text: formula starts get a leading ``'``.

    Notebook text is untrusted, and ``=HYPERLINK(...)`` or ``=cmd|...`` in a
    cell runs when the CSV is opened in Excel or LibreOffice (CSV injection).
    Numbers never pass through here, so ``-0.5`` stays a number. Control
    characters (``ESC`` sequences, bidirectional overrides) are shown as
    ``\\xNN``, as in the terminal table, since CSV is often printed too.
    """
    text = _CSV_UNPRINTABLE.sub(_escape_control, text)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def _csv_number(value: Any) -> str:
    number = as_number(value)
    if number is None:
        return ""
    return repr(number) if isinstance(number, float) else str(number)


def _csv_cell(cell: dict, kind: str, base: dict | None, is_base: bool) -> tuple[str, Any]:
    """``(kind, value)`` of one cell or mapping item as the long CSV writes them."""
    value: Any = cell.get("value")
    if kind == "scalar":
        if isinstance(value, bool):
            return kind, "true" if value else "false"
        if as_number(value) is not None:
            return kind, _csv_number(value)
        # a mapping item that is not a number
        if isinstance(value, str):
            return "text", csv_text(value)
        return "json", csv_text(json.dumps(value, ensure_ascii=False))
    if kind == "text":
        return kind, csv_text(cell.get("text", ""))
    if kind == "sequence":
        return kind, csv_text(json.dumps(cell.get("items", []), ensure_ascii=False))
    if kind == "error":
        return kind, csv_text(f"{cell.get('ename', '')}: {cell.get('evalue', '')}")
    plain = {k: v for k, v in cell.items() if k != "parts"}  # no "(2 outputs)": part rows say it
    return kind, csv_text(summarize(plain, base, is_base))


def _csv_parameter(param: dict | None) -> str:
    """A parameter for the CSV: numbers at full precision, text defused, else JSON."""
    if param is None:
        return ""
    value = param.get("value")
    if value is None and param.get("source"):
        return csv_text(str(param["source"]))
    if isinstance(value, bool):
        return "true" if value else "false"
    if as_number(value) is not None:
        return _csv_number(value)
    if isinstance(value, str):
        return csv_text(value)
    return csv_text(json.dumps(value, ensure_ascii=False))


def to_csv(response: dict, names: Iterable[str] | None = None) -> str:
    """Long CSV: one line per notebook and row of the table, for pandas or a spreadsheet.

    Every notebook has a line for every row, so no run is dropped: where it
    lacks the value, ``kind`` is ``missing`` and ``value`` is empty (a run with
    no row at all still gets one line, its ``name`` empty). Columns:
    :data:`CSV_COLUMNS`, then ``param.NAME`` per parameter, flattened
    (``param.model_params.C``). ``status`` is ``ok``, ``failed`` or
    ``unreadable``; ``failure`` is ``ename: evalue`` of a failed run's first
    error when the answer has it. A mapping item is its own line (``key``);
    each output of a multi-output cell is a line with its ``part`` (1, 2...,
    no deltas) after the value's own line (``part`` empty). Numbers stay numbers at full
    precision; text keeps its full text, a sequence its JSON list, other kinds
    the one-line summary of the table. ``pandas.read_csv(...).pivot(...)``
    gives any wide layout back.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    notebooks = response["notebooks"]
    flats = [flat_parameters(nb) for nb in notebooks]
    parameters = list(dict.fromkeys(name for flat in flats for name in flat))
    writer.writerow([*CSV_COLUMNS, *(csv_text(CSV_PARAMETER_PREFIX + p) for p in parameters)])
    paths = notebook_paths(response)
    baseline = response["baseline"]
    base_index = paths.index(baseline) if baseline in paths else 0
    about = [
        [
            csv_text(nb["path"]),
            "true" if nb["path"] == baseline else "false",
            nb["status"],
            csv_text(failure_text(nb) or ""),
        ]
        for nb in notebooks
    ]
    settings = [[_csv_parameter(flat.get(p)) for p in parameters] for flat in flats]
    rows = rows_of(response, names, parts=True)
    if not rows:
        for i in range(len(notebooks)):
            writer.writerow([*about[i], *[""] * (len(CSV_COLUMNS) - 4), *settings[i]])
    for row in rows:
        base = row.cells[base_index]
        for i, cell in enumerate(row.cells):
            if cell is None:
                kind, value, delta, rel_delta, better = "missing", "", "", "", ""
            else:
                kind = "scalar" if row.key is not None else cell.get("kind", "scalar")
                kind, value = _csv_cell(cell, kind, base, i == base_index)
                # Equal infinities: inf - inf is NaN, yet nothing changed.
                undefined = as_number(cell.get("delta"))
                quiet = row.part is not None or (
                    undefined is not None and math.isnan(undefined) and equals_base(cell, base)
                )
                delta = "" if quiet else _csv_number(cell.get("delta"))
                rel_delta = "" if quiet else _csv_number(cell.get("rel_delta"))
                flag = None if row.part is not None else cell.get("better")
                better = "" if flag is None else "true" if flag else "false"
            writer.writerow(
                [
                    *about[i],
                    csv_text(row.name),
                    csv_text(row.key or ""),
                    "" if row.part is None else row.part + 1,
                    row.origin,
                    kind,
                    row.direction or "",
                    value,
                    delta,
                    rel_delta,
                    better,
                    *settings[i],
                ]
            )
    return out.getvalue()


def _wide_field(value: Any) -> str:
    """One field of the panel's CSV (``csvField`` in ``src/export.ts``), made here."""
    if value is None:
        text = ""
    else:
        number = as_number(value)
        if number is not None:
            text = js_number(number)
        else:
            if isinstance(value, bool):
                text = "True" if value else "False"
            elif isinstance(value, str):
                text = value
            else:
                text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
            text = csv_text(text)
    if any(ch in text for ch in '",\n\r'):
        text = '"' + text.replace('"', '""') + '"'
    return text


def to_csv_wide(response: dict, names: Iterable[str] | None = None) -> str:
    """Wide CSV, the panel's "Export CSV": one line per metric, one column per notebook.

    Columns ``metric``, ``direction``, then each notebook's path; a line per
    scalar value and per item of a mapping value (``name.key``), holding the
    values only (no deltas); other kinds are left out, as in the panel's
    metrics table. Lines end in CRLF, as the panel writes them.
    """
    paths = notebook_paths(response)
    lines = [",".join(_wide_field(x) for x in ["metric", "direction", *paths])]
    kinds = {(v["origin"], v["name"]): v["kind"] for v in response["values"]}
    for row in rows_of(response, names):
        if row.key is None and kinds.get((row.origin, row.name)) != "scalar":
            continue  # mapping rows are items of a mapping value already
        label = row.name if row.key is None else f"{row.name}.{row.key}"
        fields = [label, row.direction or ""]
        for cell in row.cells:
            ok = cell is not None and (row.key is not None or cell.get("kind") == "scalar")
            fields.append(cell.get("value") if ok else None)
        lines.append(",".join(_wide_field(x) for x in fields))
    return "\r\n".join(lines) + "\r\n"


def to_json(response: dict) -> str:
    """The response itself: exactly the REST ``compare`` shape, as valid JSON."""
    return json.dumps(response, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


# --------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------

# The HTML also lands in notebooks (``_repr_html_``), where JupyterLab's dark
# theme keeps its light text: backgrounds are translucent so text stays
# readable on either theme, and better/worse are blue/orange (told apart with
# colour blindness, as in the panel) next to the words "better"/"worse".
_BETTER_STYLE = "color:#1f6feb"
_WORSE_STYLE = "color:#d4690b"
_MUTED_STYLE = "color:#7d8590"
_TD_STYLE = (
    "border:1px solid rgba(127,127,127,0.4);padding:4px 8px;vertical-align:top;text-align:left"
)
_HEAD_BACKGROUND = "background:rgba(127,127,127,0.12)"
_CHANGED_BACKGROUND = "background:rgba(255,191,0,0.3)"


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


_DATA_IMAGE_PREFIXES = ("data:image/png;", "data:image/jpeg;", "data:image/gif;")


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    """Keep the report self-contained: an ``<img>`` may only show inline raster
    data, and no link may lead to a ``data:`` document."""
    lowered = value.strip().lower()
    if tag == "img" and attribute == "src":
        return value if lowered.startswith(_DATA_IMAGE_PREFIXES) else None
    if lowered.startswith("data:"):
        return None
    return value


def sanitize_html(fragment: str) -> str:
    """Notebook HTML without scripts, handlers, iframes, styles or remote images.

    ``nh3`` (ammonia) keeps a safe allow-list of tags and attributes; on top of
    it, images must be inline ``data:`` rasters, so the report loads nothing.
    """
    import nh3

    return nh3.clean(
        fragment,
        attribute_filter=_attribute_filter,
        url_schemes=nh3.ALLOWED_URL_SCHEMES | {"data"},
    )


def _html_delta(cell: dict, base: dict | None = None) -> str:
    text = format_delta(cell, base)
    if not text:
        return ""
    better = cell.get("better")
    style = _BETTER_STYLE if better is True else _WORSE_STYLE if better is False else _MUTED_STYLE
    word = " better" if better is True else " worse" if better is False else ""
    return f' <span style="{style}">{_e(text)}{word}</span>'


def _html_table(cell: dict) -> str:
    """A table value, its changed and added cells marked against the baseline's table.

    The core says where each cell stands (``changed_at``, ``row_pairs``,
    ``column_pairs``), so a repeated label's occurrences are told apart here
    without pairing labels again.
    """
    columns, index, rows = cell.get("columns", []), cell.get("index", []), cell.get("rows", [])
    changed = {tuple(at) for at in (cell.get("changed_at") or [])}
    row_pairs, column_pairs = cell.get("row_pairs"), cell.get("column_pairs")

    def marked(i: int, j: int) -> bool:
        if row_pairs is None or column_pairs is None:
            return False  # no baseline table: nothing to mark against
        added = (i < len(row_pairs) and row_pairs[i] is None) or (
            j < len(column_pairs) and column_pairs[j] is None
        )
        return added or (i, j) in changed

    head = "".join(f'<th style="{_TD_STYLE}">{_e(_label(c))}</th>' for c in columns)
    body = []
    for i, (label, values) in enumerate(zip(index, rows)):
        tds = []
        for j, value in enumerate(values[: len(columns)]):
            style = _TD_STYLE + (";" + _CHANGED_BACKGROUND if marked(i, j) else "")
            tds.append(f'<td style="{style}">{_e(format_number(value))}</td>')
        body.append(f'<tr><th style="{_TD_STYLE}">{_e(_label(label))}</th>{"".join(tds)}</tr>')
    notes = []
    for key, word in (
        ("removed_rows", "removed rows"),
        ("removed_columns", "removed columns"),
    ):
        if cell.get(key):
            notes.append(f"{word}: " + ", ".join(_label(x) for x in cell[key]))
    note = f'<div style="{_MUTED_STYLE}">{_e("; ".join(notes))}</div>' if notes else ""
    return (
        '<table style="border-collapse:collapse;font-size:90%">'
        f'<thead><tr><th style="{_TD_STYLE}"></th>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>{note}"
    )


def _html_image(
    cell: dict,
    path: str,
    row: Row,
    image_source: ImageSource | None,
    base: dict | None,
    part: int | None = None,
) -> str:
    size = ""
    if cell.get("width") and cell.get("height"):
        size = f' width="{int(cell["width"])}" height="{int(cell["height"])}"'
    found = image_source(path, row.name, row.origin, part) if image_source else None
    same = ""
    if base is not None and base is not cell and base.get("kind") == "image":
        same = "same as baseline" if base.get("sha256") == cell.get("sha256") else "differs"
        same = f'<div style="{_MUTED_STYLE}">{same}</div>'
    if not found:
        return f'<span style="{_MUTED_STYLE}">image not embedded</span>{same}'
    mime, data = found
    if mime not in _IMAGE_MIMES:
        return f'<span style="{_MUTED_STYLE}">image of type {_e(mime)} not embedded</span>'
    uri = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
    return f'<img src="{uri}"{size} alt="{_e(row.name)}" style="max-width:100%;height:auto">{same}'


def cell_html(
    cell: dict | None,
    *,
    path: str,
    row: Row,
    base: dict | None,
    is_base: bool,
    image_source: ImageSource | None = None,
    failed: bool = False,
) -> str:
    """One cell of the comparison as safe HTML (no script, no event handler).

    For a part row (``row.part`` set), ``cell`` is one output: shown without
    deltas, an image fetched as that part. ``failed`` says the notebook's run
    failed, so a missing value does not pass for a missing tag.
    """
    if cell is None:
        why = " (run failed)" if failed else ""
        return f'<span style="{_MUTED_STYLE}">{_MISSING}{why}</span>'
    kind = cell.get("kind")
    if row.part is None and kind == "image" and isinstance(cell.get("parts"), list):
        # Its outputs each have a row below; the image is not embedded twice.
        count = len(cell["parts"])
        return (
            f'<span style="{_MUTED_STYLE}">image, the last of {count} outputs: '
            f"see {_e(row.label)}[1] to {_e(row.label)}[{count}] below</span>"
        )
    if kind is None or kind == "scalar":
        value = cell.get("value")
        shown = (
            format_number(value)
            if as_number(value) is not None or isinstance(value, bool)
            else value
            if isinstance(value, str)
            else json.dumps(value, ensure_ascii=False)
        )
        no_delta = is_base or row.part is not None
        out = f"<code>{_e(shown)}</code>" + ("" if no_delta else _html_delta(cell, base))
    elif kind == "sequence":
        added = {json.dumps(x) for x in cell.get("added") or []}
        items = []
        for item in cell.get("items", []):
            style = (
                f' style="{_BETTER_STYLE};font-weight:bold"' if json.dumps(item) in added else ""
            )
            items.append(f"<code{style}>{_e(item)}</code>")
        out = "[" + ", ".join(items) + "]"
        if cell.get("removed"):
            out += (
                f' <span style="{_WORSE_STYLE}">removed: '
                + ", ".join(f"<s>{_e(x)}</s>" for x in cell["removed"])
                + "</span>"
            )
    elif kind == "mapping":
        out = "<br>".join(
            f"<code>{_e(k)}</code>: <code>{_e(format_number(v.get('value')))}</code>"
            for k, v in cell.get("items", {}).items()
        )
    elif kind == "table":
        out = _html_table(cell)
    elif kind == "image":
        part = cell.get("part") if row.part is not None else None
        out = _html_image(cell, path, row, image_source, None if is_base else base, part)
    elif kind == "text":
        out = f'<pre style="margin:0;white-space:pre-wrap">{_e(cell.get("text", ""))}</pre>'
    elif kind == "html":
        out = f"<div>{sanitize_html(cell.get('html', ''))}</div>"
    elif kind == "error":
        out = (
            f'<span style="{_WORSE_STYLE}"><b>{_e(cell.get("ename", ""))}</b>: '
            f"{_e(cell.get('evalue', ''))}</span>"
        )
    else:
        out = f'<span style="{_MUTED_STYLE}">{_e(kind)}: {_e(cell.get("message", ""))}</span>'
    if row.part is None and isinstance(cell.get("parts"), list) and kind != "image":
        out += f'<div style="{_MUTED_STYLE}">{len(cell["parts"])} outputs, each below</div>'
    if cell.get("duplicate"):
        out += f'<div style="{_MUTED_STYLE}">several cells carry this name; the last wins</div>'
    return out


def comparison_table_html(
    response: dict,
    *,
    names: Iterable[str] | None = None,
    labels: dict[str, str] | None = None,
    image_source: ImageSource | None = None,
    header_rows: bool = True,
) -> str:
    """The side-by-side grid as one HTML ``<table>``, no JavaScript and no tabs.

    Used by the standalone report and by ``NotebookCollection[name]`` so a
    comparison looks the same in a report, an untrusted notebook and nbconvert.
    ``labels`` maps each path to its column title (the collection's ids).
    """
    paths = notebook_paths(response)
    labels = labels or short_labels(paths)
    baseline = response["baseline"]
    base_index = paths.index(baseline) if baseline in paths else 0
    th = f'<th style="{_TD_STYLE};{_HEAD_BACKGROUND}">'
    head = th + "</th>"
    for path in paths:
        tag = " <small>(baseline)</small>" if path == baseline else ""
        head += f'{th}<span title="{_e(path)}">{_e(labels.get(path, path))}</span>{tag}</th>'
    body = []
    if header_rows:
        statuses = "".join(
            f'<td style="{_TD_STYLE}">'
            + (
                f'<span style="{_WORSE_STYLE}">{_e(_status_text(nb))}</span>'
                if nb["status"] != "ok"
                else _e(nb["status"])
            )
            + (
                f'<div style="{_MUTED_STYLE}">{_e(nb["error"].get("message", ""))}</div>'
                if nb.get("error")
                else ""
            )
            + (
                f'<div style="{_WORSE_STYLE}">{_e(failure_text(nb))}</div>'
                if failure_text(nb)
                else ""
            )
            + "</td>"
            for nb in response["notebooks"]
        )
        body.append(f"<tr>{th}status</th>{statuses}</tr>")
        durations = [as_number(nb.get("duration")) for nb in response["notebooks"]]
        if any(d is not None for d in durations):
            tds = "".join(
                f'<td style="{_TD_STYLE}">{_MISSING if d is None else f"{d:.1f}"}</td>'
                for d in durations
            )
            body.append(f"<tr>{th}duration (s)</th>{tds}</tr>")
        for label, shown in _parameter_rows(response, clip=False):
            tds = "".join(f'<td style="{_TD_STYLE}"><code>{_e(s)}</code></td>' for s in shown)
            body.append(f"<tr>{th}{_e(label)}</th>{tds}</tr>")
    failed = [nb["status"] == "failed" for nb in response["notebooks"]]
    for row in rows_of(response, names, parts=True):
        base = row.cells[base_index]
        tds = "".join(
            f'<td style="{_TD_STYLE}">'
            + cell_html(
                cell,
                path=path,
                row=row,
                base=base,
                is_base=i == base_index,
                image_source=image_source,
                failed=failed[i],
            )
            + "</td>"
            for i, (path, cell) in enumerate(zip(paths, row.cells))
        )
        direction = (
            f'<div style="{_MUTED_STYLE};font-weight:normal">{_e(row.direction)} is better</div>'
            if row.direction
            else ""
        )
        body.append(f"<tr>{th}{_e(row.label)}{direction}</th>{tds}</tr>")
    return (
        '<table class="nbcompare" style="border-collapse:collapse">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


#: ``base-uri`` and ``form-action`` do not fall back to ``default-src``.
_CSP = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
    "base-uri 'none'; form-action 'none'"
)


def to_html(
    response: dict,
    names: Iterable[str] | None = None,
    image_source: ImageSource | None = None,
    title: str | None = None,
) -> str:
    """A self-contained HTML report: one file to attach to a CI run or mail.

    Images are ``data:`` URIs (``image_source`` provides the bytes), notebook
    HTML is sanitized, and a Content-Security-Policy blocks every script and
    every external load, so opening a report of untrusted runs is harmless.
    """
    paths = notebook_paths(response)
    title = title or f"Comparison of {len(paths)} notebook{'s' if len(paths) != 1 else ''}"
    listing = "".join(
        f"<li><code>{_e(p)}</code>{' (baseline)' if p == response['baseline'] else ''}</li>"
        for p in paths
    )
    grid = comparison_table_html(response, names=names, image_source=image_source)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="generator" content="jupyterlab-nbcompare">'
        f"<title>{_e(title)}</title></head>"
        '<body style="font-family:system-ui,sans-serif;margin:1.5em">'
        f"<h1>{_e(title)}</h1><ul>{listing}</ul>{grid}</body></html>\n"
    )


def render(
    response: dict,
    fmt: str = "table",
    *,
    names: Iterable[str] | None = None,
    color: bool = False,
    image_source: ImageSource | None = None,
    width: int | None = None,
) -> str:
    """Render ``response`` in one of :data:`FORMATS` (``width`` wraps the table)."""
    if fmt == "json":
        return to_json(response)
    if fmt == "table":
        return to_table(response, names, color=color, width=width)
    if fmt == "markdown":
        return to_markdown(response, names)
    if fmt == "csv":
        return to_csv(response, names)
    if fmt == "csv-wide":
        return to_csv_wide(response, names)
    if fmt == "html":
        return to_html(response, names, image_source=image_source)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
