"""Projection status: each read model's version, position, lag and state."""

from typing import Any

from litestar import Request, get

from api.auth import authenticated
from api.services import Services
from projections.engine.status import ProjectionStatus


@get("/api/v1/projections", sync_to_thread=True, tags=["projections"])
def list_projections(request: Request[Any, Any, Any], services: Services) -> list[ProjectionStatus]:
    authenticated(request, services.authenticate)
    return services.projection_status()
