"""Server-side configuration of the extension (``c.NbCompare.<name>``)."""

from __future__ import annotations

from traitlets import Int
from traitlets.config import Configurable


class NbCompare(Configurable):
    """Limits that protect the server from oversized requests and files.

    Each limit exists so that a single request can neither exhaust memory nor
    stall the event loop; every one can be raised by an administrator who knows
    their notebooks are larger.
    """

    max_notebooks = Int(
        1000,
        help="Most notebooks one compare request may name; more answer 413.",
    ).tag(config=True)

    max_notebook_bytes = Int(
        50 * 1024 * 1024,
        help=(
            "Largest notebook file (bytes) that is read; a larger one gets the "
            "per-notebook error 'too_large' instead of being parsed."
        ),
    ).tag(config=True)

    cache_bytes = Int(
        256 * 1024 * 1024,
        help=(
            "Byte budget of the cache of extracted values, keyed by path and "
            "modification time, so that an unchanged notebook is parsed once."
        ),
    ).tag(config=True)

    index_max_notebooks = Int(
        5000,
        help="Most notebooks one index scan reads; beyond it the answer is truncated.",
    ).tag(config=True)

    index_max_depth = Int(
        8,
        help="Deepest folder level a recursive index scan descends into.",
    ).tag(config=True)
