"""The domain's error tree: each error names the rule that failed, in words an operator understands."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error the domain raises on purpose.

    ``code`` is a stable slug (it becomes the problem type URI); the message says which rule failed.
    """

    code = "domain-error"
    # Members a problem response adds beside ``detail`` (from the system's data, never the
    # values a request sent): the closest units to a name that is not in the directory.
    extra: dict[str, Any] = {}  # noqa: RUF012 (read-only default, replaced per instance)

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class InvalidCommand(DomainError):
    """The command's values break a rule on their own (a score of 7, a kind/channel mismatch)."""

    code = "invalid-command"


class RuleViolated(DomainError):
    """The command is well formed but the appeal's current state forbids it."""

    code = "rule-violated"


class NotFound(DomainError):
    code = "not-found"


class Forbidden(DomainError):
    """The actor's role (or department) may not do this."""

    code = "forbidden"


class VersionMismatch(DomainError):
    """The caller's expected version (If-Match) is not the current one."""

    code = "version-mismatch"

    def __init__(self, expected: int, actual: int, what: str = "appeal") -> None:
        super().__init__(
            f"the {what} is at version {actual}, not the expected version {expected}; "
            "reload it and decide again"
        )
        self.expected = expected
        self.actual = actual


class ConcurrencyConflict(DomainError):
    """Another command changed the appeal between our read and our write."""

    code = "concurrency-conflict"


class IdempotencyKeyReused(DomainError):
    """An Idempotency-Key came back with a different request."""

    code = "idempotency-key-reused"
