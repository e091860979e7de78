"""Short commands stay quick: importing the command line loads none of the heavy libraries that only some commands
use (the time itself is measured by ``benchmarks``-style timing, not asserted here)."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("alembic", "datasketch", "scipy", "sklearn", "spacy", "torch", "fastapi", "uvicorn", "ray", "trafilatura",
         "feedparser")


def test_importing_the_command_line_loads_no_heavy_library():
    code = ("import json, sys, narrascope.cli; "
            f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))")
    loaded = json.loads(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                                       text=True).stdout)
    assert loaded == []
