"""A saved view (``.nbcompare``) on disk: the comparison it names, for the CLI and the API.

:mod:`.core.views` knows the format; this module reads a view file from the
filesystem and resolves it there, once for both faces that run outside a
server: ``jupyter nbcompare sweep.nbcompare`` and
``NotebookCollection.from_view("sweep.nbcompare")``. Paths and patterns are
relative to the view file's own folder and may climb out of it with ``..``
(on a filesystem there is no server root to stay in); patterns are expanded
through ``os.scandir``, sorted by path, and skip the notebooks this extension
generated, as a folder argument does. The file is only ever read.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .core.views import VIEW_SUFFIX, ViewError, expand, is_pattern, parse_view, resolve
from .gates import Gate

__all__ = ["LoadedView", "ViewFileError", "is_view_path", "load_view_file"]

#: A view is a few lines of JSON; a larger file is not one (and is not read whole).
MAX_VIEW_BYTES = 1024 * 1024


class ViewFileError(ViewError):
    """A view file that cannot be used: the file, the field at fault and why.

    ``str()`` reads ``runs/sweep.nbcompare: gates.mse: 'lots' is not a
    tolerance (...)``; ``file``, ``field`` and ``message`` are there apart.
    """

    def __init__(self, file: str, field: str, message: str) -> None:
        super().__init__(field, message)
        self.file = file
        self.args = (f"{file}: {field}: {message}" if field else f"{file}: {message}",)


def is_view_path(path: str | os.PathLike) -> bool:
    """Whether a path names a view file (by its suffix, as JupyterLab opens it)."""
    return os.fspath(path).endswith(VIEW_SUFFIX)


def _list_dir(path: str) -> list[tuple[str, bool]] | None:
    """``(name, is_dir)`` of a folder's entries for :func:`.core.views.expand`."""
    try:
        with os.scandir(path or ".") as entries:
            return [(entry.name, entry.is_dir()) for entry in entries]
    except OSError:
        return None


@dataclass(frozen=True)
class LoadedView:
    """A view file read and resolved: the notebooks to compare and how to show them.

    ``notebooks``: filesystem paths in column order (each pattern's matches
    sorted, generated notebooks left out; a plain entry is kept as written,
    even a folder, which the caller expands as it expands folder arguments).
    ``baseline``: the view's baseline resolved the same way, or ``None``.
    ``view``: the document itself, every field as written. ``truncated``: why
    a pattern's walk stopped early, or ``None``.
    """

    file: str
    view: Mapping[str, Any]
    notebooks: list[str]
    baseline: str | None
    truncated: str | None = None

    @property
    def names(self) -> list[str] | None:
        """The ``names`` to show (``None``: all; an empty list means all too)."""
        return list(self.view.get("names") or []) or None

    @property
    def filter(self) -> str:
        """The panel's filter text (``""``: none)."""
        return self.view.get("filter") or ""

    @property
    def only_differences(self) -> bool:
        """Whether values equal in every notebook are hidden."""
        return bool(self.view.get("only_differences"))

    @property
    def directions(self) -> dict[str, str]:
        """Which way each named value improves (``name`` or ``name.key``)."""
        return dict(self.view.get("directions") or {})

    @property
    def group_by(self) -> list[str] | None:
        """The parameters whose runs form groups (``None``: no groups)."""
        return list(self.view.get("group_by") or []) or None

    @property
    def gates(self) -> list[Gate]:
        """The view's CI gates, as ``--fail-if-worse`` gates."""
        return [
            Gate.from_view(name, tolerance, self.file)
            for name, tolerance in (self.view.get("gates") or {}).items()
        ]


def _read(file: str) -> bytes:
    """The view file's bytes; ``FileNotFoundError`` or :class:`ViewFileError` otherwise."""
    from .core.files import read_limited

    try:
        raw = read_limited(file, MAX_VIEW_BYTES)[0]
    except FileNotFoundError:
        raise FileNotFoundError(f"no such view file: {file}") from None
    except IsADirectoryError:
        raise ViewFileError(file, "", "is not a file") from None
    except PermissionError:
        raise ViewFileError(file, "", "no permission to read it") from None
    except (OSError, ValueError) as error:
        raise ViewFileError(file, "", f"cannot read it: {error}") from None
    if raw is None:
        raise ViewFileError(file, "", f"larger than {MAX_VIEW_BYTES} bytes: not a view")
    return raw


def load_view_file(path: str | os.PathLike) -> LoadedView:
    """Read, validate and resolve the view file at ``path``.

    Raises ``FileNotFoundError`` when there is no such file, and
    :class:`ViewFileError` (a ``ValueError``) naming the field at fault for a
    malformed view (gates included: :func:`.core.views.parse_view` checks
    their tolerances), a baseline that is a pattern, or notebooks that match
    nothing at all.
    """
    file = os.fspath(path)
    try:
        view = parse_view(_read(file))
    except ViewFileError:
        raise
    except ViewError as error:
        raise ViewFileError(file, error.field, error.message) from None
    folder = Path(file).parent.as_posix()
    folder = "" if folder == "." else folder
    from .cli import is_generated

    try:
        expansion = expand(
            folder,
            view["notebooks"],
            _list_dir,
            inside_root=False,
            keep=lambda match: not is_generated(match),
        )
    except ViewError as error:
        raise ViewFileError(file, error.field, error.message) from None
    if not expansion.paths:
        where = folder or "."
        raise ViewFileError(
            file, "notebooks", f"no notebook matches (relative to the view's folder, {where})"
        )
    baseline = view.get("baseline")
    if baseline is not None:
        if is_pattern(baseline):
            raise ViewFileError(file, "baseline", f"{baseline!r} is a pattern: name one notebook")
        baseline = resolve(folder, baseline, inside_root=False)
    return LoadedView(file, view, expansion.paths, baseline, expansion.truncated)
