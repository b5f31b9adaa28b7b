"""Records of a folder's notebooks -> the ``GET nbcompare/index`` body.

The tag browser needs to know which names exist across many runs, and roughly
what they hold, without the weight of the compare response (no tables, no
images, no text): each notebook lists its names with their kind (and the value,
for a scalar), and each name is summarised over the folder (how many notebooks
carry it, the range of its numbers).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Mapping, Sequence
from typing import Any

from .compare import json_safe

__all__ = ["index_merge", "index_part", "index_summary"]


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

    The same as :func:`index_merge` of the :func:`index_part` of any split
    of ``entries`` (a folder's notebooks each), which is how a server
    answers again after one folder changed.
    """
    return index_merge([index_part(entries)], path=path, truncated=truncated)


def index_part(entries: Sequence[Mapping]) -> dict:
    """The summary of some of an index's notebooks (a folder's), for :func:`index_merge`.

    Plain JSON data, never changed once made (servers cache it):
    ``notebooks``, the listed notebooks by path, strict-JSON already; and
    ``names``, one aggregate per ``(origin, name)`` in order of first
    appearance, each with ``first`` (``[path, position]`` of the value that
    made it appear) and, with ``min``/``max``, the path of the first notebook
    holding each (so that a merge keeps the one :func:`index_summary` keeps
    when ``1`` and ``1.0`` tie).
    """
    notebooks = []
    summary: dict[tuple[str, str], dict] = {}
    for entry in sorted(entries, key=lambda e: e["path"]):
        record = entry.get("record")
        if record is not None and record.get("generated"):
            continue
        where = entry["path"]
        item: dict[str, Any] = {"path": where, "last_modified": entry.get("last_modified")}
        if record is None:
            error = entry.get("error") or {"code": "unreadable", "message": "Cannot read."}
            item.update(status="unreadable", error=dict(error), names=[])
            notebooks.append(item)
            continue
        names = []
        for position, value in enumerate(record.get("values", ())):
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
                    "first": [where, position],
                }
            agg["count"] += 1
            if agg["kind"] != kind:
                agg["kind"] = "mixed"
            number = cell.get("value") if kind == "scalar" else None
            if _finite_number(number):
                if "min" not in agg or number < agg["min"]:
                    agg["min"], agg["min_at"] = number, where
                if "max" not in agg or number > agg["max"]:
                    agg["max"], agg["max_at"] = number, where
        item.update(status=record.get("status", "ok"), error=None, names=names)
        notebooks.append(item)
    return {"notebooks": json_safe(notebooks), "names": list(summary.values())}


def index_merge(parts: Sequence[Mapping], path: str = "", truncated: bool = False) -> dict:
    """The index body of the notebooks of ``parts`` (:func:`index_part`), left as they are.

    Each notebook is in one part. Notebooks are listed by path; a name's
    count adds up, its kind is ``mixed`` when the parts disagree, its
    ``min``/``max`` is the least/greatest (on a tie, the first notebook's),
    and names come in order of first appearance over all notebooks.
    """
    notebooks = sorted(
        (item for part in parts for item in part["notebooks"]), key=lambda item: item["path"]
    )
    summary: dict[tuple[str, str], dict] = {}
    for part in parts:
        for agg in part["names"]:
            key = (agg["origin"], agg["name"])
            have = summary.get(key)
            if have is None:
                summary[key] = dict(agg)
                continue
            have["count"] += agg["count"]
            if have["kind"] != agg["kind"]:
                have["kind"] = "mixed"
            have["first"] = min(have["first"], agg["first"])
            for bound, better in (("min", operator.lt), ("max", operator.gt)):
                if bound not in agg:
                    continue
                at = f"{bound}_at"
                if (
                    bound not in have
                    or better(agg[bound], have[bound])
                    or (agg[bound] == have[bound] and agg[at] < have[at])
                ):
                    have[bound], have[at] = agg[bound], agg[at]
    names = []
    for agg in sorted(summary.values(), key=lambda agg: agg["first"]):
        names.append(
            {key: value for key, value in agg.items() if key not in ("first", "min_at", "max_at")}
        )
    return {
        "path": path,
        "notebooks": notebooks,
        "names": json_safe(names),
        "truncated": bool(truncated),
    }
