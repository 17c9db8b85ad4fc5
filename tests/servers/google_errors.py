"""Errors the local Google API server answers with, shaped as Google's JSON error bodies."""

from __future__ import annotations

from typing import Any

__all__ = ["ApiError", "error_body"]

_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    412: "FAILED_PRECONDITION",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
}
_DOMAIN = {
    "rateLimitExceeded": "usageLimits",
    "userRateLimitExceeded": "usageLimits",
    "dailyLimitExceeded": "usageLimits",
    "authError": "global",
}


class ApiError(Exception):
    """An error answer: HTTP ``code`` and Google's ``reason`` (``notFound``...)."""

    def __init__(self, code: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message


def error_body(code: int, reason: str, message: str) -> dict[str, Any]:
    """Google's JSON error format (the one googleapiclient's HttpError reads)."""
    return {
        "error": {
            "code": code,
            "message": message,
            "errors": [
                {"message": message, "domain": _DOMAIN.get(reason, "global"), "reason": reason}
            ],
            "status": _STATUS.get(code, "UNKNOWN"),
        }
    }
