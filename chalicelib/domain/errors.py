"""Domain exceptions. The API turns them into the error envelope in one place (api/routing.py)."""


class DomainError(Exception):
    """Base class: `code` is the machine-readable error code of the envelope."""

    code = "error"

    def __init__(self, message: str, details: list | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or []


class BadRequest(DomainError):
    code = "bad_request"


class Unauthorized(DomainError):
    code = "unauthorized"


class Forbidden(DomainError):
    code = "forbidden"


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    code = "conflict"


class Gone(DomainError):
    """It existed, and is no more (an expired or used link)."""

    code = "gone"


class InvalidInput(DomainError):
    """Well-formed input that breaks a business rule (422)."""

    code = "validation_error"


class TooManyRequests(DomainError):
    code = "rate_limited"


class OrderExists(Conflict):
    """An order with this id was placed already (a retried checkout, a renewal run twice)."""


class OutOfStock(Conflict):
    """Less of a product is in stock than an order asks for: nothing was written. `skus` names them."""

    code = "out_of_stock"

    def __init__(self, skus: list[str]):
        super().__init__(f"Not enough in stock: {', '.join(skus)}.",
                         [{"field": "lines", "sku": sku, "message": f"sku {sku} is out of stock"} for sku in skus])
        self.skus = skus


class PaymentEventSeen(Conflict):
    """The provider event was applied already (a replay)."""


class UnreadableInput(DomainError):
    """A job's input that no retry can read (a binary file, a 100 MB line...): the job fails with this."""

    code = "unreadable_input"


class OrderImportedAlready(Conflict):
    """An order history row or reference was imported already (a redone step, the same file twice)."""


class ChangedMeanwhile(Conflict):
    """The record was written by someone else since it was read: read it again and retry."""
