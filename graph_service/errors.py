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


class Unauthorized(GraphServiceError):
    """No API key, or one that is not valid (CONTRACT.md section 4)."""

    code = "unauthorized"
    http_status = 401
    exit_code = 2


class Forbidden(GraphServiceError):
    """An API key whose role is too weak for the request."""

    code = "forbidden"
    http_status = 403
    exit_code = 2


class Conflict(GraphServiceError):
    """The request would overwrite what exists, e.g. creating an entity whose id is taken."""

    code = "conflict"
    http_status = 409
    exit_code = 1


class VersionChanged(GraphServiceError):
    """The graph's version is not the one a write was made against (``If-Match``, or the
    version the service read when it checked the write): someone else wrote meanwhile."""

    code = "version_changed"
    http_status = 412
    exit_code = 1


class PayloadTooLarge(GraphServiceError):
    """An upload larger than ``Settings.max_upload_mb`` (a zip measured uncompressed)."""

    code = "payload_too_large"
    http_status = 413
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


class QueryTimeout(StoreUnavailable):
    """A query ran longer than the query timeout (``GRAPH_QUERY_TIMEOUT``) and was stopped."""

    code = "query_timeout"

    @classmethod
    def after(cls, seconds: float) -> QueryTimeout:
        """The error for a query stopped after ``seconds``: names the limit and how to raise it.

        >>> QueryTimeout.after(30).message.split(";")[0]
        'the query ran longer than the query timeout of 30 s and was stopped'
        """
        return cls(
            f"the query ran longer than the query timeout of {seconds:g} s and was stopped; "
            "set GRAPH_QUERY_TIMEOUT to more seconds (0: no limit) if it needs longer",
            {"timeout_seconds": seconds},
        )
