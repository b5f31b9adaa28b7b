"""JupyterHub with two users: the extension behind the hub's proxy, and its walls.

A real hub (DummyAuthenticator with a password, SimpleLocalProcessSpawner,
configurable-http-proxy from npm) spawns one single-user server per user, each
rooted in its own folder. Alice compares her runs through the hub URL; every
way to bob's files is refused: his server with her token, and paths that climb
out of her root.

The hub and both servers are started once for the module. configurable-http-proxy
comes from ``tests/hub`` (``make hub-proxy`` runs ``npm ci`` there; ``make test``
does it first); without it the module is skipped, saying so.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .deployments import free_port, wait_for_http

pytest.importorskip("jupyterhub", reason="jupyterhub is not installed (pip install -e .[test])")

REPO = Path(__file__).resolve().parents[1]
CHP = REPO / "tests" / "hub" / "node_modules" / ".bin" / "configurable-http-proxy"
PASSWORD = "correct horse"


def proxy_command() -> str | None:
    """configurable-http-proxy: the one ``make hub-proxy`` installs, else one on PATH."""
    return str(CHP) if CHP.exists() else shutil.which("configurable-http-proxy")


HUB_CONFIG = """
c = get_config()  # noqa: F821
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
c.ConfigurableHTTPProxy.command = [{proxy!r}]
c.JupyterHub.db_url = "sqlite:///{tmp}/hub.sqlite"
c.JupyterHub.cookie_secret_file = "{tmp}/cookie_secret"
c.JupyterHub.pid_file = "{tmp}/hub.pid"
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {password!r}
c.Authenticator.allowed_users = {{"alice", "bob"}}
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = "{tmp}/users/{{username}}"
c.Spawner.notebook_dir = "{tmp}/users/{{username}}"
c.Spawner.cmd = [{singleuser!r}]
# As root (containers, CI) the single-user servers refuse to start without it.
c.Spawner.args = ["--allow-root", "--NbCompare.parse_processes=0"]
# The code under test, not whatever copy is installed.
c.Spawner.environment = {{"PYTHONPATH": {repo!r}}}
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.JupyterHub.services = [{{"name": "tester", "api_token": {token!r}}}]
c.JupyterHub.load_roles = [{{"name": "admin", "services": ["tester"]}}]
"""


class Hub:
    """A running hub: its port and the admin service's token."""

    def __init__(self, port: int, admin_token: str, users: Path) -> None:
        self.port = port
        self.admin_token = admin_token
        self.users = users
        self.tokens: dict[str, str] = {}

    def request(
        self, method: str, path: str, token: str | None = None, body: object = None
    ) -> tuple[int, dict, bytes]:
        """One request to the hub's public URL (redirects are not followed)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {"Authorization": f"token {token}"} if token else {}
        data = None if body is None else json.dumps(body).encode()
        try:
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def admin(self, method: str, path: str, body: object = None) -> tuple[int, object]:
        """A hub API call as the admin service; answers (status, decoded body)."""
        status, _, data = self.request(method, f"/hub/api/{path}", self.admin_token, body)
        try:
            return status, json.loads(data) if data else None
        except ValueError:
            return status, data.decode(errors="replace")


@pytest.fixture(scope="module")
def hub(example_runs, tmp_path_factory):
    """A hub with alice and bob, both servers started, each with a copy of the runs."""
    proxy = proxy_command()
    if proxy is None:
        pytest.skip("configurable-http-proxy is not installed: run `make hub-proxy`")
    tmp = tmp_path_factory.mktemp("hub")
    users = tmp / "users"
    for user in ("alice", "bob"):
        (users / user / "runs").mkdir(parents=True)
        for path in example_runs.values():
            shutil.copyfile(path, users / user / "runs" / path.name)
    shutil.copyfile(example_runs["ridge_alpha1"], users / "bob" / "secret.ipynb")
    port, token = free_port(), secrets.token_hex(16)
    singleuser = Path(sys.executable).with_name("jupyterhub-singleuser")
    (tmp / "jupyterhub_config.py").write_text(
        HUB_CONFIG.format(
            port=port,
            hub_port=free_port(),
            api_port=free_port(),
            proxy=proxy,
            tmp=tmp,
            password=PASSWORD,
            singleuser=str(singleuser),
            repo=str(REPO),
            token=token,
        )
    )
    env = {**os.environ, "CONFIGPROXY_AUTH_TOKEN": secrets.token_hex(16)}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    log = (tmp / "hub.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyterhub", "-f", str(tmp / "jupyterhub_config.py")],
        cwd=tmp,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    hub = Hub(port, token, users)
    try:
        wait_for_http("127.0.0.1", port, process, timeout=120)
        # The proxy answers (404) before the hub has added its own route.
        deadline = time.monotonic() + 120
        while hub.request("GET", "/hub/api/")[0] != 200:
            assert process.poll() is None, "the hub exited"
            assert time.monotonic() < deadline, "the hub's API did not answer"
            time.sleep(0.2)
        for user in ("alice", "bob"):
            hub.admin("POST", f"users/{user}")
            status, _ = hub.admin("POST", f"users/{user}/server")
            assert status in (201, 202), f"spawning {user} failed; see {tmp / 'hub.log'}"
        for user in ("alice", "bob"):
            _wait_ready(hub, user, process, tmp / "hub.log")
            status, answer = hub.admin("POST", f"users/{user}/tokens", {"note": "test"})
            assert status == 201, answer
            hub.tokens[user] = answer["token"]
        yield hub
    finally:
        for user in ("alice", "bob"):
            try:
                hub.admin("DELETE", f"users/{user}/server")
            except OSError:
                pass
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_ready(hub: Hub, user: str, process: subprocess.Popen, log: Path) -> None:
    """Poll the hub until ``user``'s server is ready (bounded; the hub must stay up)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the hub exited; see {log}"
        _, model = hub.admin("GET", f"users/{user}")
        server = (model.get("servers") or {}).get("")
        if server and server.get("ready"):
            return
        time.sleep(0.25)
    raise AssertionError(f"{user}'s server did not become ready; see {log}")


def compare_as(hub: Hub, owner: str, token: str, paths: list[str]) -> tuple[int, bytes]:
    """POST a compare to ``owner``'s server through the hub, with ``token``."""
    status, _, body = hub.request(
        "POST", f"/user/{owner}/nbcompare/compare", token, {"paths": paths}
    )
    return status, body


def test_alice_compares_her_runs_through_the_hub(hub, example_runs):
    # Given alice's runs in her server's root
    paths = [f"runs/{path.name}" for path in example_runs.values()]
    # When she compares them through the hub's URL with her token
    status, body = compare_as(hub, "alice", hub.tokens["alice"], paths)
    # Then her server answers with every run and their values
    assert status == 200, body
    answer = json.loads(body)
    assert [n["path"] for n in answer["notebooks"]] == paths
    assert {n["status"] for n in answer["notebooks"]} == {"ok", "failed"}
    assert "mse" in {value["name"] for value in answer["values"]}


@pytest.mark.parametrize(
    ("method", "route", "body"),
    [
        ("POST", "nbcompare/compare", {"paths": ["secret.ipynb"]}),
        ("GET", "nbcompare/index?path=runs", None),
        ("GET", "nbcompare/output?path=secret.ipynb&name=residuals_plot", None),
        ("GET", "nbcompare/version", None),
        ("GET", "api/contents/secret.ipynb", None),
    ],
)
def test_bobs_server_refuses_alice(hub, method, route, body):
    # When alice's token (or no token) is sent to bob's server
    for token in (hub.tokens["alice"], None):
        status, headers, data = hub.request(method, f"/user/bob/{route}", token, body)
        # Then it is refused (403, or a redirect to the hub's login), never answered
        assert status in (302, 403), (status, data[:200])
        assert b"mse" not in data
        if status == 302:
            assert "/hub/" in headers["Location"]
    # And bob's own token gets through (the refusal is about alice, not the route)
    status, _, _ = hub.request(method, f"/user/bob/{route}", hub.tokens["bob"], body)
    assert status == 200


@pytest.mark.parametrize(
    "path",
    [
        "../bob/secret.ipynb",
        "runs/../../bob/secret.ipynb",
        "/../bob/runs/ridge_alpha1.ipynb",
        "..%2Fbob%2Fsecret.ipynb",
    ],
)
def test_paths_to_bobs_files_are_not_found_on_alices_server(hub, path):
    alice = hub.tokens["alice"]
    # Given alice's own run beside a path climbing out of her root to bob's files
    own = "runs/ridge_alpha1.ipynb"
    # When she compares them, asks for an image and indexes the folder
    status, body = compare_as(hub, "alice", alice, [own, path])
    quoted = path.replace("/", "%2F")
    output, _, _ = hub.request(
        "GET", f"/user/alice/nbcompare/output?path={quoted}&name=residuals_plot", alice
    )
    folder = quoted.rsplit("%2F", 1)[0]
    index, _, _ = hub.request("GET", f"/user/alice/nbcompare/index?path={folder}", alice)
    # Then her run is compared, bob's file is not_found, and output and index answer 404
    assert status == 200, body
    notebooks = json.loads(body)["notebooks"]
    assert notebooks[0]["status"] in ("ok", "failed")
    assert notebooks[1]["error"]["code"] == "not_found"
    assert (output, index) == (404, 404)
