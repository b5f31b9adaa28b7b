"""Saved comparisons: the ``.nbcompare`` file format, pure.

A view is a small JSON document that names the notebooks of a comparison
(paths and glob patterns, relative to the view file's own folder) and how to
look at them: baseline, names, filter, directions, grouping, sort, layout,
chart and CI gates. A repository carries its views next to its runs; the
panel, the command line and the Python API open the same file and show the
same comparison.

This module knows the format and nothing about where files live:

* :func:`parse_view` turns the file's text into a validated dict, or raises
  :class:`ViewError` naming the field at fault (JSON Schema, shipped as
  ``view.schema.json`` beside this module, does the checking: one schema for
  Python, the frontend and anyone else who writes these files);
* :func:`resolve` joins a path of the view to the view's folder, keeping it
  inside the server root when there is one;
* :func:`expand` expands the ``notebooks`` patterns (``*``, ``?``, ``**``)
  through a listing callback, so that the server lists through its
  ContentsManager and the command line through the filesystem;
* :func:`dump_view` writes a view back, keeping every field it does not know
  (an older or newer version of the extension may share the file).
"""

from __future__ import annotations

import json
import math
import posixpath
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any, NamedTuple

__all__ = [
    "VIEW_SUFFIX",
    "VIEW_VERSION",
    "Expansion",
    "ViewError",
    "dump_view",
    "expand",
    "is_pattern",
    "parse_tolerance",
    "parse_view",
    "resolve",
    "view_schema",
]

#: The version this code writes and reads (the ``nbcompare`` field).
VIEW_VERSION = 1
#: The file name suffix JupyterLab, the CLI and the API recognise.
VIEW_SUFFIX = ".nbcompare"
#: Bounds of one pattern expansion: a ``**`` over a huge tree or a symlink
#: loop (which a ContentsManager lists as ever deeper paths) stops here.
MAX_FOLDERS = 10_000
MAX_DEPTH = 32

#: A gate's tolerance: a number >= 0, optionally a percentage of the baseline.
_TOLERANCE = re.compile(r"\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(%?)\s*")


class ViewError(ValueError):
    """A view file that cannot be used, with the field at fault.

    ``field`` is a JSON-pointer-like location (``notebooks[2]``,
    ``chart.x``), empty for the document as a whole; ``str()`` is the
    sentence shown to people: ``notebooks[2]: expected a string``.
    """

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}" if field else message)


class Expansion(NamedTuple):
    """The notebooks a view names, in the order a comparison shows them.

    ``paths``: resolved paths (API paths on a server), explicit entries where
    they stand and each pattern's matches sorted by path, without repeats.
    ``truncated``: a reason when a pattern's walk hit :data:`MAX_FOLDERS` or
    :data:`MAX_DEPTH`, else ``None``.
    """

    paths: list[str]
    truncated: str | None


@cache
def view_schema() -> dict[str, Any]:
    """The JSON Schema of a view file (``view.schema.json``, shipped in the package)."""
    text = resources.files(__package__).joinpath("view.schema.json").read_text("utf-8")
    return json.loads(text)


def _location(path: Iterable[Any]) -> str:
    """``notebooks[2]`` / ``chart.x`` from a jsonschema error path."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _describe(error: Any) -> str:
    """A sentence for one jsonschema error, in the words of the format."""
    validator = error.validator
    if validator == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        if not missing:
            return error.message
        return f"{'the view ' if not error.absolute_path else ''}needs the field {missing[0]!r}"
    if validator == "type":
        expected = error.validator_value
        if isinstance(expected, list):
            expected = " or ".join(expected)
        return f"expected {'an' if str(expected)[0] in 'aeiou' else 'a'} {expected}"
    if validator == "enum":
        return "expected one of " + ", ".join(json.dumps(v) for v in error.validator_value)
    if validator == "minItems":
        return "needs at least one entry"
    if validator == "minLength":
        return "must not be empty"
    if validator in ("pattern", "oneOf") and list(error.absolute_path)[:1] == ["gates"]:
        return f"{error.instance!r} is not a tolerance (a number >= 0, or N%)"
    return error.message


def parse_view(text: str | bytes) -> dict[str, Any]:
    """The view in ``text``, validated; raises :class:`ViewError`.

    Unknown fields are kept as they are. A version newer than this code's is
    refused with a message that says so, rather than half understood.
    """
    import jsonschema  # a dependency of jupyter_server (jupyter_events); imported late

    try:
        doc = json.loads(text.decode("utf-8-sig") if isinstance(text, bytes) else text)
    except UnicodeDecodeError as exc:
        raise ViewError("", f"the file is not UTF-8 text ({exc.reason})") from None
    except json.JSONDecodeError as exc:
        raise ViewError(
            "", f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    except RecursionError:
        raise ViewError("", "not valid JSON: nested too deeply") from None
    if not isinstance(doc, dict):
        raise ViewError("", "expected a JSON object with the fields of a view")
    version = doc.get("nbcompare")
    if type(version) is int and version > VIEW_VERSION:
        raise ViewError(
            "nbcompare",
            f"this view is version {version}; this version of jupyterlab-nbcompare "
            f"reads version {VIEW_VERSION}: upgrade it to open the file",
        )
    validator = jsonschema.Draft202012Validator(view_schema())
    errors = sorted(validator.iter_errors(doc), key=lambda e: (list(e.absolute_path), e.message))
    if errors:
        first = errors[0]
        raise ViewError(_location(first.absolute_path), _describe(first))
    for name, tolerance in (doc.get("gates") or {}).items():
        parse_tolerance(tolerance, field=f"gates.{name}")
    return doc


def parse_tolerance(text: str | float, *, field: str = "") -> tuple[float, bool]:
    """``(tolerance, relative)`` of ``"0.01"``, ``0.01`` or ``"1%"`` (then 0.01, True)."""
    if isinstance(text, bool):
        raise ViewError(field, f"{text!r} is not a tolerance (a number >= 0, or N%)")
    if isinstance(text, (int, float)):
        value, relative = float(text), False
    else:
        match = _TOLERANCE.fullmatch(text)
        if match is None:
            raise ViewError(field, f"{text!r} is not a tolerance (a number >= 0, or N%)")
        value, relative = float(match.group(1)), bool(match.group(2))
        if relative:
            value /= 100
    if not math.isfinite(value) or value < 0:
        raise ViewError(field, f"{text!r} is not a tolerance (a number >= 0, or N%)")
    return value, relative


def resolve(folder: str, path: str, *, inside_root: bool = True) -> str:
    """``path`` of a view joined to the view's ``folder`` (``/``-separated).

    With ``inside_root`` (a server, whose API paths are relative to its root)
    the result must stay inside the root: ``..`` is fine while it does, a
    path that climbs out raises :class:`ViewError`. Without it (the command
    line, on the filesystem) ``..`` may go anywhere the user's files are.
    A leading ``/`` means the server root on a server.
    """
    if inside_root:
        if path.startswith("/"):
            joined = posixpath.normpath(path)
            if joined.startswith("//"):
                raise ViewError("", f"{path!r} leaves the server root")
            joined = joined.lstrip("/") or "."
        else:
            joined = posixpath.normpath(posixpath.join(folder, path))
        if joined == ".." or joined.startswith("../"):
            raise ViewError("", f"{path!r} leaves the server root")
        return "" if joined == "." else joined
    joined = posixpath.join(folder, path) if folder else path
    return posixpath.normpath(joined)


def is_pattern(path: str) -> bool:
    """Whether a ``notebooks`` entry is a pattern (``*`` or ``?``) rather than a path."""
    return "*" in path or "?" in path


@cache
def _segment(pattern: str) -> re.Pattern:
    """One path segment of a pattern: ``*`` any run, ``?`` one character, nothing else special.

    Brackets stay literal: ``run[1].ipynb`` is a name papermill users write,
    not a character class.
    """
    parts = ("[^/]*" if ch == "*" else "[^/]" if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile("".join(parts), re.DOTALL)


Listing = Callable[[str], "Iterable[tuple[str, bool]] | None"]


def expand(
    folder: str,
    entries: Sequence[str],
    list_dir: Listing,
    *,
    inside_root: bool = True,
    keep: Callable[[str], bool] | None = None,
) -> Expansion:
    """The notebooks ``entries`` name, resolved against the view's ``folder``.

    ``list_dir(path)`` gives ``(name, is_dir)`` for each entry of a folder,
    or ``None`` when the folder cannot be listed (missing, refused, hidden):
    the server answers it through its ContentsManager, the command line
    through ``os.scandir``. A plain entry is kept even if it does not exist
    (the comparison then says ``not_found`` for it). A pattern matches
    notebooks only (``.ipynb``), never hidden names unless the pattern's own
    segment starts with ``.``; ``**`` matches any number of folders, none
    included. ``keep(path)`` may drop matches (generated notebooks); plain
    entries are always kept, as naming a file explicitly means it.
    """
    out: list[str] = []
    seen: set[str] = set()
    truncated: str | None = None
    budget = [MAX_FOLDERS]

    def add(path: str) -> None:
        if path not in seen:
            seen.add(path)
            out.append(path)

    for index, entry in enumerate(entries):
        try:
            path = resolve(folder, entry, inside_root=inside_root)
        except ViewError as exc:
            raise ViewError(f"notebooks[{index}]", exc.message) from None
        if not is_pattern(path):
            add(path)
            continue
        matches, cut = _walk(path, list_dir, budget)
        truncated = truncated or cut
        for match in sorted(matches):
            if keep is None or keep(match):
                add(match)
    return Expansion(out, truncated)


def _walk(pattern: str, list_dir: Listing, budget: list[int]) -> tuple[set[str], str | None]:
    """Every notebook path matching ``pattern``; the walk shares ``budget`` of folders."""
    prefix = "/" if pattern.startswith("/") else ""  # absolute: the CLI on a filesystem
    segments = [s for s in pattern.split("/") if s not in ("", ".")]
    if segments[-1] == "**":  # ``dir/**``: every notebook below dir
        segments.append("*.ipynb")
    found: set[str] = set()
    truncated: str | None = None
    listings: dict[str, list[tuple[str, bool]] | None] = {}

    def listing(folder: str) -> list[tuple[str, bool]] | None:
        nonlocal truncated
        if folder not in listings:
            if budget[0] <= 0:
                truncated = truncated or f"a pattern listed more than {MAX_FOLDERS} folders"
                return None
            budget[0] -= 1
            got = list_dir(prefix + folder)
            listings[folder] = None if got is None else list(got)
        return listings[folder]

    # (folder, index of the segment to match there, depth); ``**`` stays on its index.
    stack: list[tuple[str, int, int]] = [("", 0, 0)]
    visited: set[tuple[str, int]] = set()
    while stack:
        folder, at, depth = stack.pop()
        if (folder, at) in visited:
            continue
        visited.add((folder, at))
        if depth > MAX_DEPTH:
            truncated = truncated or f"a pattern went deeper than {MAX_DEPTH} folders"
            continue
        segment = segments[at]
        last = at == len(segments) - 1
        if segment == "**":
            stack.append((folder, at + 1, depth))  # no folder at all
        elif not is_pattern(segment) and not last:
            stack.append((f"{folder}/{segment}" if folder else segment, at + 1, depth + 1))
            continue
        entries = listing(folder)
        if entries is None:
            continue
        regex = None if segment == "**" else _segment(segment)
        for name, is_dir in entries:
            if name.startswith(".") and not segment.startswith("."):
                continue
            child = f"{folder}/{name}" if folder else name
            if regex is None:
                if is_dir:
                    stack.append((child, at, depth + 1))
            elif regex.fullmatch(name):
                if last:
                    if not is_dir and name.endswith(".ipynb"):
                        found.add(prefix + child)
                elif is_dir:
                    stack.append((child, at + 1, depth + 1))
    return found, truncated


def dump_view(view: Mapping[str, Any], original: Mapping[str, Any] | None = None) -> str:
    """The text of ``view``, keeping ``original``'s unknown fields and field order.

    Fields ``view`` sets to ``None`` are dropped; fields only ``original``
    has (a newer version's, or a user's own notes) are written back as they
    were. Two-space indent and a final newline, so that a repository's diff
    of a saved view is readable.
    """
    merged: dict[str, Any] = dict(original or {})
    for key, value in view.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    merged["nbcompare"] = VIEW_VERSION
    ordered = {"nbcompare": VIEW_VERSION, **{k: v for k, v in merged.items() if k != "nbcompare"}}
    return json.dumps(ordered, indent=2, ensure_ascii=False) + "\n"
