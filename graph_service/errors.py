"""One error tree. Each error knows its HTTP status and its command-line exit code.

CONTRACT.md section 2: exit 0 success, 1 invalid input, 2 wrong usage, 3 store unreachable.
Section 3: errors over HTTP are ``{"error": {"code", "message", "details"}}``.
"""

from __future__ import annotations

from typing import Any


class GraphServiceError(Exception):
    """Base of every error the service reports to a user."""

    code = "error"
    http_status = 500
    exit_code = 1

    def __init__(self, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class InvalidInput(GraphServiceError):
    """The user's data or request is wrong; ``details`` lists every problem."""

    code = "invalid_input"
    http_status = 422
    exit_code = 1


class NotFound(GraphServiceError):
    code = "not_found"
    http_status = 404
    exit_code = 1


class UsageError(GraphServiceError):
    code = "usage"
    http_status = 400
    exit_code = 2


class NotAvailable(UsageError):
    """A verb of the contract that this version does not implement yet."""

    code = "not_available"
    http_status = 501


class StoreUnavailable(GraphServiceError):
    """The store cannot be reached (Neo4j down, file unreadable)."""

    code = "store_unavailable"
    http_status = 503
    exit_code = 3
