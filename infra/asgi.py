"""The ASGI entry point for granian: `infra.asgi:create_app` (a factory) builds the app from the
environment. `otklik serve` sets DATABASE_URL for its workers when it started the embedded server."""

from __future__ import annotations

from litestar import Litestar
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, ReceiveMessage, Scope, Send

from api.app import create_app as create_litestar_app
from infra.container import Container
from infra.database import ConnectionInfo
from infra.db_waits import request_deadline, restart_deadline
from infra.logging import configure
from infra.settings import Settings


def create_app() -> ASGIApp:
    settings = Settings.from_env()
    configure(settings.log_level, settings.log_format)
    if not settings.database_url:
        raise SystemExit("DATABASE_URL is not set: start the API with `otklik serve`")
    container = Container.build(settings, ConnectionInfo.parse(settings.database_url))
    app = create_litestar_app(container.services())
    app.on_shutdown.append(container.close)
    return with_deadline(app, settings.request_deadline)


def with_deadline(app: Litestar, seconds: float) -> ASGIApp:
    """Each HTTP request's waits on the database end within ``seconds`` of its start."""

    async def bounded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return

        async def receive_then_start(  # the time a client takes to send its body is not ours
        ) -> ReceiveMessage:
            message = await receive()
            if message["type"] == "http.request" and not message.get("more_body", False):
                restart_deadline(seconds)
            return message

        with request_deadline(seconds):
            await app(scope, receive_then_start, send)

    return bounded
