"""The operations anyone may call without a token, as the README lists them (the portal's
ratings and methodologies, published refutations, the rubricator, health): the tests hold the API
to this list; and the operations of the OpenAPI document, with a path the router matches for each."""

from __future__ import annotations

import re
from typing import Any

ANY_ID = "00000000-0000-4000-8000-000000000000"

PUBLIC_OPERATIONS = frozenset(
    {
        ("GET", "/health/live"),
        ("GET", "/health/ready"),
        ("GET", "/api/v1/methodologies"),
        ("GET", "/api/v1/methodologies/{methodology_id}"),
        ("GET", "/api/v1/ratings"),
        ("GET", "/api/v1/ratings/compare"),
        ("GET", "/api/v1/claim-reviews"),
        ("GET", "/api/v1/claims/{claim_id}/claim-review"),
        ("GET", "/api/v1/rubricator"),
        ("GET", "/api/v1/rubricator/{code}"),
        # the messengers' webhooks: no bearer token, a secret of the messenger's own instead
        ("POST", "/api/v1/intake/telegram"),
        ("POST", "/api/v1/intake/vk"),
        # Open311 GeoReport v2: the services and the status tracker; POST requests checks its
        # api_key (a bearer token's secret, in the form) itself
        *(
            (method, f"/open311/v2/{resource}.{fmt}")
            for method, resource in (("GET", "services"), ("GET", "requests"), ("POST", "requests"))
            for fmt in ("json", "xml")
        ),
        ("GET", "/open311/v2/services/{service}"),
        ("GET", "/open311/v2/requests/{service_request}"),
    }
)
# Public operations that check a secret of their own (a 403 without it: never the token's)
OWN_SECRET_OPERATIONS = frozenset({("POST", "/api/v1/intake/telegram")})


def operations(schema: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """Each operation of the OpenAPI document under its method and path."""
    return {
        (method.upper(), path): operation
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    }


def concrete(path: str) -> str:
    """A path the router matches (so that the answer is the route's, not a 404)."""
    return re.sub(r"\{[^}]+\}", ANY_ID, path.replace("{year}", "2026"))
