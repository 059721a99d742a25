"""The one error this package raises: a model that cannot be built, loaded or used, with a message saying what to
do. Applications wrap it in their own error hierarchy where they load models."""

from __future__ import annotations


class ModelError(Exception):
    """The embedding model could not be built or loaded."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
