"""Which paths may be read, and whether the fast path may read them.

Every path is resolved and checked by the server's ContentsManager (root
containment, the hidden-file rule, missing files), so the extension refuses
exactly what Jupyter refuses. The fast path (:mod:`.reading.fast`) is taken
only for a manager whose rules it can follow exactly
(:func:`keeps_stock_rules`), and checks the hidden-file rule by the names
alone (:func:`hidden_by_name`), without the cost of the manager's ``get``.
"""

from __future__ import annotations

import os
from typing import Any

from jupyter_core.paths import is_hidden as jupyter_is_hidden
from jupyter_server.services.contents.filemanager import (
    AsyncFileContentsManager,
    FileContentsManager,
)

#: The stock file managers whose rules the fast path mirrors, most derived first.
_STOCK_MANAGERS = (AsyncFileContentsManager, FileContentsManager)
#: Every method the stock ``get`` relies on to decide whether a path may be
#: read, and what it holds (jupyter_server's ``filemanager``/``fileio``). A
#: manager that overrides any of them may refuse, hide or add files in ways the
#: fast path cannot know, so it is only ever read through its ``get``.
ACCESS_METHODS = (
    "get",
    "_get_os_path",
    "is_hidden",
    "exists",
    "file_exists",
    "dir_exists",
    "should_list",
    "_base_model",
    "_dir_model",
    "_notebook_model",
    "_file_model",
    "_read_notebook",
    "_read_file",
    "open",
    "validate_notebook_model",
    "mark_trusted_cells",
)
#: Whether this platform has BSD file flags (``UF_HIDDEN``); there the fast
#: hidden check defers to jupyter_core's, which reads them.
_HAS_FILE_FLAGS = hasattr(os.stat_result, "st_flags")


def hidden_by_name(os_path: str, root: str) -> bool:
    """jupyter_core's ``is_hidden`` rule for a file below ``root``, without its syscalls.

    On platforms without BSD file flags (Linux), ``is_hidden`` hides a file
    when a path component below the root starts with a dot, or when a
    *directory* cannot be listed. The fast path only reads regular files and
    gets ``os_path`` from the manager already normalised and inside the root,
    so the rule reduces to the component names; this matters because the full
    check costs about as much as parsing a small notebook. Where file flags
    exist, the full check is used.
    """
    if _HAS_FILE_FLAGS:
        return jupyter_is_hidden(os_path, root)
    if os_path == root:
        return False
    relative = os_path[len(root) :].lstrip(os.sep)
    return any(part.startswith(".") for part in relative.split(os.sep))


def keeps_stock_rules(manager: Any) -> bool:
    """Whether ``manager`` decides access and content exactly as a stock file manager.

    True only for a (subclass of a) stock file manager in which every method of
    :data:`ACCESS_METHODS` is the stock one, on the class and on the instance:
    a subclass that refuses ``private/`` in its ``get`` (403 on
    ``/api/contents``) must refuse it here too, and one that serves more than
    the disk holds must be asked for it.
    """
    stock = next((base for base in type(manager).__mro__ if base in _STOCK_MANAGERS), None)
    if stock is None:
        return False
    own = getattr(manager, "__dict__", {})
    return all(
        name not in own and getattr(type(manager), name, None) is getattr(stock, name)
        for name in ACCESS_METHODS
    )
