"""Compare experiments stored as executed Jupyter notebooks.

The package has three faces on one pure core (:mod:`jupyterlab_nbcompare.core`):
a jupyter_server extension (REST API under ``nbcompare/``), a prebuilt
JupyterLab 4 extension, and a Python API / command line.
"""

from __future__ import annotations

try:
    from ._version import __version__
except ImportError:  # pragma: no cover - only when the package was never built
    import warnings

    warnings.warn("Importing 'jupyterlab_nbcompare' outside a proper installation.", stacklevel=2)
    __version__ = "dev"

__all__ = ["NotebookCollection", "NotebookIntrospector", "__version__"]


def __getattr__(name: str):
    """Import the Python API on first use, so the server extension stays cheap to load."""
    if name in ("NotebookCollection", "NotebookIntrospector"):
        from . import collection

        return getattr(collection, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """Tell JupyterLab where the prebuilt frontend lives."""
    return [{"src": "labextension", "dest": "jupyterlab-nbcompare"}]


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    """Tell jupyter_server which module loads the REST handlers."""
    return [{"module": "jupyterlab_nbcompare"}]


def _load_jupyter_server_extension(server_app) -> None:
    """Register the REST handlers with the running server.

    Kept tiny on purpose: configuration lives in :class:`~.app.NbCompare`, routes
    in :mod:`.handlers`.
    """
    from .app import NbCompare
    from .handlers import setup_handlers

    settings = server_app.web_app.settings
    settings["nbcompare"] = NbCompare(parent=server_app)
    setup_handlers(server_app.web_app)
    server_app.log.info("jupyterlab_nbcompare %s: REST API at nbcompare/", __version__)


# Older jupyter_server versions look for this name.
load_jupyter_server_extension = _load_jupyter_server_extension
