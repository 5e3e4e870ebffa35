"""API tests run against the real server: `otklik serve` (granian) in a subprocess on the test DB."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from domain.shared.actors import Role
from infra.container import Container
from infra.database import ConnectionInfo
from infra.server_process import server_process

TELEGRAM_SECRET = "tg-Secret_0123456789"
VK_SECRET = "vkSecretKey42"
VK_CONFIRMATION = "1a2b3c4d"
RATING_SECRET = "rating-links-secret-0123456789"  # issue 17: the citizen's signed rating links


@pytest.fixture(scope="session")
def server_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("server") / "server.log"


# the test server's attachment limit: small, so that a file past it is cheap to send
ATTACHMENT_MAX_BYTES = 64 * 1024
IMPORT_MAX_BYTES = 64 * 1024  # the same for an import's upload


@pytest.fixture(scope="session")
def attachments_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test server's attachment store (a test can see what is on disk)."""
    return tmp_path_factory.mktemp("attachments")


@pytest.fixture(scope="session")
def base_url(db: ConnectionInfo, server_log: Path, attachments_dir: Path) -> Iterator[str]:
    env = {
        "OTKLIK_ATTACHMENTS_DIR": str(attachments_dir),
        "OTKLIK_ATTACHMENT_MAX_BYTES": str(ATTACHMENT_MAX_BYTES),
        "OTKLIK_IMPORT_MAX_BYTES": str(IMPORT_MAX_BYTES),
        "OTKLIK_LOG_LEVEL": "info",
        "OTKLIK_POOL_SIZE": "4",
        # a region-wide deployment: the default municipality (Moscow time) and two others
        "OTKLIK_MUNICIPALITIES": "ekaterinburg=Asia/Yekaterinburg,vladivostok=Asia/Vladivostok",
        # the messengers' webhooks (tests/api/test_webhooks_api.py)
        "OTKLIK_TELEGRAM_SECRET": TELEGRAM_SECRET,
        "OTKLIK_VK_SECRET": VK_SECRET,
        "OTKLIK_VK_CONFIRMATION": VK_CONFIRMATION,
        "OTKLIK_RATING_SECRET": RATING_SECRET,
    }
    with server_process(db, log=server_log, env=env) as url:
        yield url


@pytest.fixture(scope="session")
def openapi(base_url: str) -> dict[str, Any]:
    """The OpenAPI document the server serves."""
    answer = httpx.get(f"{base_url}/schema/openapi.json", timeout=30)
    assert answer.status_code == 200
    document: dict[str, Any] = answer.json()
    return document


@pytest.fixture(scope="session")
def tokens(container: Container) -> dict[str, str]:
    made = {}
    for role in (
        Role.OPERATOR,
        Role.CURATOR,
        Role.AUDITOR,
        Role.ANALYST,
        Role.HEAD,
        Role.ADMINISTRATOR,
    ):
        made[role.value], _ = container.tokens.create(role=role, name=f"Тест {role.value}")
    made["executor"], _ = container.tokens.create(
        role=Role.EXECUTOR, name="Исполнитель ЖКХ", department="ugkh"
    )
    made["other_executor"], _ = container.tokens.create(
        role=Role.EXECUTOR, name="Исполнитель культуры", department="ukult"
    )
    return made


@pytest.fixture
def client(base_url: str, tokens: dict[str, str]) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=base_url, headers={"Authorization": f"Bearer {tokens['operator']}"}, timeout=30
    ) as c:
        yield c
