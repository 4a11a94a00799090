"""Errors the services raise. They know nothing of HTTP; the API edge (config.exceptions) answers
each with JSON: InvalidInput 400, NotAllowed 403, NotFound 404, Conflict 409, Unavailable 503."""


class ServiceError(Exception):
    """Base of the errors a service raises for its caller to report."""


class InvalidInput(ServiceError):
    """The caller sent a value that cannot be used; `errors` maps a field name to its sentence."""

    status = 400

    def __init__(self, errors: dict[str, str] | str):
        self.errors = errors if isinstance(errors, dict) else {"detail": errors}
        if set(self.errors) == {"detail"}:
            super().__init__(self.errors["detail"])
        else:
            super().__init__("; ".join(f"{field}: {message}" for field, message in self.errors.items()))

    def body(self) -> dict:
        """The JSON answer, shaped as DRF shapes its errors: {"detail": sentence} for the request as a
        whole, {field: [sentence]} for fields."""
        if set(self.errors) == {"detail"}:
            return {"detail": self.errors["detail"]}
        return {field: [message] for field, message in self.errors.items()}


class NotFound(ServiceError):
    """No such object, or the user may not know it exists (answered like a missing one)."""


class NotAllowed(ServiceError):
    """The user may see the object but not do this to it."""


class Conflict(ServiceError):
    """The object moved on (or another one is in the way); `current` is what the caller should see."""

    def __init__(self, message: str, current: object = None):
        super().__init__(message)
        self.current = current


class Unavailable(ServiceError):
    """A dependency (database, broker, cache, storage) cannot be reached; a sentence for the user."""
