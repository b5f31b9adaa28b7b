"""Schema fuzzing: schemathesis against ``openapi.yaml`` on a live server.

A real ``jupyter server`` (a subprocess, so that schemathesis' synchronous
HTTP client never blocks an event loop the server shares) serves the example
papermill runs. Schemathesis generates requests from the description, valid
and invalid, for every operation, and checks each answer: never a 5xx, a
status code the operation documents, the documented content type and headers,
and a body that matches the response schema.

The number of examples is bounded and the generation derandomized, so the test
is repeatable and quick; the value is the breadth of inputs (empty and odd
query values, huge integers, stray fields), which is where the hand-written
conformance tests (``test_openapi.py``) found nothing and a fuzz found two
defects (``part=1234567890`` answered 400 instead of 404; ``recursive=yes``
was accepted).
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import pytest

from .deployments import free_port, wait_for_http

schemathesis = pytest.importorskip("schemathesis", reason="pip install -e .[test]")
from hypothesis import HealthCheck, settings  # noqa: E402

SCHEMA = schemathesis.openapi.from_path(str(files("jupyterlab_nbcompare").joinpath("openapi.yaml")))


class LiveServer:
    """A ``jupyter server`` subprocess with the extension, on a free loopback port."""

    def __init__(self, root: Path, home: Path) -> None:
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "JUPYTER_CONFIG_DIR": str(home / "config"),
            "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
            "JUPYTER_DATA_DIR": str(home / "data"),
            "JUPYTER_PLATFORM_DIRS": "1",
        }
        self.log = (home / "server.log").open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyter_server",
                "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.port={self.port}",
                "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={self.token}",
                f"--ServerApp.root_dir={root}",
                "--ServerApp.open_browser=False",
                "--ServerApp.allow_root=True",
                "--ServerApp.jpserver_extensions={'jupyterlab_nbcompare': True}",
            ],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_http("127.0.0.1", self.port, self.process, timeout=120)
        except Exception:
            self.stop()
            raise

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"}

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@pytest.fixture(scope="module")
def live_server(example_runs, tmp_path_factory):
    """The example runs (one failed), at the root and under ``runs/``, served live."""
    root = tmp_path_factory.mktemp("fuzz-root")
    (root / "runs").mkdir()
    for path in example_runs.values():
        shutil.copyfile(path, root / path.name)
        shutil.copyfile(path, root / "runs" / path.name)
    server = LiveServer(root, tmp_path_factory.mktemp("fuzz-home"))
    yield server
    server.stop()


@SCHEMA.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_answers_conform_to_the_description(case, live_server):
    """Whatever is sent, the answer is documented, well-typed and never a 5xx.

    Every check schemathesis has runs, but one: ``positive_data_acceptance``
    expects each schema-valid request to succeed, and the contract has rules
    across fields that a schema cannot state (the baseline must be one of
    ``paths``; a path must be a notebook inside the root), answered 400 as
    documented.
    """
    response = case.call(base_url=live_server.url, headers=live_server.headers, timeout=60)
    case.validate_response(response, excluded_checks=[schemathesis.checks.positive_data_acceptance])


def test_the_fuzz_reaches_the_server(live_server):
    """The live server is the extension's: a known request gets a real answer."""
    import requests

    answer = requests.post(
        f"{live_server.url}/nbcompare/compare",
        json={"paths": ["ridge_alpha1.ipynb", "runs/ridge_alpha10.ipynb"]},
        headers=live_server.headers,
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    assert [nb["path"] for nb in answer.json()["notebooks"]] == [
        "ridge_alpha1.ipynb",
        "runs/ridge_alpha10.ipynb",
    ]
    refused = requests.get(f"{live_server.url}/nbcompare/version", timeout=60)
    assert refused.status_code == 403
    wrong = requests.put(
        f"{live_server.url}/nbcompare/compare", headers=live_server.headers, timeout=60
    )
    assert (wrong.status_code, wrong.headers.get("Allow")) == (405, "POST, OPTIONS")
