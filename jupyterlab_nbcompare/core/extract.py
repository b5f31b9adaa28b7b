"""Notebook dict -> record: named values, papermill parameters, status, duration.

A *record* is what the comparison needs from one notebook, and nothing more: a
plain JSON-serialisable dict, so that a cache can measure it and keep hundreds
without keeping the notebooks (images are reduced to their hash and size; the
bytes are fetched again from the notebook by :func:`image_of` when shown)::

    {
      "status": "ok" | "failed",
      "failure": {"ename", "evalue", "cell_index"} | None,  # the first error of the run
      "duration": 12.3 | None,
      "parameters": {"alpha": {"value": 0.5, "injected": True}, ...},
      "generated": False,  # metadata.nbcompare.generated: an export of this extension
      "values": [
        {"name": "mse", "origin": "tag", "cell": {...} | None, "cell_index": 5,
         "output_index": None, "duplicate": False, "plain": True},
        {"name": "late", "origin": "tag", "cell": None, ..., "not_run": True},
        ...
      ],
    }

``cell`` is a cell dict of the REST contract *without* deltas (see
``classify``), possibly with ``parts`` and ``duplicate``; ``cell_index`` is the
position of the code cell in ``nb["cells"]``; ``output_index`` is the position of
a scrap's output in that cell; ``plain`` says whether strict JSON carries the
cell as it is (no non-finite number). The rules are those of ``shared/api.md`` ("Named
values"). Nothing in a notebook is ever executed: parameter cells are parsed
with :mod:`ast`, outputs are read as stored.

Speed matters (hundreds of notebooks per request): only outputs of tagged cells
and scrap outputs are classified, and nothing is deep-copied.
"""

from __future__ import annotations

import ast
import base64
import io
import json
import re
from typing import Any

from .classify import (
    IMAGE_MIMES,
    MAX_TABLE_CELLS,
    classify_bundle,
    classify_output,
    classify_text,
    classify_value,
    image_bytes,
    is_plain_json,
)
from .reader import NotebookReadError, parse_notebook, valid_json, valid_text

__all__ = [
    "PAPERMILL_TAGS",
    "RECORD_VERSION",
    "extract",
    "find_output",
    "image_of",
    "is_generated_metadata",
    "load_record",
    "load_sized_record",
    "locate",
    "parse_parameters",
]

#: The version of what :func:`load_record` makes of a notebook (and of its
#: per-notebook errors). Records outlive the process that made them (the
#: server's persistent record store): bump this whenever a change of the core
#: would make a different record, or a different error, from the same bytes,
#: and every record stored by an older version is then ignored.
RECORD_VERSION = 2  # 2: records say whether the notebook is ``generated``

#: Tags papermill puts on cells for its own use: they never name a value.
PAPERMILL_TAGS = frozenset({"parameters", "injected-parameters", "papermill-error-cell-tag"})


_SCRAP_PREFIX = "application/scrapbook.scrap."
_SCRAP_SUFFIX = "+json"
_RICH = ("execute_result", "display_data")


# --------------------------------------------------------------------------- helpers


def _text(value: Any) -> str:
    """nbformat multiline text: a string or a list of strings (anything else: '')."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(part for part in value if isinstance(part, str))
    return ""


def _tags(cell: dict) -> list[str]:
    """The tags of a cell, forgiving: a bare string is one tag, junk is ignored."""
    metadata = cell.get("metadata")
    if not isinstance(metadata, dict):
        return []
    tags = metadata.get("tags")
    if isinstance(tags, str):
        tags = [tags]
    elif not isinstance(tags, list):
        return []
    named = [tag for tag in tags if isinstance(tag, str) and tag and tag not in PAPERMILL_TAGS]
    # dict.fromkeys: first occurrences in order, in linear time (a cell may carry
    # tens of thousands of tags; a list's `in` made that quadratic)
    return list(dict.fromkeys(named)) if len(named) > 1 else named


def _outputs(cell: dict) -> list[dict]:
    """The outputs of a code cell that are objects (junk entries are skipped)."""
    outputs = cell.get("outputs")
    if not isinstance(outputs, list):
        return []
    return [output for output in outputs if isinstance(output, dict)]


def _is_stderr(output: dict) -> bool:
    return output.get("output_type") == "stream" and output.get("name") == "stderr"


def _scrap_of(output: dict) -> tuple[str, str, Any] | None:
    """``(name, "data"|"display", payload)`` when an output is a scrapbook scrap.

    A data scrap carries ``application/scrapbook.scrap.<encoder>+json`` whose
    payload holds ``name``, ``encoder`` and ``data``; a display scrap is a plain
    display output whose ``metadata.scrapbook`` says ``display: true``.
    """
    data = output.get("data")
    if isinstance(data, dict):
        for mime, payload in data.items():
            if mime.startswith(_SCRAP_PREFIX) and mime.endswith(_SCRAP_SUFFIX):
                name = payload.get("name") if isinstance(payload, dict) else None
                if not isinstance(name, str):
                    name = _scrapbook_meta(output).get("name")
                if isinstance(name, str) and name:
                    return name, "data", (mime, payload)
                return None
    meta = _scrapbook_meta(output)
    if meta.get("display") and not meta.get("data"):
        name = meta.get("name")
        if isinstance(name, str) and name:
            return name, "display", None
    return None


def _scrapbook_meta(output: dict) -> dict:
    metadata = output.get("metadata")
    if isinstance(metadata, dict):
        scrapbook = metadata.get("scrapbook")
        if isinstance(scrapbook, dict):
            return scrapbook
    return {}


def _unsupported(message: str) -> dict:
    return {"kind": "unsupported", "message": message}


# --------------------------------------------------------------------------- scanning


class _Found:
    """Where one named value lives in a notebook (before any classification)."""

    __slots__ = (
        "cell_index",
        "count",
        "display",
        "display_count",
        "not_run",
        "output_index",
        "position",
    )

    def __init__(self, position: int) -> None:
        self.position = position  # order of first appearance
        self.cell_index: int | None = None
        self.output_index: int | None = None  # data scrap output (or tag: unused)
        self.display: tuple[int, int] | None = None  # (cell, output) of a display scrap
        self.count = 0  # tags: cells carrying it; scraps: data scraps
        self.display_count = 0
        self.not_run = False  # tags: the (last) tagged cell never ran


def _error_of(output: dict) -> tuple[str | None, str | None]:
    """``(ename, evalue)`` of an ``error`` output, as strings (or ``None``)."""
    ename, evalue = output.get("ename"), output.get("evalue")
    return (
        ename if isinstance(ename, str) else None,
        evalue if isinstance(evalue, str) else None,
    )


def _never_ran(cell: dict, metadata: Any) -> bool:
    """Whether a code cell was never executed (papermill: ``status`` ``pending``).

    Papermill marks every cell after the one that raised as ``pending``, with
    no ``execution_count`` and no outputs; a notebook saved without running
    has no count and no outputs either.
    """
    if isinstance(metadata, dict):
        cell_papermill = metadata.get("papermill")
        if isinstance(cell_papermill, dict) and cell_papermill.get("status") == "pending":
            return True
    return cell.get("execution_count") is None and not cell.get("outputs")


def _scan(nb: dict) -> tuple[dict | None, dict[tuple[str, str], _Found]]:
    """One pass over the cells: error outputs, tagged cells, scrap outputs.

    Returns ``(failure, {(origin, name): _Found})`` in order of first appearance;
    ``failure`` is the first error of the run, ``{"ename", "evalue",
    "cell_index"}``, from a code cell's ``error`` output or papermill's mark
    ``metadata.papermill.exception`` on a cell, else ``None``. Tagged cells
    that never ran are marked (``not_run``), so that a missing value can say why.
    Nothing is classified here, so :func:`find_output` shares it.
    """
    failure: dict | None = None
    found: dict[tuple[str, str], _Found] = {}
    cells = nb.get("cells")
    if not isinstance(cells, list):
        return None, found
    for cell_index, cell in enumerate(cells):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        metadata = cell.get("metadata")
        if failure is None and isinstance(metadata, dict):
            cell_papermill = metadata.get("papermill")
            if isinstance(cell_papermill, dict) and cell_papermill.get("exception") is True:
                # papermill marks the cell that raised; its error output names it
                failure = {"ename": None, "evalue": None, "cell_index": cell_index}
                for output in _outputs(cell):
                    if output.get("output_type") == "error":
                        failure["ename"], failure["evalue"] = _error_of(output)
                        break
        outputs = cell.get("outputs")
        if isinstance(outputs, list):
            for output_index, output in enumerate(outputs):
                if not isinstance(output, dict):
                    continue
                kind = output.get("output_type")
                if kind == "error":
                    if failure is None:
                        ename, evalue = _error_of(output)
                        failure = {"ename": ename, "evalue": evalue, "cell_index": cell_index}
                elif kind in _RICH:
                    scrap = _scrap_of(output)
                    if scrap is not None:
                        name, sort, _ = scrap
                        entry = found.get(("scrap", name))
                        if entry is None:
                            entry = found[("scrap", name)] = _Found(len(found))
                        if sort == "data":
                            entry.count += 1
                            entry.cell_index, entry.output_index = cell_index, output_index
                        else:
                            entry.display_count += 1
                            entry.display = (cell_index, output_index)
        tags = _tags(cell)
        if tags:
            not_run = _never_ran(cell, metadata)
            for tag in tags:
                entry = found.get(("tag", tag))
                if entry is None:
                    entry = found[("tag", tag)] = _Found(len(found))
                entry.count += 1
                entry.cell_index = cell_index
                entry.not_run = not_run
    return failure, found


# --------------------------------------------------------------------------- values


def _classify_part(output: dict, position: int) -> dict:
    """One output as a part: classified, never ``None``; images know their index."""
    try:
        part = classify_output(output)
    except Exception as error:  # a part must never sink the whole notebook
        part = _unsupported(f"This output could not be read: {error}")
    if part is None:
        kind = output.get("output_type")
        part = _unsupported(f"This {kind or 'unknown'} output has no displayable content.")
    elif part.get("kind") == "image":
        part["part"] = position
    return part


def _primary_output(outputs: list[dict]) -> dict | None:
    """The output that gives a tagged cell its value (a stream may be synthesised).

    An error wins; else the last ``execute_result``/``display_data``; else all
    ``stdout`` text joined into one stream output; else ``None`` (no value).
    """
    for output in outputs:
        if output.get("output_type") == "error":
            return output
    for output in reversed(outputs):
        if output.get("output_type") in _RICH:
            return output
    texts = [
        _text(output.get("text"))
        for output in outputs
        if output.get("output_type") == "stream" and not _is_stderr(output)
    ]
    if texts:
        return {"output_type": "stream", "name": "stdout", "text": "".join(texts)}
    return None


def _tag_cell(cell: dict) -> dict | None:
    """The value of a tagged code cell, or ``None`` when it carries none."""
    outputs = _outputs(cell)
    primary = _primary_output(outputs)
    if primary is None:
        return None
    if primary.get("output_type") == "stream":
        value = classify_text(primary["text"])
    else:
        value = classify_output(primary)
        if value is None:
            value = _unsupported(
                f"The cell's {primary.get('output_type')} output has no displayable content."
            )
    if len(outputs) > 1:
        value["parts"] = [_classify_part(output, i) for i, output in enumerate(outputs)]
    return value


def _frame_table(frame: Any) -> dict:
    """A pandas DataFrame as a table cell (labels as strings, numbers as numbers)."""
    import math

    def label(value: Any) -> Any:
        if isinstance(value, tuple):
            return [str(part) for part in value]
        return str(value)

    def number(value: Any) -> Any:
        if value is None or isinstance(value, (str, bool)):
            return value
        if isinstance(value, int):
            return value
        if isinstance(value, float):
            return value
        item = getattr(value, "item", None)
        if callable(item):
            try:
                plain = item()
            except (ValueError, TypeError):
                return str(value)
            if isinstance(plain, (bool, int, float, str)) or plain is None:
                return plain
        try:
            if isinstance(value, complex) or math.isnan(value):
                return float("nan")
        except TypeError:
            pass
        return str(value)

    return {
        "kind": "table",
        "columns": [label(c) for c in frame.columns],
        "index": [label(i) for i in frame.index],
        "rows": [[number(v) for v in row] for row in frame.itertuples(index=False, name=None)],
    }


def _pandas_scrap(data: Any) -> dict:
    """A ``pandas`` scrap (base64 parquet) as a table, or ``unsupported`` why not."""
    try:
        import pandas as pd
        import pyarrow  # noqa: F401  (the engine scrapbook wrote with)
    except ImportError:
        return _unsupported("This pandas scrap needs pandas and pyarrow to be read.")
    if not isinstance(data, str):
        return _unsupported("This pandas scrap holds no base64 parquet data.")
    try:
        import pyarrow.parquet as pq

        raw = io.BytesIO(base64.b64decode(data))
        # Parquet compresses well: a few kB can hold millions of rows. Read the
        # footer first and refuse what the other table sources refuse too.
        meta = pq.ParquetFile(raw).metadata
        cells = meta.num_rows * (meta.num_columns + 1)
        if cells > MAX_TABLE_CELLS:
            return _unsupported(
                f"This pandas scrap is too large to compare ({meta.num_rows} rows x "
                f"{meta.num_columns} columns; at most {MAX_TABLE_CELLS} cells)."
            )
        raw.seek(0)
        frame = pd.read_parquet(raw, engine="pyarrow")
        return _frame_table(frame)
    except Exception as error:
        return _unsupported(f"This pandas scrap could not be decoded: {error}")


def _data_scrap_cell(output: dict) -> dict:
    """The value of a data scrap, by its encoder."""
    scrap = _scrap_of(output)
    mime, payload = scrap[2] if scrap else ("", None)
    if not isinstance(payload, dict):
        return _unsupported("This scrap has no payload.")
    encoder = payload.get("encoder")
    if not isinstance(encoder, str):
        encoder = mime[len(_SCRAP_PREFIX) : -len(_SCRAP_SUFFIX)]
    data = payload.get("data")
    if encoder == "text":
        return {"kind": "text", "text": data if isinstance(data, str) else str(data)}
    if encoder == "json":
        if isinstance(data, str):
            # scrapbook's JSON decoder also accepts a JSON document in a string
            try:
                data = json.loads(data)
            except ValueError:
                pass
        return classify_value(data)
    if encoder == "pandas":
        return _pandas_scrap(data)
    return _unsupported(f"Scraps with the {encoder!r} encoder are not supported.")


def _display_scrap_cell(output: dict) -> dict:
    """The value of a display scrap: its display bundle, classified."""
    data = output.get("data")
    bundle = (
        {k: v for k, v in data.items() if not k.startswith(_SCRAP_PREFIX)}
        if isinstance(data, dict)
        else {}
    )
    metadata = output.get("metadata")
    value = classify_bundle(bundle, metadata if isinstance(metadata, dict) else None)
    return value if value is not None else _unsupported("This display scrap has no content.")


def _safe(make, *args) -> dict | None:
    """Run a classifier; a surprise in one value becomes ``unsupported``, not a crash."""
    try:
        return make(*args)
    except Exception as error:
        return _unsupported(f"This value could not be read: {type(error).__name__}: {error}")


# --------------------------------------------------------------------------- parameters


def _literal(node: ast.AST) -> tuple[bool, Any]:
    """``(True, value)`` when a node is a literal (JSON-shaped), else ``(False, None)``."""
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False, None
    ok, plain = _plain(value)
    return ok, plain


def _plain(value: Any) -> tuple[bool, Any]:
    """Literal values as JSON types: tuples/sets become lists, dict keys strings."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return True, value
    if isinstance(value, (list, tuple, set, frozenset)):
        items = list(value)
        if isinstance(value, (set, frozenset)):
            try:
                items = sorted(items)
            except TypeError:
                pass
        out = []
        for item in items:
            ok, plain = _plain(item)
            if not ok:
                return False, None
            out.append(plain)
        return True, out
    if isinstance(value, dict):
        out_dict = {}
        for key, item in value.items():
            ok, plain = _plain(item)
            if not ok:
                return False, None
            out_dict[key if isinstance(key, str) else str(key)] = plain
        return True, out_dict
    return False, None  # bytes, complex, Ellipsis: not JSON


def _is_magic(line: str) -> bool:
    """An IPython line magic, shell escape or help request: not Python."""
    stripped = line.strip()
    return bool(stripped) and (stripped[0] in "%!" or stripped.endswith("?"))


def _parse_module(source: str) -> list[tuple[ast.stmt, str]]:
    """Statements of a cell, each with the source its positions refer to.

    IPython magics and shell lines are blanked out first when the cell does not
    parse as it is. If it still does not parse, each line is tried alone, so one
    odd line does not hide every other parameter.
    """
    attempts = [source, "\n".join("" if _is_magic(line) else line for line in source.splitlines())]
    for attempt in attempts:
        try:
            return [(statement, attempt) for statement in ast.parse(attempt).body]
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
    body: list[tuple[ast.stmt, str]] = []
    for line in source.splitlines():
        if not line.strip() or _is_magic(line):
            continue
        line = line.strip()
        try:
            body.extend((statement, line) for statement in ast.parse(line).body)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
    return body


#: A line and its end, as ``ast`` counts lines: only ``\r\n``, ``\r`` and ``\n`` end one.
_AST_LINE = re.compile(r"[^\r\n]*(?:\r\n|[\r\n])|[^\r\n]+")


def _source_segment(lines: list[str], node: ast.AST) -> str | None:
    """``ast.get_source_segment(text, node)`` on the text's lines, split once.

    Why: ``get_source_segment`` splits the whole text again on every call, in
    Python, so a cell of thousands of assignments took seconds (quadratic).
    Positions are UTF-8 byte offsets into the lines, as ``ast`` gives them.
    """
    try:
        first, last = node.lineno - 1, node.end_lineno - 1  # type: ignore[attr-defined, operator]
        start, end = node.col_offset, node.end_col_offset  # type: ignore[attr-defined]
        if end is None or first < 0:
            return None
        if first == last:
            return lines[first].encode()[start:end].decode()
        head = lines[first].encode()[start:].decode()
        tail = lines[last].encode()[:end].decode()
    except (AttributeError, TypeError, IndexError, UnicodeDecodeError):
        return None
    return "".join([head, *lines[first + 1 : last], tail])


def parse_parameters(source: str, injected: bool) -> dict[str, dict]:
    """Assignments of a parameters cell as ``{name: {"value", "injected"[, "source"]}}``.

    Only parsed, never run. ``a = 1``, ``a: int = 1``, ``a = b = 1`` and
    ``a, b = 1, 2`` are understood; a default that is not a literal is given as
    ``{"value": None, "source": "<its expression>"}``. Later assignments win.
    """
    params: dict[str, dict] = {}
    lines_of: dict[str, list[str]] = {}  # each text split once

    def put(name: str, node: ast.AST, text: str) -> None:
        ok, value = _literal(node)
        entry: dict[str, Any] = {"value": value, "injected": injected}
        if not ok:
            entry["value"] = None
            lines = lines_of.get(text)
            if lines is None:
                lines = lines_of[text] = _AST_LINE.findall(text)
            segment = _source_segment(lines, node)
            if segment is None:
                try:
                    segment = ast.unparse(node)
                except Exception:  # pragma: no cover - unparse handles every node
                    segment = ""
            entry["source"] = segment
        params.pop(name, None)
        params[name] = entry

    def assign(target: ast.AST, node: ast.AST, text: str) -> None:
        if isinstance(target, ast.Name):
            put(target.id, node, text)
        elif (
            isinstance(target, (ast.Tuple, ast.List))
            and isinstance(node, (ast.Tuple, ast.List))
            and len(target.elts) == len(node.elts)
        ):
            for sub_target, sub_node in zip(target.elts, node.elts):
                assign(sub_target, sub_node, text)

    for statement, text in _parse_module(source):
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                assign(target, statement.value, text)
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            assign(statement.target, statement.value, text)
    return params


#: Parsed parameter cells by (source, injected). Runs of one template share their
#: ``parameters`` cell, so a grid of hundreds parses it once. Bounded; cleared when full.
_PARAMETER_CACHE: dict[tuple[str, bool], dict[str, dict]] = {}
_PARAMETER_CACHE_SIZE = 256
_PARAMETER_CACHE_MAX_SOURCE = 65_536


def _cached_parameters(source: str, injected: bool) -> dict[str, dict]:
    """:func:`parse_parameters` through a small cache (fresh entry dicts every time)."""
    key = (source, injected)
    parsed = _PARAMETER_CACHE.get(key)
    if parsed is None:
        parsed = parse_parameters(source, injected)
        if len(source) <= _PARAMETER_CACHE_MAX_SOURCE:
            if len(_PARAMETER_CACHE) >= _PARAMETER_CACHE_SIZE:
                _PARAMETER_CACHE.clear()
            _PARAMETER_CACHE[key] = parsed
    return {name: dict(entry) for name, entry in parsed.items()}


#: Deepest nesting kept in a parameter value read from the metadata; deeper parts
#: become "...". JSON metadata can nest a thousand levels, more than a response
#: can be serialised with (orjson stops at 255) or walked recursively.
MAX_PARAMETER_DEPTH = 32


def _bounded(value: Any, depth: int = 0) -> Any:
    """A JSON value with its nesting cut at :data:`MAX_PARAMETER_DEPTH`."""
    if isinstance(value, dict):
        if depth >= MAX_PARAMETER_DEPTH:
            return "..."
        return {str(key): _bounded(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list):
        if depth >= MAX_PARAMETER_DEPTH:
            return "..."
        return [_bounded(item, depth + 1) for item in value]
    return value


def _parameters(nb: dict, metadata_papermill: dict) -> dict[str, dict]:
    """Papermill parameters: defaults overlaid with the injected values.

    The injected cell is only parsed when the metadata does not list the
    injected values (the metadata wins when both exist).
    """
    defaults: dict[str, dict] = {}
    injected_cell: dict[str, dict] | None = None
    injected = metadata_papermill.get("parameters")
    use_cell = not isinstance(injected, dict)
    cells = nb.get("cells") or []
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        metadata = cell.get("metadata")
        tags = metadata.get("tags") if isinstance(metadata, dict) else None
        if isinstance(tags, str):
            tags = [tags]
        if not isinstance(tags, list):
            continue
        if "parameters" in tags and not defaults:
            defaults = _cached_parameters(_text(cell.get("source")), injected=False)
        if use_cell and "injected-parameters" in tags:
            injected_cell = _cached_parameters(_text(cell.get("source")), injected=True)
    result = defaults
    if not use_cell:
        for name, value in injected.items():
            result[str(name)] = {"value": _bounded(value), "injected": True}
    elif injected_cell:
        result.update(injected_cell)
    return result


# --------------------------------------------------------------------------- public


def extract(nb: dict) -> dict:
    """The record of one parsed notebook (see the module docstring).

    ``status`` is ``failed`` when papermill recorded an exception or any code
    cell has an ``error`` output. ``values`` follow the rules of api.md: every
    tag of a code cell names it (papermill's own tags and markdown tags do not),
    scraps are named by scrapbook; a name used by several tagged cells (or data
    scraps) keeps the last one and is marked ``duplicate``.
    """
    metadata = nb.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    papermill = metadata.get("papermill")
    papermill = papermill if isinstance(papermill, dict) else {}

    failure, found = _scan(nb)
    if failure is None and bool(papermill.get("exception")):
        # only papermill's notebook metadata records that the run raised
        failure = {"ename": None, "evalue": None, "cell_index": None}
    status = "failed" if failure is not None else "ok"

    duration = papermill.get("duration")
    if duration is None and isinstance(papermill.get("metrics"), dict):
        duration = papermill["metrics"].get("duration")  # papermill < 1.0
    if isinstance(duration, bool) or not isinstance(duration, (int, float)):
        duration = None

    cells = nb.get("cells") or []
    values = []
    tagged: dict[int, dict | None] = {}  # a cell with several tags is classified once
    for (origin, name), where in found.items():
        output_index = None
        if origin == "tag":
            cell_index = where.cell_index
            if cell_index in tagged:
                shared = tagged[cell_index]
                cell = None if shared is None else dict(shared)
            else:
                cell = tagged[cell_index] = _safe(_tag_cell, cells[cell_index])
                cell = None if cell is None else dict(cell)
            duplicate = where.count > 1
        elif where.count:  # a data scrap wins over a display scrap of the same name
            cell_index, output_index = where.cell_index, where.output_index
            cell = _safe(_data_scrap_cell, cells[cell_index]["outputs"][output_index])
            duplicate = where.count > 1
        else:
            cell_index, output_index = where.display
            cell = _safe(_display_scrap_cell, cells[cell_index]["outputs"][output_index])
            duplicate = where.display_count > 1
        if duplicate and cell is not None:
            cell["duplicate"] = True
        value = {
            "name": name,
            "origin": origin,
            "cell": cell,
            "cell_index": cell_index,
            "output_index": output_index,
            "duplicate": duplicate,
            # Whether strict JSON carries the cell as it is, checked once here
            # rather than in every comparison that shows it.
            "plain": cell is None or is_plain_json(cell),
        }
        if cell is None and origin == "tag" and where.not_run:
            value["not_run"] = True  # missing because the cell never ran, not for want of output
        values.append(value)

    try:
        parameters = _parameters(nb, papermill)
    except Exception:  # parameters are a courtesy; a surprise must not hide the values
        parameters = {}
    return {
        "status": status,
        "failure": failure,
        "duration": duration,
        "parameters": parameters,
        "generated": is_generated_metadata(metadata),
        "values": values,
    }


def is_generated_metadata(metadata: Any) -> bool:
    """Whether a notebook's metadata marks it as written by this extension.

    The panel's "Export notebook" writes ``metadata.nbcompare.generated``:
    such a notebook is a comparison, not a run, so the tag browser's index,
    folders and patterns leave it out (naming it explicitly still compares it).
    """
    mark = metadata.get("nbcompare") if isinstance(metadata, dict) else None
    return isinstance(mark, dict) and bool(mark.get("generated"))


def load_record(raw: bytes | str) -> dict:
    """Parse and extract in one call; raises only :class:`NotebookReadError`.

    This is what every face (server, CLI, Python API) calls on a file's bytes:
    whatever a notebook holds, the caller gets a record or a per-notebook error.
    """
    return load_sized_record(raw)[0]


def load_sized_record(raw: bytes | str) -> tuple[dict, int | None]:
    """:func:`load_record`, and the length of the record's JSON text (see
    :func:`.reader.valid_json`: the record is written once to check its text,
    so the server's cache sizes it by that instead of writing it again)."""
    nb = parse_notebook(raw)
    try:
        return valid_json(extract(nb))
    except RecursionError:
        raise NotebookReadError("invalid_notebook", "The notebook is nested too deeply.") from None
    except Exception as error:
        raise NotebookReadError(
            "invalid_notebook",
            f"The notebook's structure could not be read: {type(error).__name__}: {error}",
        ) from None


def locate(nb: dict) -> dict[tuple[str, str], _Found]:
    """Where each named value of a notebook lives, for :func:`find_output`'s ``found``.

    A caller that looks up many names in one notebook (the Python API) scans
    it once with this instead of once per name.
    """
    return _scan(nb)[1]


def find_output(
    nb: dict,
    name: str,
    origin: str = "tag",
    part: int | None = None,
    *,
    found: dict[tuple[str, str], _Found] | None = None,
) -> dict | None:
    """The nbformat output behind a named value (for the ``output`` endpoint).

    ``part`` is the 0-based index into the value's ``parts`` (the cell's
    outputs); without it, the primary output: for a tag, the error or the last
    rich output or the joined ``stdout`` (as one synthesised stream output); for
    a scrap, the data scrap (else the display scrap). ``None`` when the name,
    origin or part leads nowhere. ``found``: :func:`locate` of this notebook.
    """
    if found is None:
        found = locate(nb)
    where = found.get((origin, name))
    if where is None and "\ufffd" in name:
        # The answer spelled a character UTF-8 cannot carry as U+FFFD (see
        # reader.valid_json); its URL names the value that way. Only when
        # exactly one value is spelled so: never another value's output.
        fits = [w for (o, n), w in found.items() if o == origin and valid_text(n) == name]
        where = fits[0] if len(fits) == 1 else None
    if where is None:
        return None
    cells = nb["cells"]
    if origin == "tag":
        outputs = _outputs(cells[where.cell_index])
        if part is None:
            return _primary_output(outputs)
        if isinstance(part, int) and not isinstance(part, bool) and 0 <= part < len(outputs):
            return outputs[part]
        return None
    if part is not None:
        return None  # a scrap has no parts
    if where.count:
        return cells[where.cell_index]["outputs"][where.output_index]
    cell_index, output_index = where.display
    return cells[cell_index]["outputs"][output_index]


def image_of(
    nb: dict,
    name: str,
    origin: str = "tag",
    part: int | None = None,
    *,
    found: dict[tuple[str, str], _Found] | None = None,
) -> tuple[str, bytes] | None:
    """``(mime, bytes)`` of an image value (or image part), else ``None``.

    The MIME type is the one classification picks (PNG, JPEG, GIF, then SVG), so
    the bytes served are those whose ``sha256`` the comparison reported.
    """
    output = find_output(nb, name, origin, part, found=found)
    if output is None:
        return None
    data = output.get("data")
    if not isinstance(data, dict):
        return None
    for mime in IMAGE_MIMES:
        if mime in data:
            try:
                return mime, image_bytes(data, mime)
            except (ValueError, TypeError, KeyError):
                continue  # as classification does: an unreadable image falls through
    return None
