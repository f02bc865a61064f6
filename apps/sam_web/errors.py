"""The app's refusal: a message for the page and the HTTP status to answer with."""
from typing import Dict, Optional


class AppError(Exception):
    """A request the app refuses; ``status`` is the HTTP status, ``headers`` extra response headers."""

    def __init__(self, message: str, status: int = 400, headers: Optional[Dict[str, str]] = None):
        super().__init__(message)
        self.status = status
        self.headers = headers or {}
