"""API tests run against the real server: `otklik serve` (granian) in a subprocess on the test DB."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from domain.shared.actors import Role
from infra.container import Container
from infra.database import ConnectionInfo


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def server_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("server") / "server.log"


@pytest.fixture(scope="session")
def base_url(db: ConnectionInfo, server_log: Path) -> Iterator[str]:
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": db.url(),
        "OTKLIK_LOG_LEVEL": "info",
        "OTKLIK_POOL_SIZE": "4",
    }
    with server_log.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "infra.cli", "serve", "--port", str(port), "--no-migrate"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{url}/health/ready", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"the server did not start: {server_log.read_text()[-2000:]}"
                    )
                time.sleep(0.2)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="session")
def tokens(container: Container) -> dict[str, str]:
    made = {}
    for role in (Role.OPERATOR, Role.CURATOR, Role.AUDITOR, Role.ANALYST):
        made[role.value], _ = container.tokens.create(role=role, name=f"Тест {role.value}")
    made["executor"], _ = container.tokens.create(
        role=Role.EXECUTOR, name="Исполнитель ЖКХ", department="Управление ЖКХ"
    )
    made["other_executor"], _ = container.tokens.create(
        role=Role.EXECUTOR, name="Исполнитель культуры", department="Управление культуры"
    )
    return made


@pytest.fixture
def client(base_url: str, tokens: dict[str, str]) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=base_url, headers={"Authorization": f"Bearer {tokens['operator']}"}, timeout=30
    ) as c:
        yield c
