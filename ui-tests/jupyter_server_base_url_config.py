"""Server configuration of the URL-prefix UI tests: JupyterLab under ``/user/alice/``.

This is how JupyterHub serves a user's server (``--ServerApp.base_url``). It
is the galata configuration (``jupyter_server_test_config.py``) on port 8889
(galata's default tests own 8888, Notebook 7's 8890), with the prefix.
"""

load_subconfig("jupyter_server_test_config.py")  # noqa: F821 (traitlets' config loader)
c.ServerApp.port = 8889  # noqa: F821
c.ServerApp.base_url = "/user/alice/"  # noqa: F821
