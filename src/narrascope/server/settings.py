"""Server settings, read from the environment and overridable in code (tests, the ``serve`` command)."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass

LOOPBACK_NAMES = ("localhost",)


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost``: addresses only this machine can reach."""
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass
class Settings:
    """What the application needs to know.

    ``db_url`` None means the store's default (``$NARRASCOPE_DB`` or the user data directory); ``token`` set means
    every request must present it; ``components`` None means the default analysis pipeline; ``allowed_hosts``
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
    components: list[str] | None = None
    allowed_hosts: list[str] | None = None
    max_jobs_kept: int = 100
    reviewer: str | None = None  # the name corrections made through this server are recorded under
    narratives_model: str | None = None  # a narrative model folder; None: the active version, else the packaged one

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Settings from ``NARRASCOPE_DB``, ``NARRASCOPE_TOKEN``, ``NARRASCOPE_MAX_UPLOAD_BYTES`` and
        ``NARRASCOPE_REVIEWER``, then overrides."""
        values: dict[str, object] = {}
        if db := os.environ.get("NARRASCOPE_DB"):
            values["db_url"] = db
        if token := os.environ.get("NARRASCOPE_TOKEN"):
            values["token"] = token
        if reviewer := os.environ.get("NARRASCOPE_REVIEWER"):
            values["reviewer"] = reviewer
        if size := os.environ.get("NARRASCOPE_MAX_UPLOAD_BYTES"):
            values["max_upload_bytes"] = int(size)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]
