"""REST handlers: parse the request, call the core, shape the response.

The contract is ``shared/api.md``; ``openapi.yaml`` beside this file describes it.
"""

from __future__ import annotations

import json

import tornado
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join

from . import __version__


class VersionHandler(APIHandler):
    """``GET nbcompare/version``: lets the frontend check it talks to a matching server."""

    @tornado.web.authenticated
    async def get(self) -> None:
        """Answer the installed package version."""
        self.finish(json.dumps({"version": __version__}))


def setup_handlers(web_app) -> None:
    """Mount every route of the extension under ``{base_url}nbcompare/``."""
    base_url = web_app.settings["base_url"]
    route = lambda name: url_path_join(base_url, "nbcompare", name)  # noqa: E731
    web_app.add_handlers(".*$", [(route("version"), VersionHandler)])
