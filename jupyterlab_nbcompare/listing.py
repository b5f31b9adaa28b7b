"""The notebooks below a folder, by the manager's listing rules (for ``GET nbcompare/index``).

The generic path asks the manager for each folder
(:meth:`.reading.generic.GenericReader.model`); the fast path applies the
same rules itself, in a worker thread, one call per folder. Either way the
scan is bounded, and enters every folder once however many links lead to it.
"""

from __future__ import annotations

import fnmatch
import functools
import os
import re
import stat as stat_module
import sys
import time
from collections.abc import Callable, Hashable
from typing import Any, NamedTuple

from jupyter_core.paths import UF_HIDDEN
from jupyter_core.paths import is_file_hidden as jupyter_is_file_hidden
from jupyter_core.paths import is_hidden as jupyter_is_hidden
from jupyter_server.services.contents.manager import ContentsManager
from tornado.web import HTTPError

from .app import NbCompare
from .pools import Pools
from .reading.generic import GenericReader
from .reading.loaded import Loaded
from .scans import ScanProgress

#: The refusal of a path that is not a folder Jupyter shows (``index`` and its progress).
NO_DIRECTORY = "No such directory."


class Scan(NamedTuple):
    """What a scan found: notebook paths (sorted), why it was cut, and each one's stamp."""

    paths: list[str]
    reason: str | None
    #: Per path, what changes whenever its file does (``None``: unknown).
    stamps: dict[str, Hashable | None]


def file_stamp(os_path: str, info: os.stat_result) -> Hashable | None:
    """What changes whenever the file (or the file a link points to) changes.

    Device, inode, size, and the modification and change times in
    nanoseconds: a rewrite, a rename over it, a ``touch`` or a ``chmod``
    (which can make it unreadable) all give a new stamp. ``info`` is the
    entry's ``lstat``; a link is followed. ``None`` for a broken link.
    """
    if stat_module.S_ISLNK(info.st_mode):
        try:
            info = os.stat(os_path)
        except (OSError, ValueError):
            return None
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def model_stamp(model: dict) -> Hashable | None:
    """A remote manager's stamp of a listed file: its ``last_modified`` and ``size``."""
    modified = model.get("last_modified")
    if modified is None:
        return None
    return (str(modified), model.get("size"))


@functools.lru_cache(maxsize=16)
def _hide_pattern(globs: tuple[str, ...]) -> re.Pattern[str] | None:
    """One regular expression matching what any of ``globs`` matches (``fnmatch``'s rules)."""
    if not globs:
        return None
    return re.compile("|".join(fnmatch.translate(os.path.normcase(glob)) for glob in globs))


def name_filter(contents_manager: Any) -> Callable[[str], bool]:
    """The manager's ``should_list``, as one compiled pattern when it is the stock one.

    ``ContentsManager.should_list`` runs ``fnmatch`` once per glob per name,
    which is most of what listing a folder of thousands of notebooks costs;
    the same globs as one pattern answer the same. A manager that overrides
    ``should_list`` keeps its own.
    """
    own = getattr(contents_manager, "__dict__", {}).get("should_list")
    stock = getattr(type(contents_manager), "should_list", None) is ContentsManager.should_list
    if own is not None or not stock:
        return contents_manager.should_list
    pattern = _hide_pattern(tuple(contents_manager.hide_globs))
    if pattern is None:
        return lambda name: True
    return lambda name: pattern.match(os.path.normcase(name)) is None


def is_entry_hidden(os_path: str, name: str, info: os.stat_result) -> bool:
    """``jupyter_core``'s ``is_file_hidden`` for a listed entry whose ``lstat`` is ``info``.

    For a regular file on POSIX that function's whole test is the leading dot
    and the ``UF_HIDDEN`` flag (no further ``stat``, no access check); it is
    answered here without building a ``Path`` for each of thousands of files.
    Folders, links and other platforms go to ``is_file_hidden`` itself.
    """
    if sys.platform != "win32" and stat_module.S_ISREG(info.st_mode):
        return name.startswith(".") or bool(getattr(info, "st_flags", 0) & UF_HIDDEN)
    return jupyter_is_file_hidden(os_path, stat_res=info)


class NotebookLister:
    """Scans folders of one contents manager for notebooks."""

    def __init__(
        self, contents_manager: Any, config: NbCompare, pools: Pools, generic: GenericReader
    ) -> None:
        """List through ``contents_manager`` (or ``generic``), in ``pools``' threads."""
        self.contents_manager = contents_manager
        self.config = config
        self.pools = pools
        self.generic = generic

    def _fast_folder(self, directory: str) -> tuple[str, list[str]] | None:
        """A folder Jupyter shows, and its entries' names; ``None`` if refused (worker thread).

        The folder must be inside the root, a directory, not hidden (unless
        allowed) and listable: the rules of ``FileContentsManager._dir_model``.
        """
        cm = self.contents_manager
        api = directory.strip("/")
        try:
            os_dir = cm._get_os_path(api)
        except HTTPError:
            return None
        if not os.path.isdir(os_dir):
            return None
        if not cm.allow_hidden and jupyter_is_hidden(os_dir, os.path.abspath(cm.root_dir)):
            return None
        try:
            return os_dir, os.listdir(os_dir)
        except OSError:
            return None

    def _fast_listing(self, directory: str) -> list[dict] | None:
        """The manager's listing rules, without its per-entry model (worker thread).

        Mirrors ``FileContentsManager._dir_model``: the folder must be one
        Jupyter shows (:meth:`_fast_folder`); entries
        that are not files, folders or links, names matching ``hide_globs``
        and hidden entries are left out (a broken link is listed, as Jupyter
        lists it; reading it then answers ``not_found``). Answers children as
        ``{"name", "path", "type"}`` (the fields the scan uses), a notebook's
        also with its ``stamp`` (:func:`file_stamp`), or ``None``.
        """
        cm = self.contents_manager
        api = directory.strip("/")
        folder = self._fast_folder(directory)
        if folder is None:
            return None
        os_dir, names = folder
        should_list = name_filter(cm)
        children = []
        for name in names:
            os_path = os.path.join(os_dir, name)
            try:
                info = os.lstat(os_path)
                mode = info.st_mode
                link = stat_module.S_ISLNK(mode)
                if not (link or stat_module.S_ISREG(mode) or stat_module.S_ISDIR(mode)):
                    continue
                if not should_list(name):
                    continue
                if not cm.allow_hidden and is_entry_hidden(os_path, name, info):
                    continue
                # A link is followed, as the manager does; else the lstat says it.
                is_dir = os.path.isdir(os_path) if link else stat_module.S_ISDIR(mode)
            except (OSError, ValueError):
                continue
            kind = "directory" if is_dir else "file"
            child = {"name": name, "path": f"{api}/{name}" if api else name, "type": kind}
            if not is_dir and name.endswith(".ipynb"):
                child["stamp"] = file_stamp(os_path, info)
            children.append(child)
        return sorted(children, key=lambda child: child["name"])

    def _folder_identity(self, directory: str) -> Hashable:
        """What makes two API paths the same folder (worker thread): device and inode.

        A folder reached through links (``loop -> .``) has one identity
        however many paths lead to it. A manager without files on disk has
        no links: there the API path is the identity.
        """
        api = directory.strip("/")
        try:
            info = os.stat(self.contents_manager._get_os_path(api))
        except (AttributeError, HTTPError, OSError, ValueError, TypeError):
            return ("api", api)
        return (info.st_dev, info.st_ino)

    async def check_folder(self, path: str, fast: bool) -> None:
        """Refuse ``path`` exactly as :meth:`scan` does, without scanning it.

        Raises ``HTTPError(404)`` when ``path`` is not a directory Jupyter
        shows (outside the root, hidden, missing, a file, refused by the
        manager): what ``GET nbcompare/index/progress`` answers for a path
        the index itself would refuse.
        """
        if fast:
            shown = await self.pools.in_thread(self._fast_folder, path) is not None
        else:
            model = await self.generic.model(path, content=False, type="directory")
            shown = not isinstance(model, Loaded) and model.get("type") == "directory"
        if not shown:
            raise HTTPError(404, NO_DIRECTORY)

    async def list_notebooks(
        self,
        path: str,
        recursive: bool,
        fast: bool,
        cancelled: Callable[[], bool] | None = None,
    ) -> tuple[list[str], str | None]:
        """The paths and the reason of :meth:`scan` (its stamps left out)."""
        found = await self.scan(path, recursive, fast, cancelled)
        return found.paths, found.reason

    async def scan(
        self,
        path: str,
        recursive: bool,
        fast: bool,
        cancelled: Callable[[], bool] | None = None,
        progress: ScanProgress | None = None,
    ) -> Scan:
        """Notebook paths below a directory, by the manager's listing rules.

        Hidden entries (unless allowed) and the manager's ``hide_globs`` are
        left out. The generic path asks the manager for each folder; the fast
        path (``fast``) applies the same rules in a worker thread, one call per
        folder.
        Every folder is entered once, however many links lead to it (the first
        path in scan order names its notebooks): a folder of links to itself
        cannot keep the scan busy. The scan is bounded by ``index_max_notebooks``,
        ``index_max_depth``, ``index_max_folders`` and ``index_max_seconds``, and
        stops between two folders once ``cancelled()`` (the client went away).
        ``progress``, when given, counts each folder entered and each notebook
        found as the scan goes (``GET nbcompare/index/progress``).
        Answers a :class:`Scan`: the paths sorted, the option that cut the
        scan or ``None``, and each notebook's stamp from its folder's listing
        (:func:`file_stamp` on the fast path, :func:`model_stamp` on the
        generic one). Raises ``HTTPError(404)`` when ``path`` is not a directory Jupyter shows.
        """
        config = self.config
        limit = max(0, int(config.index_max_notebooks))
        max_depth = max(0, int(config.index_max_depth))
        max_folders = max(1, int(config.index_max_folders))
        deadline = time.monotonic() + float(config.index_max_seconds)
        root = path.strip("/")
        seen: set[Hashable] = set()

        def fast_listing(directory: str) -> tuple[Hashable, list[dict] | None]:
            return self._folder_identity(directory), self._fast_listing(directory)

        async def listing(directory: str) -> list[dict] | None:
            """The folder's children, or ``None`` when refused or already seen."""
            if fast:
                identity, children = await self.pools.in_thread(fast_listing, directory)
            else:
                model = await self.generic.model(directory, content=True, type="directory")
                if isinstance(model, Loaded) or model.get("type") != "directory":
                    return None
                children = sorted(model.get("content") or [], key=lambda child: child["name"])
                identity = await self.pools.in_thread(self._folder_identity, directory)
            if children is None or identity in seen:
                return None
            seen.add(identity)
            if progress is not None:
                progress.add(folders=1)
            return children

        def stop_reason() -> str | None:
            if cancelled is not None and cancelled():
                return "disconnected"
            if len(seen) >= max_folders:
                return "index_max_folders"
            if time.monotonic() >= deadline:
                return "index_max_seconds"
            return None

        top = await listing(root)
        if top is None:
            raise HTTPError(404, NO_DIRECTORY)
        found: list[str] = []
        stamps: dict[str, Hashable | None] = {}
        reason: str | None = None
        stopped = False
        stack: list[tuple[list[dict], int]] = [(top, 0)]
        while stack and not stopped:
            children, depth = stack.pop()
            subdirectories = []
            before = len(found)
            for child in children:
                if child.get("type") == "directory":
                    subdirectories.append(child["path"])
                elif child["name"].endswith(".ipynb"):
                    if len(found) >= limit:
                        reason, stopped = "index_max_notebooks", True
                        break
                    found.append(child["path"])
                    stamps[child["path"]] = child.get("stamp") if fast else model_stamp(child)
            if progress is not None and len(found) > before:
                progress.add(notebooks=len(found) - before)
            if not recursive or stopped or not subdirectories:
                continue
            if depth + 1 > max_depth:
                # Only this branch is cut: its siblings are still listed.
                reason = "index_max_depth"
                continue
            below = []
            for directory in subdirectories:  # in path order: the first path wins
                cut = stop_reason()
                if cut is not None:
                    reason, stopped = cut, True
                    break
                children_below = await listing(directory)
                if children_below is not None:
                    below.append((children_below, depth + 1))
            stack.extend(reversed(below))
        return Scan(sorted(found), reason, stamps)
