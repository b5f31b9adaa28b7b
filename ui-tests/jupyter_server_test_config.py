"""Server configuration of the UI tests (galata).

Never copy allow_root into the package's defaults: it is here only because CI
runs as root.
"""

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821
c.ServerApp.allow_root = True  # noqa: F821
c.LabApp.expose_app_in_browser = True  # noqa: F821
