#!/usr/bin/env bash
# Say clearly what is missing on this machine instead of failing obscurely later.
set -u
fail=0
need() { echo "error: $1" >&2; fail=1; }

py=${PYTHON:-python3}
if ! command -v "$py" >/dev/null; then
  need "$py not found: install Python >= 3.9 (Debian: apt-get install python3 python3-venv)."
elif ! "$py" -c 'import sys, venv; sys.exit(sys.version_info < (3, 9))' 2>/dev/null; then
  need "$py is older than 3.9 or lacks the venv module (Debian: apt-get install python3-venv)."
fi

if ! command -v node >/dev/null; then
  need "Node.js not found: the frontend build needs Node.js >= 20.19 (or >= 22.12)."
else
  v=$(node -p 'process.versions.node')
  if ! node -e '
    const [a, b] = process.versions.node.split(".").map(Number);
    process.exit((a === 20 && b >= 19) || (a === 22 && b >= 12) || a > 22 ? 0 : 1);'; then
    need "Node.js $v is too old: the build (rspack) needs Node.js >= 20.19 or >= 22.12."
  fi
fi
exit $fail
