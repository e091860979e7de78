"""Server settings, read from the environment and overridable in code (tests, the ``serve`` command)."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field

from narrascope.pipeline import PipelineConfig

LOOPBACK_NAMES = ("localhost",)


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost``: addresses only this machine can reach."""
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def parse_reviewer_tokens(items: list[str]) -> dict[str, str]:
    """``NAME=TOKEN`` items as ``{token: name}``; ``ValueError`` naming a malformed item."""
    out = {}
    for item in items:
        name, sep, token = item.strip().partition("=")
        if not sep or not name.strip() or not token.strip():
            raise ValueError(f"{item!r} is not NAME=TOKEN")
        out[token.strip()] = name.strip()
    return out


@dataclass
class Settings:
    """What the application needs to know.

    ``db_url`` None means the store's default (``$NARRASCOPE_DB`` or the user data directory); ``token`` set means
    every request must present it (or one of ``reviewer_tokens``, which also names who makes corrections); ``pipeline``
    is what analyses run (by default the default pipeline with the active, else packaged, models); ``allowed_hosts``
    restricts the ``Host`` header (guards a loopback server against DNS rebinding).
    """

    db_url: str | None = None
    token: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    max_upload_bytes: int = 20 * 1024 * 1024
    max_text_chars: int = 1_000_000
    max_html_bytes: int = 10 * 1024 * 1024
    max_html_elements: int = 50_000
    pipeline: PipelineConfig = field(default_factory=PipelineConfig)
    allowed_hosts: list[str] | None = None
    max_jobs_kept: int = 100
    reviewer: str | None = None  # the name corrections made through this server are recorded under
    reviewer_tokens: dict[str, str] | None = None  # token -> reviewer name: each opens the server as that reviewer
    refresh_dashboard_every: float = 2.0  # seconds between checks for new data to recompute the dashboard (0: never)

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Settings from ``NARRASCOPE_DB``, ``NARRASCOPE_TOKEN``, ``NARRASCOPE_MAX_UPLOAD_BYTES``,
        ``NARRASCOPE_REVIEWER`` and ``NARRASCOPE_REVIEWER_TOKENS`` (``name=token,...``), then overrides."""
        values: dict[str, object] = {}
        if db := os.environ.get("NARRASCOPE_DB"):
            values["db_url"] = db
        if token := os.environ.get("NARRASCOPE_TOKEN"):
            values["token"] = token
        if reviewer := os.environ.get("NARRASCOPE_REVIEWER"):
            values["reviewer"] = reviewer
        if named := os.environ.get("NARRASCOPE_REVIEWER_TOKENS"):
            values["reviewer_tokens"] = parse_reviewer_tokens(named.split(","))
        if size := os.environ.get("NARRASCOPE_MAX_UPLOAD_BYTES"):
            values["max_upload_bytes"] = int(size)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]
