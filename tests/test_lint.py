"""The code stays lint- and type-clean: ``ruff check`` and ``mypy`` as configured in ``pyproject.toml`` report nothing.

Each skips, saying so, only when its tool is not installed (``./install.sh`` installs both with the ``dev`` extra).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_tool(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m module args`` in the repository root (skipped when the tool is not installed)."""
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not installed (./install.sh installs it with the dev extra)")
    return subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True, text=True)


def test_ruff_finds_nothing():
    result = run_tool("ruff", "check", "--no-cache", "src", "tests", "benchmarks")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow  # about a minute and a half on two cores without a cache
def test_mypy_finds_nothing():
    result = run_tool("mypy")  # files and strictness from [tool.mypy] in pyproject.toml
    assert result.returncode == 0, result.stdout + result.stderr
