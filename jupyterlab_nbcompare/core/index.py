"""Records of a folder's notebooks -> the ``GET nbcompare/index`` body.

The tag browser needs to know which names exist across many runs, and roughly
what they hold, without the weight of the compare response (no tables, no
images, no text): each notebook lists its names with their kind (and the value,
for a scalar), and each name is summarised over the folder (how many notebooks
carry it, the range of its numbers).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from .compare import json_safe

__all__ = ["index_summary"]


def _finite_number(value: Any) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and (not isinstance(value, float) or math.isfinite(value))
    )


def index_summary(entries: Sequence[Mapping], path: str = "", truncated: bool = False) -> dict:
    """The index body for entries ``{"path", "last_modified", "record", "error"}``.

    Notebooks are listed by path. A name is listed for a notebook when it
    carries a value under it (a tagged cell without outputs carries none).
    ``names`` come in order of first appearance, keyed by ``(origin, name)``:
    ``kind`` is the kind all share, else ``mixed``; ``count`` is the number of
    notebooks carrying the name; ``min``/``max`` are given only when at least one
    value is a finite number (booleans and ``NaN``/``inf`` left out). ``path``
    and ``truncated`` are facts of the scan the caller made, passed through.

    A notebook this extension generated (an exported comparison, see
    :func:`.extract.is_generated_metadata`) is not a run: it is neither
    listed nor counted.
    """
    notebooks = []
    summary: dict[tuple[str, str], dict] = {}
    for entry in sorted(entries, key=lambda e: e["path"]):
        record = entry.get("record")
        if record is not None and record.get("generated"):
            continue
        item: dict[str, Any] = {
            "path": entry["path"],
            "last_modified": entry.get("last_modified"),
        }
        if record is None:
            error = entry.get("error") or {"code": "unreadable", "message": "Cannot read."}
            item.update(status="unreadable", error=dict(error), names=[])
            notebooks.append(item)
            continue
        names = []
        for value in record.get("values", ()):
            cell = value.get("cell")
            if cell is None:
                continue
            name, origin, kind = value["name"], value["origin"], cell.get("kind")
            listed: dict[str, Any] = {"name": name, "origin": origin, "kind": kind}
            if kind == "scalar":
                listed["value"] = cell.get("value")
            names.append(listed)

            agg = summary.get((origin, name))
            if agg is None:
                agg = summary[(origin, name)] = {
                    "name": name,
                    "origin": origin,
                    "kind": kind,
                    "count": 0,
                }
            agg["count"] += 1
            if agg["kind"] != kind:
                agg["kind"] = "mixed"
            number = cell.get("value") if kind == "scalar" else None
            if _finite_number(number):
                agg["min"] = number if "min" not in agg else min(agg["min"], number)
                agg["max"] = number if "max" not in agg else max(agg["max"], number)
        item.update(status=record.get("status", "ok"), error=None, names=names)
        notebooks.append(item)
    return json_safe(
        {
            "path": path,
            "notebooks": notebooks,
            "names": list(summary.values()),
            "truncated": bool(truncated),
        }
    )
