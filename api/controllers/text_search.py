"""Full-text search over what citizens wrote, for analysts: only the redacted copies are searched
and shown (issue 18), never an original."""

from typing import Annotated

from litestar import get
from litestar.params import Parameter

from api.controllers.reports import READ_REPORTS
from api.schemas.common import mirror
from api.schemas.texts import RedactedTextFound
from projections.redacted_texts import RedactedTextQueries


@get("/api/v1/reports/texts", sync_to_thread=True, tags=["reports"], guards=READ_REPORTS)
def search_texts(
    redacted_text_queries: RedactedTextQueries,
    q: Annotated[str, Parameter(min_length=2, max_length=200, pattern=r"^[^\x00]*$")],
    limit: Annotated[int, Parameter(ge=1, le=200)] = 50,
) -> list[RedactedTextFound]:
    """The appeals' free texts matching ``q`` (Russian word forms; web-search syntax: quotes,
    ``or``, ``-word``), best match first, as their redacted copies."""
    return mirror(redacted_text_queries.search(q, limit=limit), list[RedactedTextFound])
