"""The HTTP service: jobs over a JSON API, live progress as Server-Sent Events, a web page.

Importing this package is cheap; `create_app` (designlens.api.app) loads FastAPI.
"""

from __future__ import annotations

from designlens.api.settings import ServiceSettings

__all__ = ["ServiceSettings"]
