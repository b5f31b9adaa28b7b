"""Server configuration of the Jupyter Notebook 7 UI tests (port 8890).

JupyterLab's galata tests own port 8888 (``jupyter_server_test_config.py``);
these run Notebook 7 beside them. The server root is a fresh folder holding a
copy of the example runs in ``runs/`` (``make examples`` writes them), so the
tests read real papermill output and never write into the examples. Never
copy allow_root into the package's defaults: it is here only because CI runs
as root.
"""

import shutil
from pathlib import Path
from tempfile import mkdtemp

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821
c.ServerApp.port = 8890  # noqa: F821
c.ServerApp.allow_root = True  # noqa: F821
c.JupyterNotebookApp.expose_app_in_browser = True  # noqa: F821
# A fresh workspace: the pinned baseline of one run never leaks into the next.
c.JupyterNotebookApp.workspaces_dir = mkdtemp(prefix="nbcompare-nb7-workspaces-")  # noqa: F821
c.Application.log_level = "WARN"  # noqa: F821

_ROOT = Path(mkdtemp(prefix="nbcompare-nb7-"))
_RUNS = Path(__file__).resolve().parent.parent / "examples" / "runs"
shutil.copytree(_RUNS, _ROOT / "runs", ignore=shutil.ignore_patterns(".*"))
c.ServerApp.root_dir = str(_ROOT)  # noqa: F821
