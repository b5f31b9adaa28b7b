"""Server configuration of the UI tests (galata).

Never copy allow_root into the package's defaults: it is here only because CI
runs as root.
"""

import logging
import re

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821
c.ServerApp.allow_root = True  # noqa: F821
c.LabApp.expose_app_in_browser = True  # noqa: F821
# The server's log is piped into the test output (stderr): only warnings and
# errors, so a traceback is not buried under hundreds of upload/save lines.
c.Application.log_level = "WARN"  # noqa: F821


class _GalataCleanupFilter(logging.Filter):
    """Drop the warnings of galata deleting each test's folder.

    Before every test galata checks that its ``tests-...`` folder is absent,
    and after it deletes the folder file by file and checks each is gone:
    three warnings per file ("delete", then two for the 404 of the check),
    most of the server output. Only galata's own checks (``type=file&content=0``
    and ``type=directory&content=1`` on a ``tests-`` path) are dropped; the
    extension never asks with a ``type``.
    """

    _NOISE = re.compile(
        r"^(delete /tests-"
        r"|404 GET /api/contents/tests-\S*\?type=(file&content=0|directory&content=1)\b)"
    )

    def filter(self, record: logging.LogRecord) -> bool:
        return not self._NOISE.match(record.getMessage())


for _name in ("ServerApp", "LabApp", "tornado.access", "tornado.application", "tornado.general"):
    logging.getLogger(_name).addFilter(_GalataCleanupFilter())
