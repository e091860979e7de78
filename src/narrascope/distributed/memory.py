"""Resident memory and CPU time of this process and its children (Linux ``/proc``), for flat-memory checks and
benchmarks."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["rss_mb", "tree_rss_mb", "descendants", "cpu_seconds", "tree_cpu_seconds"]


def rss_mb(pid: int | None = None) -> float:
    """Resident set size of a process in MiB (0 when it is gone)."""
    try:
        status = Path(f"/proc/{pid or os.getpid()}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def descendants(pid: int) -> list[int]:
    """Ids of every live process below ``pid``."""
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            children = [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
        for child in children:
            found.append(child)
            found.extend(descendants(child))
    return found


def tree_rss_mb(pid: int | None = None) -> float:
    """Resident memory of a process and all its descendants (worker processes), in MiB."""
    root = pid or os.getpid()
    return sum(rss_mb(p) for p in [root, *descendants(root)])


def cpu_seconds(pid: int | None = None) -> float:
    """User + system CPU time a live process has used so far, in seconds (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid or os.getpid()}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int | None = None) -> float:
    """CPU time used so far by a process and its live descendants (worker processes), in seconds."""
    root = pid or os.getpid()
    return sum(cpu_seconds(p) for p in [root, *descendants(root)])
