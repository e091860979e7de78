"""The web application: REST API and server-rendered web UI over one Store (``narrascope serve``)."""

from narrascope.server.app import create_app
from narrascope.server.settings import Settings

__all__ = ["create_app", "Settings"]
