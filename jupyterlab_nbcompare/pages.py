"""The comparison page of Jupyter Notebook 7: ``{base_url}nbcompare/view``.

Notebook 7 shows one document per browser tab, each on a page of its own that
a reload or a bookmark opens again (``/notebooks/<path>``, ``/edit/<path>``,
``/terminals/<name>``, all served by ``notebook.app`` with its page templates).
A comparison gets such a page too. Its handler is Notebook's own page handler
(same page config, same login and same template), so the page runs Notebook's
application with every installed extension, and the frontend plugin
``jupyterlab-nbcompare:notebook-page`` reads the notebooks from the query.

The page reads nothing itself: the notebooks are read by the REST API, which
checks each path. Without Notebook 7 on the server, the route is not mounted.
"""

from __future__ import annotations

from jupyter_server.utils import url_path_join
from tornado import web
from tornado.log import app_log

try:
    from notebook.app import NotebookBaseHandler
except ImportError:  # Notebook 7 is not installed: JupyterLab only
    NotebookBaseHandler = None


# Notebook's ``edit`` page template: the page whose plugin set (every page's
# plugins plus the editor's search) fits a main-area widget that is not a
# notebook. Its router route (``/edit/<path>``) does not match our address.
_TEMPLATE = "edit.html"

# The extension name whose templates, static files and page config the page
# shares: Notebook 7's server extension.
_NOTEBOOK = "notebook"


if NotebookBaseHandler is not None:

    class ComparePageHandler(NotebookBaseHandler):
        """``GET nbcompare/view?path=...&path=...``: a Notebook 7 page for one comparison."""

        @property
        def log(self):
            """Notebook's logger, or the server's when Notebook 7 is not running here."""
            if _NOTEBOOK in self.settings:
                return super().log
            return app_log

        def prepare(self):
            """404 before anything else when this server does not run Notebook 7.

            Notebook's handler reads Notebook's application from the settings
            from the login check on, which would otherwise fail with a 500.
            """
            if _NOTEBOOK not in self.settings:
                raise web.HTTPError(404, "The comparison page needs Jupyter Notebook 7.")
            return super().prepare()

        @web.authenticated
        def get(self) -> None:
            """Render Notebook's page with Notebook's page config."""
            html = self.render_template(_TEMPLATE, page_config=self.get_page_config())
            self.finish(html)


def page_handlers(base_url: str) -> list[tuple]:
    """The routes of the Notebook 7 pages, or none without Notebook 7."""
    if NotebookBaseHandler is None:
        return []
    return [
        (
            url_path_join(base_url, "nbcompare", "view") + "/?",
            ComparePageHandler,
            {"name": _NOTEBOOK},
        )
    ]
