"""Check that a built wheel carries what users need without Node.js.

Usage: ``python scripts/check-wheel.py dist/jupyterlab_nbcompare-*.whl``
"""

from __future__ import annotations

import sys
import zipfile

#: Members every wheel must have (under ``<name>.data/data/``).
REQUIRED = (
    "share/jupyter/labextensions/jupyterlab-nbcompare/package.json",
    "share/jupyter/labextensions/jupyterlab-nbcompare/install.json",
    "share/jupyter/labextensions/jupyterlab-nbcompare/static/style.js",
    "share/jupyter/labextensions/jupyterlab-nbcompare/schemas/jupyterlab-nbcompare/plugin.json",
    "etc/jupyter/jupyter_server_config.d/jupyterlab_nbcompare.json",
)


def main(path: str) -> int:
    """Exit 1 and name what is missing, else print a one-line summary."""
    names = zipfile.ZipFile(path).namelist()
    data = {n.split(".data/data/", 1)[1] for n in names if ".data/data/" in n}
    missing = [member for member in REQUIRED if member not in data]
    remote = [n for n in data if "/static/remoteEntry." in n]
    if missing or not remote:
        print(f"{path} lacks: {', '.join(missing or ['static/remoteEntry.*.js'])}")
        return 1
    print(f"{path}: prebuilt labextension and server config present ({len(names)} files)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
