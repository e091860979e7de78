"""``python -m tests.cli.slow_cli analyze ...``: the real CLI with the techniques analyser replaced by one that spends
a long time in any document containing "SLOW" (as a huge document would), for stop-signal tests."""

from __future__ import annotations

import os
import time
from pathlib import Path

from narrascope.cli import main
from narrascope.pipeline import register_analyser


@register_analyser("techniques")
class SlowAnalyser:
    """Takes two minutes over a document containing "SLOW", in small steps of pure Python like a real analyser's
    loop; touches ``$SLOW_MARKER`` when it starts on one."""

    name = "techniques"
    version = "slow-test"
    requires = ()
    assigns = ("techniques",)

    def predict(self, docs):
        for doc in docs:
            if "SLOW" in doc.text:
                Path(os.environ["SLOW_MARKER"]).touch()
                deadline = time.monotonic() + 120
                while time.monotonic() < deadline:
                    time.sleep(0.01)
        return None

    def set_annotations(self, docs, predictions):
        for doc in docs:
            doc.spans["techniques"] = []


if __name__ == "__main__":
    main()
