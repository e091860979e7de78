"""The run log: each analysis run, its counts so far, and runs whose process died."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from narrascope.store.database import Database, utc_now
from narrascope.store.schema import RunRow


class RunLog(Database):
    """Runs recorded in the store: started, progressing, finished or interrupted."""

    def begin_run(self, pipeline: list[dict[str, str]], signature: str, *, config: dict[str, Any] | None = None,
                  taxonomy_version: str | None = None, command_line: str | None = None) -> int:
        """Record a new run as ``running`` by this process (so a later look can tell if the process died);
        ``config`` is the pipeline configuration it runs (``PipelineConfig.to_dict()``)."""
        self.mark_dead_runs()
        with Session(self.engine) as session, session.begin():
            run = RunRow(started_at=utc_now(), status="running", pipeline=pipeline, pipeline_signature=signature,
                         config=config,
                         taxonomy_version=taxonomy_version, command=command_line, n_analysed=0, n_unchanged=0, n_failed=0,
                         hostname=socket.gethostname()[:255], pid=os.getpid(), process_start=_process_start(os.getpid()))
            session.add(run)
            session.flush()
            return run.id

    def record_progress(self, run_id: int, *, analysed: int, unchanged: int, failed: int) -> None:
        """Store a running run's counts so far (called after every batch, so a killed run keeps its real counts)."""
        with Session(self.engine) as session, session.begin():
            session.execute(update(RunRow).where(RunRow.id == run_id).values(
                n_analysed=analysed, n_unchanged=unchanged, n_failed=failed))

    def finish_run(self, run_id: int, *, status: str, analysed: int, unchanged: int, failed: int) -> None:
        with Session(self.engine) as session, session.begin():
            session.execute(update(RunRow).where(RunRow.id == run_id).values(
                finished_at=utc_now(), status=status, n_analysed=analysed, n_unchanged=unchanged, n_failed=failed))

    def mark_dead_runs(self) -> int:
        """Mark ``running`` runs of this machine whose process is gone (killed, crashed) as ``interrupted``.

        Their counts are those recorded after their last stored batch. Runs started on other machines cannot be
        checked from here and keep their status. Returns how many runs were marked.
        """
        host = socket.gethostname()[:255]
        with Session(self.engine) as session, session.begin():
            running = session.execute(select(RunRow.id, RunRow.pid, RunRow.process_start)
                                      .where(RunRow.status == "running", RunRow.hostname == host)).all()
            dead = [run_id for run_id, pid, started in running if pid and _process_start(pid) != started]
            if dead:
                session.execute(update(RunRow).where(RunRow.id.in_(dead), RunRow.status == "running")
                                .values(status="interrupted"))
            return len(dead)

    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        self.mark_dead_runs()
        with Session(self.engine) as session:
            rows = session.scalars(select(RunRow).order_by(RunRow.id.desc()).limit(limit)).all()
            return [{c.name: getattr(r, c.name) for c in RunRow.__table__.columns} for r in rows]


def _process_start(pid: int) -> int | None:
    """Start time of a live process in clock ticks since boot, or None when no such process runs. Without Linux's
    ``/proc`` it is always None, so runs are never marked dead there."""
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
    except OSError:
        return None
