"""The few loud exceptions domain code raises; the web layer maps them to HTTP and WS errors."""

from __future__ import annotations


class RelaydeskError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class InvalidInput(RelaydeskError):
    status = 422
    code = "invalid_input"


class NotFound(RelaydeskError):
    status = 404
    code = "not_found"


class Unauthorized(RelaydeskError):
    status = 401
    code = "unauthorized"


class Forbidden(RelaydeskError):
    status = 403
    code = "forbidden"


class PayloadTooLarge(RelaydeskError):
    status = 413
    code = "payload_too_large"


class UnsupportedMedia(RelaydeskError):
    status = 415
    code = "unsupported_media_type"


class RateLimited(RelaydeskError):
    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after
