"""Shared fixtures: a real Jupyter server with the extension loaded."""

from __future__ import annotations

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
