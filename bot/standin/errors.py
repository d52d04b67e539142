"""Errors raised by the stand-in: Bot API errors (sent to the bot) and player misuse errors."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A Bot API error, rendered as ``{"ok": false, "error_code": N, "description": ...}``."""

    def __init__(
        self, error_code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        """Return the JSON body Telegram would answer with."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = dict(self.parameters)
        return body


class PlayerError(ValueError):
    """Raised when a test or sandbox player asks for something a real client could not do."""


def bad_request(detail: str, parameters: dict[str, Any] | None = None) -> ApiError:
    """Build a 400 ``Bad Request: <detail>`` error."""
    return ApiError(400, f"Bad Request: {detail}", parameters)


def forbidden(detail: str) -> ApiError:
    """Build a 403 ``Forbidden: <detail>`` error."""
    return ApiError(403, f"Forbidden: {detail}")


def conflict(detail: str) -> ApiError:
    """Build a 409 ``Conflict: <detail>`` error."""
    return ApiError(409, f"Conflict: {detail}")


def not_found() -> ApiError:
    """Build the 404 answer Telegram gives for unknown methods."""
    return ApiError(404, "Not Found")


def unauthorized() -> ApiError:
    """Build the 401 answer Telegram gives for a wrong token."""
    return ApiError(401, "Unauthorized")


def too_many_requests(retry_after: int) -> ApiError:
    """Build a 429 flood-control error with ``parameters.retry_after``."""
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


DEFAULT_DESCRIPTIONS: dict[int, str] = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


def api_error(
    error_code: int, description: str | None = None, retry_after: int | None = None
) -> ApiError:
    """Build any error with Telegram-like default descriptions (used by fault injection)."""
    if error_code == 429:
        seconds = 1 if retry_after is None else retry_after
        error = too_many_requests(seconds)
        if description is not None:
            error.description = description
        return error
    text = description or DEFAULT_DESCRIPTIONS.get(error_code, "Error")
    params = {"retry_after": retry_after} if retry_after is not None else None
    return ApiError(error_code, text, params)
