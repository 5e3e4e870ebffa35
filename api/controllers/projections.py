"""Projection status: each read model's version, position, lag and state."""

from collections.abc import Callable

from litestar import get

from api.auth import RoleGuard
from domain.shared.actors import Role
from projections.engine.status import ProjectionStatus

# Every role the token may name, the system role's processes too: the views' progress and
# failures hold no appeal (what monitoring reads besides /health/ready).
EVERY_ROLE = RoleGuard(frozenset(Role), "read the read models' status")


@get("/api/v1/projections", sync_to_thread=True, tags=["projections"], guards=[EVERY_ROLE])
def list_projections(
    projection_status: Callable[[], list[ProjectionStatus]],
) -> list[ProjectionStatus]:
    return projection_status()
