"""The product's error hierarchy. The API maps ``http_status``/``code`` to responses in one handler."""

from __future__ import annotations

import embeddings.errors


class RagError(Exception):
    """Base class: a message that tells the user what to do."""

    http_status = 500
    code = "internal_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(RagError):
    """The caller sent something unusable (empty question, bad k, unknown filter...)."""

    http_status = 400
    code = "bad_request"


class PageError(InputError):
    """A page file cannot be read as text (binary, undecodable, empty)."""

    http_status = 422
    code = "unreadable_page"


class NotFoundError(RagError):
    http_status = 404
    code = "not_found"


class IndexMismatchError(RagError):
    """The index on disk was built with other settings (model, format) than the ones configured."""

    http_status = 409
    code = "index_mismatch"


class IndexNotReadyError(RagError):
    http_status = 503
    code = "index_not_ready"


class AuthError(RagError):
    http_status = 401
    code = "unauthorized"


class ForbiddenError(RagError):
    http_status = 403
    code = "forbidden"


class TooLargeError(RagError):
    http_status = 413
    code = "payload_too_large"


class RateLimitedError(RagError):
    http_status = 429
    code = "rate_limited"


class ModelError(RagError, embeddings.errors.ModelError):
    """The embedding model could not be built or loaded (:mod:`embeddings` raises its own
    :class:`embeddings.errors.ModelError`; :func:`rag.library.load_model` turns it into this one)."""

    http_status = 500
    code = "model_error"
