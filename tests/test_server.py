"""The server extension loads, answers, and protects every route."""

from __future__ import annotations

import json

import pytest
import tornado
from jupyter_server.base.handlers import APIHandler
from tornado.httpclient import HTTPClientError

from jupyterlab_nbcompare import __version__


def _our_routes(web_app):
    """(pattern, handler class) for every route the extension registered."""
    routes = []
    for rule in web_app.default_router.rules:
        for sub in getattr(rule.target, "rules", []):
            pattern = sub.matcher.regex.pattern
            if "/nbcompare/" in pattern:
                routes.append((pattern, sub.target))
    return routes


async def test_extension_is_loaded(jp_serverapp):
    # Given a server started with the default configuration of the package
    # Then our extension is among the loaded ones and registered its routes
    assert jp_serverapp.extension_manager.extensions["jupyterlab_nbcompare"].enabled
    assert any("version" in pattern for pattern, _ in _our_routes(jp_serverapp.web_app))


async def test_version_with_credentials(jp_fetch):
    # When an authenticated client asks for the version
    response = await jp_fetch("nbcompare", "version")
    # Then it gets the installed package version as JSON
    assert response.code == 200
    assert json.loads(response.body) == {"version": __version__}


async def test_version_without_credentials_is_403(jp_fetch):
    # When a client without token or cookie asks (an empty Authorization
    # header stops jp_fetch from adding the token)
    with pytest.raises(HTTPClientError) as error:
        await jp_fetch("nbcompare", "version", headers={"Authorization": ""})
    # Then it is refused
    assert error.value.code == 403


def test_every_route_requires_authentication(jp_serverapp):
    # Given every route of ours
    routes = _our_routes(jp_serverapp.web_app)
    assert routes
    # Then each implemented verb is wrapped by @tornado.web.authenticated
    missing = []
    for pattern, handler in routes:
        missing += jp_serverapp.web_app._check_handler_auth(pattern, handler)
    assert missing == []


def test_unauthenticated_route_would_fail_the_suite(jp_serverapp):
    # Given a handler that forgets @tornado.web.authenticated
    class Leaky(APIHandler):
        async def get(self):
            self.finish("{}")

    class Guarded(APIHandler):
        @tornado.web.authenticated
        async def get(self):
            self.finish("{}")

    # When it is registered under our prefix, the server warns, and the
    # suite's filterwarnings setting (pyproject.toml) makes that an error
    with pytest.raises(Warning, match="Leaky"):
        jp_serverapp.web_app.add_handlers(".*$", [("/nbcompare/leaky-test", Leaky)])
    # And a guarded one registers silently
    jp_serverapp.web_app.add_handlers(".*$", [("/nbcompare/guarded-test", Guarded)])
