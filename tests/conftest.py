"""Shared fixtures: a real Jupyter server with the extension loaded."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

pytest_plugins = ("pytest_jupyter.jupyter_server",)


@pytest.fixture
def jp_server_config(jp_server_config):
    """Load our extension, and fail loudly if it cannot load."""
    return {
        "ServerApp": {
            "jpserver_extensions": {"jupyterlab_nbcompare": True},
            "reraise_server_extension_failures": True,
            # pytest-jupyter allows unauthenticated handlers by default; we
            # want the server's own check, which warns about any route of ours
            # that lacks @tornado.web.authenticated (an error, see pyproject).
            "allow_unauthenticated_access": False,
        }
    }


REPO = Path(__file__).resolve().parents[1]
#: The real-notebook corpus beside the checkout (shared/ is read-only).
CORPUS = REPO.parent / "shared" / "corpus" / "real"


def _load_generator():
    spec = importlib.util.spec_from_file_location(
        "nbcompare_examples", REPO / "examples" / "generate.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def example_runs(tmp_path_factory) -> dict[str, Path]:
    """Real papermill runs of ``examples/template.ipynb`` (once per test session).

    Keyed by file stem (``ridge_alpha1``, ``ridge_diverged`` ...). The runs are
    executed for real, so the tests see exactly what papermill, numpy 2,
    pandas, matplotlib and scrapbook write.
    """
    out = tmp_path_factory.mktemp("example_runs")
    paths = _load_generator().generate(out)
    return {p.stem: p for p in paths}


@pytest.fixture(scope="session")
def corpus_notebooks() -> list[Path]:
    """Every notebook of the shared real-world corpus, some invalid on purpose."""
    found = sorted(CORPUS.rglob("*.ipynb"))
    assert found, f"corpus not found at {CORPUS}"
    return found
