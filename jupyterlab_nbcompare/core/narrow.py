"""The panel's filter and "only differences", applied to a ``compare`` answer.

The panel narrows what it shows without asking the server again: a name
filter (case-insensitive substring) and a toggle that hides values equal in
every notebook. A saved view (``.nbcompare``) records both (and may pick
``names``), and the command line (``--filter``, ``--only-differences``) and
the Python API (``NotebookCollection.from_view``) apply them here, so each
face hides the same rows as the panel (``src/model.ts``):

* a value whose kind is ``mapping`` is one row per key, labelled
  ``name.key``: the filter matches the label, and "only differences" keeps
  the keys whose values are not all present and equal; the value is kept
  with those keys only, or dropped when none is left;
* any other value is one row, labelled by its name: the filter matches the
  name, and "only differences" keeps it when its ``differs`` is true.

Only ``values`` (and each group's ``stats``) are narrowed: the notebooks,
their parameters, deltas and the baseline are those of the full answer, so a
gate checked on the full answer and a table shown narrowed agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .compare import equal_key

__all__ = ["narrow"]


def _item_differs(value: Mapping, key: str, paths: list[str]) -> bool:
    """Whether one key of a mapping value differs across the notebooks (missing counts)."""
    keys = set()
    for path in paths:
        cell = value["cells"].get(path)
        items = cell.get("items") if cell and cell.get("kind") == "mapping" else None
        item = items.get(key) if isinstance(items, dict) else None
        if item is None:
            return True
        keys.add(equal_key(item.get("value")))
    return len(keys) > 1


def _keys(value: Mapping, paths: list[str]) -> list[str]:
    """The keys of a mapping value, in order of first appearance over the notebooks."""
    keys: dict[str, None] = {}
    for path in paths:
        cell = value["cells"].get(path)
        if cell and cell.get("kind") == "mapping":
            keys.update(dict.fromkeys(cell.get("items") or {}))
    return list(keys)


def _with_keys(value: Mapping, kept: list[str], differs: bool) -> dict:
    """A mapping value whose cells hold only the ``kept`` keys."""
    cells: dict[str, Any] = {}
    for path, cell in value["cells"].items():
        if cell and cell.get("kind") == "mapping":
            items = cell.get("items") or {}
            cell = {**cell, "items": {k: items[k] for k in kept if k in items}}
        cells[path] = cell
    return {**value, "cells": cells, "differs": differs}


def narrow(
    answer: Mapping,
    names: Iterable[str] | None = None,
    filter: str = "",
    only_differences: bool = False,
) -> dict:
    """``answer`` with only the values (and mapping keys) the panel would show.

    ``names``: only values of these names, in the answer's order (``None``:
    all); ``filter`` is the panel's filter text (blank: no filter). Returns a
    new dict; ``answer`` is not changed. Without any setting, it is a shallow
    copy of ``answer``.
    """
    wanted = None if names is None else set(names)
    needle = filter.strip().lower()
    if wanted is None and not needle and not only_differences:
        return dict(answer)
    paths = [nb["path"] for nb in answer["notebooks"]]

    def matches(label: str) -> bool:
        return not needle or needle in label.lower()

    values = []
    shown: set[tuple[str, str, str | None]] = set()  # (origin, name, key) of what is kept
    for value in answer["values"]:
        name, origin = value["name"], value["origin"]
        if wanted is not None and name not in wanted:
            continue
        if value.get("kind") != "mapping":
            if matches(name) and (not only_differences or value.get("differs", True)):
                values.append(value)
                shown.add((origin, name, None))
            continue
        kept, differs = [], False
        for key in _keys(value, paths):
            key_differs = _item_differs(value, key, paths)
            if matches(f"{name}.{key}") and (not only_differences or key_differs):
                kept.append(key)
                differs = differs or key_differs
        if kept:
            values.append(_with_keys(value, kept, differs))
            shown.update((origin, name, key) for key in kept)
    narrowed = {**answer, "values": values}
    if "groups" in answer:
        narrowed["groups"] = [
            {
                **group,
                "stats": [
                    stat
                    for stat in group.get("stats", ())
                    if (stat.get("origin"), stat.get("name"), stat.get("key")) in shown
                ],
            }
            for group in answer["groups"]
        ]
    return narrowed
