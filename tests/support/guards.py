"""The role guard each route declares, under its method and its path as the OpenAPI writes it, and
a caller for each operation: what the role-matrix and fuzzing tests read."""

from __future__ import annotations

import re

from api.app import ROUTE_HANDLERS
from api.auth import RoleGuard, guard_of
from domain.shared.actors import Role

Operation = tuple[str, str]  # (method, OpenAPI path)
# The roles a caller is taken from, broadest first: the head acts on every appeal and reads every
# report; the system role is the only one that records breaches.
CALLERS = (Role.HEAD, Role.ADMINISTRATOR, Role.CURATOR, Role.AUDITOR, Role.ANALYST, Role.SYSTEM)


def openapi_path(path: str) -> str:
    """A route's path as the OpenAPI writes it: ``{appeal_id}``, not ``{appeal_id:uuid}``."""
    return re.sub(r"\{(\w+):\w+\}", r"{\1}", path)


def declared_guards() -> dict[Operation, RoleGuard | None]:
    """Each route's guard (None: a public route)."""
    found: dict[Operation, RoleGuard | None] = {}
    for handler in ROUTE_HANDLERS:
        if not handler.include_in_schema:  # /metrics: public, and not an API operation
            continue
        for path in handler.paths:
            for method in handler.http_methods:
                found[(method, openapi_path(path))] = guard_of(handler)
    return found


def caller(guard: RoleGuard | None) -> Role | None:
    """A role that may call a route guarded by ``guard`` (None: a public route, no token)."""
    if guard is None:
        return None
    return next((role for role in CALLERS if role in guard.allowed), min(guard.allowed))
