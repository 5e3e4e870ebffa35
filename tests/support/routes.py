"""The operations anyone may call without a token, as the README lists them (the portal's
ratings and methodologies, published refutations, health): the tests hold the API to this list."""

from __future__ import annotations

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
    }
)
