"""Errors shared by every app: services raise these, one API handler and the views render them."""

from enum import StrEnum
from typing import Any


class ApplicationError(Exception):
    """A business rule refused the operation; `code` is stable, `message` is for people."""

    status_code = 400

    def __init__(self, message: str, *, code: StrEnum | str = "invalid", extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.code = str(code)
        self.extra = extra or {}


class ConflictError(ApplicationError):
    """Someone else changed the record since it was read (optimistic locking)."""

    status_code = 409


class PermissionDeniedError(ApplicationError):
    status_code = 403
