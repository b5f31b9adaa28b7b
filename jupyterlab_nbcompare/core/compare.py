"""Records of several notebooks -> the ``POST nbcompare/compare`` response.

This is where rows and columns meet: the named values of every notebook are
lined up by ``(origin, name)`` and each cell is compared with the baseline's cell
of the same name (deltas, which way is better, what was added, removed or
changed). The function is pure: the server, the command line and the Python API
all call it with the same inputs and get the same answer, byte for byte.

Records are never modified (a cache may share them between requests): every
cell of the response is a fresh (shallow) copy with the comparison fields added.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import quote

import orjson

from .classify import INT_MAX, INT_MIN, JSON_ATOMS, is_plain_json
from .directions import direction_for
from .groups import Grouping, flatten_parameters

__all__ = [
    "DIRECTIONS",
    "Against",
    "compare",
    "compare_json",
    "equal_key",
    "json_safe",
    "output_url",
]

#: The direction values a caller may give as overrides (``None``: no direction).
DIRECTIONS = ("lower", "higher", None)

_NULL_DELTAS = {"delta": None, "rel_delta": None, "better": None}


# --------------------------------------------------------------------------- helpers


def _is_number(value: Any) -> bool:
    """A real number for arithmetic: ``bool`` is not one (``True - False`` is no delta)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def equal_key(value: Any) -> Any:
    """A hashable key under which equal values (in the sense of the contract) meet.

    ``NaN`` equals ``NaN``; ``1`` equals ``1.0`` (as in Python) but ``True`` does
    not equal ``1`` (a flag is not a count); lists, tuples and dicts compare by
    content, dicts regardless of key order.
    """
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, float):
        return ("nan",) if math.isnan(value) else ("n", value)
    if isinstance(value, int):
        return ("n", value)
    if isinstance(value, str):
        return ("s", value)
    if value is None:
        return ("none",)
    if isinstance(value, (list, tuple)):
        return ("l", tuple(equal_key(item) for item in value))
    if isinstance(value, dict):
        return ("d", frozenset((str(k), equal_key(v)) for k, v in value.items()))
    if isinstance(value, (set, frozenset)):
        return ("set", frozenset(equal_key(item) for item in value))
    return ("o", repr(value))


def _projection(cell: dict) -> Any:
    """What two cells must share to be equal: the value, not how it is shown."""
    kind = cell.get("kind")
    if kind == "scalar":
        return (kind, equal_key(cell.get("value")))
    if kind == "mapping":
        items = cell.get("items") or {}
        return (
            kind,
            frozenset(
                (key, equal_key(item.get("value") if isinstance(item, dict) else item))
                for key, item in items.items()
            ),
        )
    if kind == "sequence":
        return (kind, equal_key(cell.get("items")))
    if kind == "table":
        return (
            kind,
            equal_key(cell.get("columns")),
            equal_key(cell.get("index")),
            equal_key(cell.get("rows")),
        )
    if kind == "image":
        return (kind, cell.get("sha256"))
    if kind == "text":
        return (kind, cell.get("text"))
    if kind == "html":
        return (kind, cell.get("html"))
    if kind == "error":
        return (kind, cell.get("ename"), cell.get("evalue"))
    if kind == "unsupported":
        return (kind, cell.get("message"))
    ignored = {"parts", "duplicate", "url", "part", "cell_index"}
    return (kind, equal_key({k: v for k, v in cell.items() if k not in ignored}))


def _any_differs(cells: list[dict]) -> bool:
    """Whether the cells do not all share one projection (stops at the first that differs).

    Same answer as ``len({_projection(c) for c in cells}) > 1``: projections are
    hashable keys whose equality is an equivalence, so all are equal exactly
    when each equals the first. Runs' values usually differ, so the scan
    mostly stops at the second cell instead of projecting every table.
    """
    if len(cells) < 2:
        return False
    first = _projection(cells[0])
    return any(_projection(cell) != first for cell in cells[1:])


@functools.lru_cache(maxsize=4096)
def _quoted_short(text: str) -> str:
    return quote(text, safe="")


def _quoted(text: str) -> str:
    """``text`` percent-encoded for a query.

    Memoised, since the same paths and names recur in every row, but only for
    short strings: names come from notebooks, and the memo must stay small.
    """
    return _quoted_short(text) if len(text) <= 512 else quote(text, safe="")


def output_url(path: str, name: str, origin: str, part: int | None = None) -> str:
    """The ``output`` endpoint URL of an image, relative to the server's base URL."""
    url = f"nbcompare/output?path={_quoted(path)}&name={_quoted(name)}&origin={_quoted(origin)}"
    if part is not None:
        url += f"&part={int(part)}"
    return url


def _spell(number: float) -> float | str:
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    return number


def json_safe(obj: Any) -> Any:
    """A copy of ``obj`` that strict JSON can carry: non-finite floats become strings.

    ``NaN`` -> ``"NaN"``, ``inf`` -> ``"Infinity"``, ``-inf`` -> ``"-Infinity"``
    (the contract's spelling, which ``JSON.parse`` accepts where a bare ``NaN``
    is a syntax error); tuples become lists. Everything else is returned as is.
    Written for speed (it walks whole responses): atoms are not recursed into.
    """
    kind = type(obj)
    if kind is float:
        return obj if obj - obj == 0 else _spell(obj)
    if kind is dict:
        return {
            key: value
            if type(value) in JSON_ATOMS or (type(value) is float and value - value == 0)
            else json_safe(value)
            for key, value in obj.items()
        }
    if kind is list or kind is tuple:
        return [
            value
            if type(value) in JSON_ATOMS or (type(value) is float and value - value == 0)
            else json_safe(value)
            for value in obj
        ]
    if isinstance(obj, float):
        return _spell(float(obj))
    if isinstance(obj, dict):
        return json_safe(dict(obj))
    if isinstance(obj, (list, tuple)):
        return json_safe(list(obj))
    return obj


# --------------------------------------------------------------------------- deltas


def _deltas(value: Any, base: Any, direction: str | None, is_base: bool) -> dict:
    """``delta``, ``rel_delta`` and ``better`` of one number against the baseline's."""
    if not _is_number(value):
        return dict(_NULL_DELTAS)
    if is_base:
        zero = 0.0 if isinstance(value, float) else 0
        return {"delta": zero, "rel_delta": None if value == 0 else 0.0, "better": None}
    if not _is_number(base):
        return dict(_NULL_DELTAS)
    try:
        delta = value - base
    except OverflowError:  # pragma: no cover - int - float overflow
        delta = math.nan
    try:
        rel_delta = None if base == 0 else delta / abs(base)
    except (OverflowError, ZeroDivisionError):
        rel_delta = None
    better = None
    if direction in ("lower", "higher") and not (
        _is_nan(value) or _is_nan(base) or _is_nan(delta) or delta == 0
    ):
        better = delta < 0 if direction == "lower" else delta > 0
    # Spelled now (an overflow makes infinities of finite numbers), so that a
    # row of finite values needs no json_safe pass (see _answer); an integer
    # difference beyond 64 bits, which JSON cannot carry, becomes a float.
    if type(delta) is int and not INT_MIN <= delta <= INT_MAX:
        delta = float(delta)
    if isinstance(delta, float) and delta - delta != 0:
        delta = _spell(delta)
    if isinstance(rel_delta, float) and rel_delta - rel_delta != 0:
        rel_delta = _spell(rel_delta)
    return {"delta": delta, "rel_delta": rel_delta, "better": better}


def _scalar(cell: dict, base: dict | None, direction: str | None, is_base: bool) -> None:
    base_value = base.get("value") if base is not None and base.get("kind") == "scalar" else None
    cell.update(_deltas(cell.get("value"), base_value, direction, is_base))


def _mapping(
    cell: dict,
    base: dict | None,
    name: str,
    direction_of: Callable[[str, str | None], str | None],
    is_base: bool,
) -> None:
    base_items = base.get("items") if base is not None and base.get("kind") == "mapping" else None
    if not isinstance(base_items, dict):
        base_items = {}
    items = {}
    for key, item in (cell.get("items") or {}).items():
        value = item.get("value") if isinstance(item, dict) else item
        base_item = base_items.get(key)
        base_value = base_item.get("value") if isinstance(base_item, dict) else None
        direction = direction_of(name, key)
        items[key] = {
            "value": value,
            **_deltas(value, base_value, direction, is_base),
            # The item's own direction (``name.key`` overrides, else the key's
            # last word), so clients never re-implement the heuristic.
            "direction": direction,
        }
    cell["items"] = items


def _set_difference(items: Sequence, keys: Sequence, others: set) -> list:
    """Items of ``items`` (whose keys are ``keys``) not in ``others``, each once, in order."""
    seen = set()
    out = []
    for item, key in zip(items, keys):
        if key not in others and key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _sequence(cell: dict, base: dict | None, memo: dict | None = None) -> None:
    """``added`` and ``removed`` items against the baseline's list (as sets, in order).

    Each item's key is computed once, and the baseline's once per row (``memo``):
    lists of thousands of dicts are compared by content.
    """
    items = cell.get("items")
    items = items if isinstance(items, list) else []
    base_items = base.get("items") if base is not None and base.get("kind") == "sequence" else None
    if not isinstance(base_items, list):
        cell["added"] = cell["removed"] = None
        return
    if memo is None:
        memo = {}
    known = memo.get("base_sequence")
    if known is None:
        base_keys = [equal_key(item) for item in base_items]
        known = memo["base_sequence"] = (base_keys, set(base_keys))
    base_keys, base_set = known
    keys = [equal_key(item) for item in items]
    cell["added"] = _set_difference(items, keys, base_set)
    cell["removed"] = _set_difference(base_items, base_keys, set(keys))


_SCALARS = JSON_ATOMS | {float}
#: Types whose ``==`` is exactly the contract's equality (when both sides share one).
_PLAIN = frozenset({str, int, float})


def _same(a: Any, b: Any) -> bool:
    """Equality of two table cells as :func:`equal_key` sees it, fast for scalars."""
    type_a, type_b = type(a), type(b)
    if type_a in _SCALARS and type_b in _SCALARS:
        if type_a is bool or type_b is bool:
            return type_a is type_b and a == b
        return a == b or (a != a and b != b)  # NaN equals NaN
    return equal_key(a) == equal_key(b)


def _occurrence_keys(labels: Iterable) -> list[tuple]:
    """Each label with its occurrence number, so a repeated label pairs in order."""
    counts: dict[Any, int] = {}
    keys = []
    for label in labels:
        # Labels are nearly always strings: their key without a call.
        key = ("s", label) if type(label) is str else equal_key(label)
        count = counts[key] = counts.get(key, 0) + 1
        keys.append((key, count))
    return keys


def _base_table_keys(base: dict) -> tuple[list, list, dict, dict]:
    """The baseline table's row and column keys and their positions (once per row)."""
    base_row_keys = _occurrence_keys(base.get("index") or [])
    base_col_keys = _occurrence_keys(base.get("columns") or [])
    base_row_at = {key: i for i, key in enumerate(base_row_keys)}
    base_col_at = {key: j for j, key in enumerate(base_col_keys)}
    return base_row_keys, base_col_keys, base_row_at, base_col_at


def _same_labels(labels: list, base_labels: list) -> bool:
    """Whether two label lists are equal and made of strings (or lists of strings).

    Then pairing by label and occurrence pairs each position with itself:
    equal string keys, in the same order, have the same occurrence numbers.
    Other labels (numbers, where ``True == 1``) take the general path.
    """
    if labels != base_labels:
        return False
    for label in labels:
        if type(label) is not str and not (
            type(label) is list and all(type(part) is str for part in label)
        ):
            return False
    return True


def _table_same_shape(cell: dict, index: list, columns: list, rows: list, base_rows: list) -> None:
    """:func:`_table` for a table with the baseline's labels: a cell by cell walk.

    The commonest case (runs of one template print the same frame), and the
    answer :func:`_table` gives for it: positions pair with themselves,
    nothing is added or removed.
    """
    width = len(columns)
    same_columns = [(j, j) for j in range(width)]
    changed: list = []
    changed_at: list = []
    for i in range(len(index)):
        row, base_row = _row_at(rows, i), _row_at(base_rows, i)
        if row == base_row and _plain_row(row) and _plain_row(base_row):
            continue  # equal plain values: nothing changed in this row
        _diff_row(i, row, base_row, same_columns, index, columns, changed, changed_at)
    cell["changed"] = changed
    cell["row_pairs"] = list(range(len(index)))
    cell["column_pairs"] = list(range(width))
    cell["changed_at"] = changed_at
    cell["added_rows"], cell["removed_rows"] = [], []
    cell["added_columns"], cell["removed_columns"] = [], []


def _row_at(table: list, i: int) -> list:
    """Row ``i`` of a table's rows, or ``[]`` when missing or not a list."""
    row = table[i] if i < len(table) else None
    return row if isinstance(row, list) else []


def _diff_row(
    i: int,
    row: list,
    base_row: list,
    paired_columns: list[tuple[int, int]],
    index: list,
    columns: list,
    changed: list,
    changed_at: list,
) -> None:
    """Append row ``i``'s changed cells against its baseline row (columns ``(j, base_j)``)."""
    width, base_width = len(row), len(base_row)
    for j, base_j in paired_columns:
        value = row[j] if j < width else None
        base_value = base_row[base_j] if base_j < base_width else None
        # _same, inlined for the common case: equal numbers or strings
        kind = type(value)
        if kind is type(base_value) and kind in _PLAIN and value == base_value:
            continue
        if not _same(value, base_value):
            changed.append([index[i], columns[j]])
            changed_at.append([i, j])


def _plain_row(row: list) -> bool:
    """Only strings, ints and finite floats: where ``==`` is the contract's equality."""
    for value in row:
        kind = type(value)
        if kind is float:
            if value != value:
                return False
        elif kind is not str and kind is not int:
            return False
    return True


def _table(cell: dict, base: dict | None, memo: dict | None = None) -> None:
    """Changed cells, added/removed rows and columns against the baseline's table.

    Besides the contract's label lists (which cannot tell two occurrences of a
    repeated label apart), each table says where it stands against the
    baseline's: ``row_pairs``/``column_pairs`` give, for each of its rows and
    columns, the position of the paired one in the baseline's table (null:
    added), and ``changed_at`` the ``[row, column]`` positions of the changed
    cells. Clients mark and annotate cells from these, never re-pairing labels.

    ``memo`` (one per answer row) keeps the baseline's keys, which every
    notebook's table of that row is matched against.
    """
    fields = (
        "changed",
        "added_rows",
        "removed_rows",
        "added_columns",
        "removed_columns",
        "row_pairs",
        "column_pairs",
        "changed_at",
    )
    if base is None or base.get("kind") != "table":
        for field in fields:
            cell[field] = None
        return
    index, columns = cell.get("index") or [], cell.get("columns") or []
    base_index, base_columns = base.get("index") or [], base.get("columns") or []
    rows, base_rows = cell.get("rows") or [], base.get("rows") or []

    if _same_labels(index, base_index) and _same_labels(columns, base_columns):
        _table_same_shape(cell, index, columns, rows, base_rows)
        return
    if memo is None:
        memo = {}
    keys = memo.get("base_table")
    if keys is None:
        keys = memo["base_table"] = _base_table_keys(base)
    base_row_keys, base_col_keys, base_row_at, base_col_at = keys
    row_keys, col_keys = _occurrence_keys(index), _occurrence_keys(columns)
    row_set, col_set = set(row_keys), set(col_keys)

    row_pairs = [base_row_at.get(key) for key in row_keys]
    column_pairs = [base_col_at.get(key) for key in col_keys]
    paired_columns = [(j, base_j) for j, base_j in enumerate(column_pairs) if base_j is not None]
    changed, changed_at = [], []
    for i, base_i in enumerate(row_pairs):
        if base_i is None:
            continue
        row, base_row = _row_at(rows, i), _row_at(base_rows, base_i)
        _diff_row(i, row, base_row, paired_columns, index, columns, changed, changed_at)
    cell["changed"] = changed
    cell["row_pairs"], cell["column_pairs"], cell["changed_at"] = (
        row_pairs,
        column_pairs,
        changed_at,
    )
    cell["added_rows"] = [index[i] for i, key in enumerate(row_keys) if key not in base_row_at]
    cell["removed_rows"] = [
        base_index[i] for i, key in enumerate(base_row_keys) if key not in row_set
    ]
    cell["added_columns"] = [columns[j] for j, key in enumerate(col_keys) if key not in base_col_at]
    cell["removed_columns"] = [
        base_columns[j] for j, key in enumerate(base_col_keys) if key not in col_set
    ]


def _parts(parts: list, path: str, name: str, origin: str) -> list:
    out = []
    for position, part in enumerate(parts):
        part = dict(part) if isinstance(part, dict) else {"kind": "unsupported", "message": ""}
        if part.get("kind") == "image":
            part["url"] = output_url(path, name, origin, part.get("part", position))
        out.append(part)
    return out


def _cell(
    raw: dict,
    base: dict | None,
    *,
    path: str,
    name: str,
    origin: str,
    direction: str | None,
    direction_of: Callable[[str, str | None], str | None],
    is_base: bool,
    memo: dict | None = None,
) -> dict:
    """One response cell: a copy of the record's cell plus the comparison fields.

    ``memo`` is shared by the cells of one answer row (same baseline cell).
    """
    cell = dict(raw)
    kind = cell.get("kind")
    if kind == "scalar":
        _scalar(cell, base, direction, is_base)
    elif kind == "mapping":
        _mapping(cell, base, name, direction_of, is_base)
    elif kind == "sequence":
        _sequence(cell, base, memo)
    elif kind == "table":
        _table(cell, base, memo)
    elif kind == "image":
        cell["url"] = output_url(path, name, origin)
    if isinstance(cell.get("parts"), list):
        cell["parts"] = _parts(cell["parts"], path, name, origin)
    return cell


# --------------------------------------------------------------------------- public


def _check(entries: Sequence[Mapping], baseline: str | None, directions: Any) -> list[str]:
    paths = [entry["path"] for entry in entries]
    if not paths:
        raise ValueError("Give at least one notebook to compare.")
    seen = set()
    for path in paths:
        if path in seen:
            raise ValueError(f"The notebook {path!r} is listed more than once.")
        seen.add(path)
    if baseline is not None and baseline not in seen:
        raise ValueError(f"The baseline {baseline!r} is not one of the compared notebooks.")
    if directions is not None:
        if not isinstance(directions, Mapping):
            raise ValueError("'directions' must map names to 'lower' or 'higher'.")
        for key, value in directions.items():
            if value not in DIRECTIONS:
                raise ValueError(
                    f"The direction of {key!r} must be 'lower', 'higher' or null, not {value!r}."
                )
    return paths


def _notebook(entry: Mapping) -> dict:
    record = entry.get("record")
    if record is None:
        error = entry.get("error") or {
            "code": "unreadable",
            "message": "The notebook could not be read.",
        }
        return {
            "path": entry["path"],
            "last_modified": entry.get("last_modified"),
            "status": "unreadable",
            "error": {"code": error.get("code"), "message": error.get("message")},
            "duration": None,
            "parameters": {},
            "failure": None,
            "parameters_flat": {},
        }
    status = record.get("status", "ok")
    failure = record.get("failure")
    if status == "failed" and not isinstance(failure, dict):
        failure = {"ename": None, "evalue": None, "cell_index": None}
    parameters = {name: dict(param) for name, param in record.get("parameters", {}).items()}
    return {
        "path": entry["path"],
        "last_modified": entry.get("last_modified"),
        "status": status,
        "error": None,
        "duration": record.get("duration"),
        "parameters": parameters,
        "failure": dict(failure) if status == "failed" else None,
        "parameters_flat": flatten_parameters(parameters),
    }


def _missing(notebook: dict, name: str, held: dict | None) -> dict[str, Any]:
    """Why a notebook has no cell in a row: ``{"reason", "cell_index", "failed_at", "message"}``.

    ``reason``: ``not_run`` (the tagged cell is there but never ran, as papermill
    leaves every cell after the one that raised), ``no_output`` (it ran and
    left no value), ``absent`` (the notebook carries no value of that name) or
    ``unreadable``. ``cell_index`` is the tagged cell's (else null);
    ``failed_at`` the ``cell_index`` of the run's failure when it failed.
    ``message`` says it in words, for a tooltip or a report.
    """
    if notebook["status"] == "unreadable":
        message = (notebook.get("error") or {}).get("message") or "The notebook could not be read."
        return {
            "reason": "unreadable",
            "cell_index": None,
            "failed_at": None,
            "message": f"unreadable: {message}",
        }
    failure = notebook.get("failure")
    failed_at = failure.get("cell_index") if isinstance(failure, dict) else None
    if held is not None and held.get("not_run"):
        reason, cell_index, word = "not_run", held.get("cell_index"), "not run"
    elif held is not None:
        reason, cell_index, word = "no_output", held.get("cell_index"), "no output"
    else:
        reason, cell_index, word = "absent", None, "missing"
    if failure is None:
        message = word
    elif failed_at is None:
        message = f"{word}: the run failed"
    else:
        message = f"{word}: the run failed at cell {failed_at}"
    return {"reason": reason, "cell_index": cell_index, "failed_at": failed_at, "message": message}


class Against:
    """One request's baseline, name filter and directions: how each notebook's cells are made.

    :meth:`cells` turns one notebook's record into its response cells, alone:
    that is the bulk of a comparison, and it can run wherever the record is
    extracted (a worker thread or process, as soon as the baseline's record is
    known), leaving only the assembly of rows for the end.
    """

    def __init__(
        self,
        base_record: Mapping | None,
        baseline: str,
        names: Iterable[str] | None = None,
        directions: Mapping[str, str | None] | None = None,
    ) -> None:
        """Bind the baseline's record (``None``: unreadable) and the request's options."""
        self.baseline = baseline
        values = base_record.get("values", ()) if base_record is not None else ()
        self.base = {(value["origin"], value["name"]): value.get("cell") for value in values}
        if isinstance(names, str):  # one name, not its letters
            names = [names]
        self.wanted = None if names is None else set(names)
        self.directions = directions
        self._known: dict[tuple[str, str | None], str | None] = {}
        self._memo: dict[tuple[str, str], dict] = {}

    def direction_of(self, name: str, key: str | None) -> str | None:
        """``direction_for`` with the overrides, once per (name, key)."""
        found = self._known.get((name, key), "?")
        if found == "?":
            found = self._known[(name, key)] = direction_for(name, key, self.directions)
        return found

    def cells(self, record: Mapping, path: str) -> list[dict | None]:
        """The response cell of each of ``record["values"]`` (``None``: no cell, or not wanted)."""
        out: list[dict | None] = []
        for value in record.get("values", ()):
            name, origin = value["name"], value["origin"]
            raw = value.get("cell")
            if raw is None or (self.wanted is not None and name not in self.wanted):
                out.append(None)
                continue
            key = (origin, name)
            memo = self._memo.get(key)
            if memo is None:
                memo = self._memo[key] = {}
            cell = _cell(
                raw,
                self.base.get(key),
                path=path,
                name=name,
                origin=origin,
                direction=self.direction_of(name, None),
                direction_of=self.direction_of,
                is_base=path == self.baseline,
                memo=memo,
            )
            # Where the value came from, so a client can open the notebook there.
            if isinstance(value.get("cell_index"), int):
                cell["cell_index"] = value["cell_index"]
            out.append(cell)
        return out


def _answer(
    entries: Sequence[Mapping],
    baseline: str | None,
    names: Iterable[str] | None,
    directions: Mapping[str, str | None] | None,
    group_by: Sequence[str] | None = None,
) -> tuple[str, list[dict], Iterator[tuple[dict, bool]], Grouping | None]:
    """``(baseline, notebooks, rows, grouping)`` of the answer; rows are built one at a time.

    Each row comes with whether it is plain JSON already (no non-finite
    number, no tuple), as the records' ``plain`` flags tell. An entry may
    carry its ``cells`` already made by :meth:`Against.cells` for this very
    baseline, name filter and directions; the others are made here.
    ``grouping`` (``None`` without ``group_by``) takes each row's statistics
    as the row is made; its result is complete once every row was consumed.

    The request is checked here, before any row is built, so both
    :func:`compare` and :func:`compare_json` raise ``ValueError`` up front.
    """
    paths = _check(entries, baseline, directions)
    if baseline is None:
        baseline = paths[0]
    base_entry = next(entry for entry in entries if entry["path"] == baseline)
    against = Against(base_entry.get("record"), baseline, names, directions)
    wanted = against.wanted
    notebooks = [_notebook(entry) for entry in entries]
    notebook_of = {notebook["path"]: notebook for notebook in notebooks}
    grouping = None if group_by is None else Grouping(notebooks, group_by, baseline)

    rows: dict[tuple[str, str], dict[str, dict | None]] = {}
    # The record's value behind each missing cell (a tagged cell without a
    # value), so that the row can say why it is missing.
    held: dict[tuple[str, str], dict[str, Mapping]] = {}
    # Rows with a cell that extraction did not find plain JSON (or did not
    # check): only those need json_safe's walk (the comparison adds nothing
    # that is not, see _deltas).
    unplain: set[tuple[str, str]] = set()
    for entry in entries:
        record = entry.get("record")
        if record is None:
            continue
        made = entry.get("cells")
        if made is None:
            made = against.cells(record, entry["path"])
        for value, cell in zip(record.get("values", ()), made):
            name, origin = value["name"], value["origin"]
            if wanted is not None and name not in wanted:
                continue
            rows.setdefault((origin, name), {})[entry["path"]] = cell
            if cell is None:
                held.setdefault((origin, name), {})[entry["path"]] = value
            if value.get("plain") is not True:
                unplain.add((origin, name))

    def values() -> Iterator[tuple[dict, bool]]:
        for (origin, name), found in rows.items():
            cells = {path: found.get(path) for path in paths}
            present = [cell for cell in cells.values() if cell is not None]
            kinds = {cell.get("kind") for cell in present}
            kind = next(iter(kinds)) if len(kinds) == 1 else ("mixed" if kinds else None)
            differs = len(present) < len(paths) or _any_differs(present)
            why = held.get((origin, name), {})
            row = {
                "name": name,
                "origin": origin,
                "kind": kind,
                "direction": against.direction_of(name, None),
                "differs": differs,
                "cells": cells,
                "missing": {
                    path: _missing(notebook_of[path], name, why.get(path))
                    for path, cell in cells.items()
                    if cell is None
                },
            }
            if grouping is not None:
                grouping.add(row)
            yield row, (origin, name) not in unplain

    return baseline, notebooks, values(), grouping


def compare(
    entries: Sequence[Mapping],
    baseline: str | None = None,
    names: Iterable[str] | None = None,
    directions: Mapping[str, str | None] | None = None,
    group_by: Sequence[str] | None = None,
) -> dict:
    """The ``compare`` response body (JSON-safe) for notebooks read into entries.

    ``entries``: one per requested path, in column order, each
    ``{"path", "last_modified", "record", "error"}`` (``record`` None and
    ``error`` ``{"code", "message"}`` for an unreadable notebook). ``baseline``
    defaults to the first path; ``names`` restricts the rows (``None``: all);
    ``directions`` overrides the guessed directions (see ``directions``);
    ``group_by`` (names of ``parameters_flat``) adds ``groups`` and
    ``baseline_group`` (see :mod:`.groups`).

    Raises :class:`ValueError` (a 400 for the server) for no entries, a repeated
    path, a baseline that is not one of the paths, an unknown direction, or a
    ``group_by`` name that no notebook has.
    """
    baseline, notebooks, rows, grouping = _answer(entries, baseline, names, directions, group_by)
    answer = {"baseline": baseline, "notebooks": notebooks, "values": [row for row, _ in rows]}
    if grouping is not None:
        answer.update(grouping.result())
    return json_safe(answer)


def compare_json(
    entries: Sequence[Mapping],
    baseline: str | None = None,
    names: Iterable[str] | None = None,
    directions: Mapping[str, str | None] | None = None,
    group_by: Sequence[str] | None = None,
) -> bytes:
    """``orjson.dumps(compare(...))``, byte for byte, without the whole answer in memory.

    Why: the server only needs the JSON text. Each row is serialised as soon as
    it is built and then dropped, so a large answer never exists twice (the
    row and its JSON-safe copy) in full; that keeps the peak memory and the
    number of objects the garbage collector has to look at small while the
    server's other requests wait. orjson writes compact JSON, so joining the
    serialised parts gives the same bytes as serialising the whole dict.
    Raises ``ValueError`` as :func:`compare` does.
    """
    baseline, notebooks, rows, grouping = _answer(entries, baseline, names, directions, group_by)
    parts = [
        b'{"baseline":',
        orjson.dumps(baseline),
        b',"notebooks":',
        orjson.dumps(notebooks if is_plain_json(notebooks) else json_safe(notebooks)),
        b',"values":[',
    ]
    first = True
    for row, plain in rows:
        if not first:
            parts.append(b",")
        parts.append(orjson.dumps(row if plain or is_plain_json(row) else json_safe(row)))
        first = False
    parts.append(b"]")
    if grouping is not None:  # complete now that every row went through it
        result = grouping.result()
        parts += [
            b',"groups":',
            orjson.dumps(json_safe(result["groups"])),
            b',"baseline_group":',
            orjson.dumps(result["baseline_group"]),
        ]
    parts.append(b"}")
    return b"".join(parts)
