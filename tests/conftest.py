"""Shared fixtures: a real Jupyter server with the extension loaded."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
from pathlib import Path

import pytest

pytest_plugins = ("pytest_jupyter.jupyter_server", "tests.sweep_runs")


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
        },
        # The servers run inside the pytest process: a start-up collection per
        # test would traverse pytest's objects hundreds of times (it is tested
        # on its own in test_gc_freeze.py).
        # Likewise, worker processes per test would cost seconds each; the
        # tests of processes turn them on (test_api_compare.py).
        # The persistent record store is off too: many tests empty the
        # in-memory cache to force a cold compare, and would otherwise find
        # the records on disk (test_store.py turns it on and tests it).
        "NbCompare": {"gc_collect_after": 0, "parse_processes": 0, "record_store_bytes": 0},
    }


REPO = Path(__file__).resolve().parents[1]
#: The real-notebook corpus: other projects' test notebooks, fetched into a git-ignored
#: cache inside the checkout by ``scripts/fetch-corpus.py`` (``make pytest`` runs it).
CORPUS = REPO / ".cache" / "corpus" / "real"
#: Written last by the fetch script; without it the corpus is missing or half-made.
CORPUS_STAMP = CORPUS / ".complete.json"


def corpus_file(relative: str) -> Path:
    """A file of the corpus by its path there; fails (not skips) when it was never fetched."""
    require_corpus()
    return CORPUS / relative


def require_corpus() -> None:
    """Fail the test with the command that fetches the corpus when it is not there."""
    if not CORPUS_STAMP.is_file():
        pytest.fail(
            f"the real-notebook corpus is missing from {CORPUS}: run "
            "`python scripts/fetch-corpus.py` (or `make pytest`, which runs it)",
            pytrace=False,
        )


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


def marked_generated(raw: bytes) -> bytes:
    """A notebook's bytes with ``metadata.nbcompare.generated``, as the panel's export writes it.

    A real run marked so still carries its values: whatever leaves it out
    (index, folders, patterns) is seen to, not merely finding nothing in it.
    """
    nb = json.loads(raw)
    nb["metadata"]["nbcompare"] = {"generated": True}
    return json.dumps(nb).encode()


#: The example's saved view, committed beside ``examples/generate.py``.
EXAMPLE_VIEW = REPO / "examples" / "sweep.nbcompare"


@pytest.fixture
def example_view(tmp_path, example_runs) -> Path:
    """``examples/sweep.nbcompare`` in a copy of ``examples/`` whose ``runs/`` are the example runs.

    The runs are copies (a test may add a regression to the folder); answers
    the view's path, as a user would type it from the repository root.
    """
    runs = tmp_path / "examples" / "runs"
    runs.mkdir(parents=True)
    for path in example_runs.values():
        shutil.copyfile(path, runs / path.name)
    view = tmp_path / "examples" / EXAMPLE_VIEW.name
    shutil.copyfile(EXAMPLE_VIEW, view)
    return view


def write_view(path: Path, **fields) -> Path:
    """A view file with these fields (``nbcompare: 1`` added)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"nbcompare": 1, **fields}))
    return path


@pytest.fixture
def settings_view(example_runs, tmp_path) -> Path:
    """``views/v.nbcompare`` over ``../runs``: names, a filter, only differences,
    a direction and groups. Of its rows, only ``metrics.mae``, ``config.alpha``
    and ``config.n_samples`` hold an "a" and differ (``ridge_small_n`` has 40
    samples)."""
    runs = tmp_path / "runs"
    runs.mkdir()
    for stem in ("ridge_alpha1", "ridge_alpha10", "ridge_small_n", "ols_seed1"):
        shutil.copyfile(example_runs[stem], runs / f"{stem}.ipynb")
    return write_view(
        tmp_path / "views" / "v.nbcompare",
        notebooks=["../runs/ridge_*.ipynb", "../runs/ols_seed1.ipynb"],
        baseline="../runs/ridge_alpha10.ipynb",
        names=["mse", "metrics", "config"],
        filter="A",
        only_differences=True,
        directions={"metrics.mae": "higher"},
        group_by=["model"],
    )


@pytest.fixture(scope="session")
def corpus_notebooks() -> list[Path]:
    """Every notebook of the real-world corpus, some invalid on purpose."""
    require_corpus()
    found = sorted(CORPUS.rglob("*.ipynb"))
    assert found, f"corpus not found at {CORPUS}"
    return found


# --------------------------------------------------------------------------
# Server-side fixtures (REST API tests): both read paths, fixture integrity.


def _sha256_of(files) -> dict[str, str]:
    """sha256 of every file, keyed by its path (what "unchanged" means here)."""
    return {str(f): hashlib.sha256(Path(f).read_bytes()).hexdigest() for f in files}


@pytest.fixture(scope="session", autouse=True)
def corpus_never_written():
    """The whole suite leaves every corpus file byte-for-byte as it found it.

    The extension only ever reads notebooks; tests serve the corpus to the
    server in place (through a symlink), so a write anywhere would show here.
    """
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file())
    before = _sha256_of(files)
    yield
    assert _sha256_of(files) == before, "a corpus file changed during the test session"


@pytest.fixture(scope="session")
def pristine_example_runs(example_runs) -> dict[str, Path]:
    """``example_runs``, hashed when made and checked again at the end of the session.

    Tests that serve the runs in place (not copies) use this one, so the
    session fails if the server ever wrote to a notebook it read.
    """
    before = _sha256_of(example_runs.values())
    yield example_runs
    assert _sha256_of(example_runs.values()) == before, "an example run changed"


@pytest.fixture(params=["fast", "generic"])
def read_path(request, jp_serverapp) -> str:
    """Run a test once with the fast file path and once with the generic one.

    ``NbCompare.fast_path`` is read at every request, so flipping it on the
    running server forces each read path; every result and every security
    rule must hold on both.
    """
    config = jp_serverapp.web_app.settings["nbcompare"]
    config.fast_path = request.param == "fast"
    service = jp_serverapp.web_app.settings["nbcompare_service"]
    assert service.uses_fast_path is (request.param == "fast")
    return request.param


@pytest.fixture
def served_runs(jp_root_dir, pristine_example_runs) -> list[str]:
    """The example runs served in place as ``runs/`` (a symlink into the root).

    Answers their API paths in the generator's grid order. The server reads
    the session's original files, so ``pristine_example_runs`` proves at the
    end that none was written.
    """
    first = next(iter(pristine_example_runs.values()))
    (jp_root_dir / "runs").symlink_to(first.parent, target_is_directory=True)
    return [f"runs/{p.name}" for p in pristine_example_runs.values()]


@pytest.fixture
def served_corpus(jp_root_dir, corpus_notebooks) -> list[str]:
    """The corpus served in place as ``corpus/``; answers every notebook's API path."""
    (jp_root_dir / "corpus").symlink_to(CORPUS, target_is_directory=True)
    return [f"corpus/{p.relative_to(CORPUS).as_posix()}" for p in corpus_notebooks]


def tagged_notebook(values: dict[str, list[dict]], **metadata) -> dict:
    """A minimal nbformat 4 notebook: one code cell per tag, holding ``outputs``.

    For hand-made edge cases (an SVG image, a secret in a hidden file) that
    papermill runs do not contain.
    """
    cells = [
        {
            "cell_type": "code",
            "execution_count": 1,
            "id": f"cell-{position}",
            "metadata": {"tags": [tag]},
            "outputs": outputs,
            "source": f"# {tag}",
        }
        for position, (tag, outputs) in enumerate(values.items())
    ]
    return {"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}


def text_output(text: str) -> dict:
    """An ``execute_result`` whose plain-text repr is ``text``."""
    return {
        "output_type": "execute_result",
        "execution_count": 1,
        "data": {"text/plain": text},
        "metadata": {},
    }


@pytest.fixture
def write_notebook(jp_root_dir):
    """Write a notebook dict (or raw bytes/str) under the root; answer its path."""

    def write(relative: str, content) -> Path:
        target = jp_root_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, dict):
            content = json.dumps(content)
        if isinstance(content, str):
            content = content.encode("utf-8")
        target.write_bytes(content)
        return target

    return write


def png_bytes(width: int, height: int) -> bytes:
    """A valid grey PNG of the given size, built by hand (no imaging library)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(pixels))
        + chunk(b"IEND", b"")
    )


def image_output(mime: str, payload: bytes | str) -> dict:
    """A ``display_data`` output holding one image as nbformat stores it.

    PNG/JPEG/GIF are base64 text; SVG is the XML text itself.
    """
    import base64

    if mime == "image/svg+xml":
        data = payload.decode() if isinstance(payload, bytes) else payload
    else:
        data = base64.b64encode(payload).decode("ascii")
    return {
        "output_type": "display_data",
        "data": {mime: data, "text/plain": "<Figure>"},
        "metadata": {},
    }


async def compare(jp_fetch, paths: list[str] | None = None, **request) -> dict:
    """POST a compare request (``paths`` and any other fields); answer the decoded body.

    Raises on a non-2xx answer (jp_fetch does), and checks that it is JSON.
    """
    if paths is not None:
        request["paths"] = paths
    # pytest-jupyter's 20 s default is too short for a cold compare of the
    # corpus in worker processes on a loaded 2-CPU machine.
    response = await jp_fetch(
        "nbcompare", "compare", method="POST", body=json.dumps(request), request_timeout=120
    )
    assert response.code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    return json.loads(response.body)


#: A small experiment for what the example template lacks: a dict-valued
#: parameter, a cell that shows two figures, and a metric that is infinite.
_SWEEP_TEMPLATE_CELLS = [
    (
        ["parameters"],
        'model_params = {"max_depth": 4, "n_estimators": 100}\nthreshold = 0.5\nfail = False',
    ),
    (
        [],
        "import matplotlib.pyplot as plt\nfrom IPython.display import display\n"
        'plt.rcParams["figure.dpi"] = 40\ndepth = model_params["max_depth"]',
    ),
    (
        ["curves"],
        "roc, ax = plt.subplots(figsize=(2, 2))\n"
        "ax.plot([0, 0.1 * depth / 8, 1], [0, 0.9, 1])\ndisplay(roc)\nplt.close(roc)\n"
        "matrix, ax = plt.subplots(figsize=(3, 2))\n"
        "ax.imshow([[depth, 1], [2, 10 - depth]])\ndisplay(matrix)\nplt.close(matrix)",
    ),
    (["score"], "print(0.8 + depth / 100)"),
    (["overflow"], 'print({"loss": float("inf"), "acc": 0.5})'),
    (["check"], 'if fail:\n    raise ValueError(f"max_depth {depth} is too deep")\nprint("fine")'),
    (["after"], "print(depth)"),
]


@pytest.fixture(scope="session")
def sweep_runs(tmp_path_factory) -> dict[str, Path]:
    """Real papermill runs of a small sweep over a dict-valued ``model_params``.

    ``depth4`` and ``depth8`` succeed; ``deep_failed`` raises in its ``check``
    cell, so its ``after`` cell never runs. Every run's ``curves`` cell shows
    two figures (two outputs, two ``parts``), and ``overflow`` holds an
    infinite loss, equal in every run.
    """
    import nbformat
    import papermill as pm

    out = tmp_path_factory.mktemp("sweep_runs")
    template = nbformat.v4.new_notebook()
    template.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    for tags, source in _SWEEP_TEMPLATE_CELLS:
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["tags"] = tags
        template.cells.append(cell)
    source = out / "template.ipynb"
    nbformat.write(template, source)
    runs = {
        # papermill's order on purpose not sorted: n_estimators, then max_depth
        "depth4": {"threshold": 0.3, "model_params": {"n_estimators": 50, "max_depth": 4}},
        "depth8": {"threshold": 0.3, "model_params": {"n_estimators": 50, "max_depth": 8}},
        "deep_failed": {"model_params": {"n_estimators": 50, "max_depth": 9}, "fail": True},
    }
    paths = {}
    for stem, parameters in runs.items():
        target = out / f"{stem}.ipynb"
        try:
            pm.execute_notebook(
                str(source),
                str(target),
                parameters=parameters,
                kernel_name="python3",
                progress_bar=False,
                log_output=False,
            )
        except pm.PapermillExecutionError:
            pass  # kept on purpose: the failed run is part of the sweep
        paths[stem] = target
    source.unlink()  # only the runs stay in the folder
    return paths
