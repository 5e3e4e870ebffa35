"""The keyset cursors of the lists (appeals, SLA deadlines): base64 (URL-safe, unpadded) of their
fields joined by "|", taken back only exactly as the API wrote them."""

from __future__ import annotations

import base64
from datetime import datetime
from uuid import UUID

from projections.engine.storable import moment

# The keyset cursors of the lists: base64 (URL-safe, unpadded) of their fields joined by "|".
# A cursor is taken only as the API wrote it: anything else (another spelling of the same
# fields, a NUL or another control character hidden in the base64, a time beyond what a view
# holds) raises ValueError, which the routes answer with a 400 that does not repeat it.
_NOT_A_CURSOR = "the cursor is not one this API returned"
_CURSOR_LENGTH = 256  # ours are under 120 characters


def pack_cursor(*fields: str) -> str:
    return base64.urlsafe_b64encode("|".join(fields).encode()).decode().rstrip("=")


def unpack_cursor(cursor: str, count: int) -> list[str]:
    """The ``count`` fields of a cursor ``pack_cursor`` wrote, exactly as it wrote them."""
    try:
        if len(cursor) > _CURSOR_LENGTH or not cursor.isascii():
            raise ValueError(_NOT_A_CURSOR)
        raw = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True)
        text = raw.decode()
    except ValueError:  # binascii.Error and UnicodeDecodeError are ValueErrors
        raise ValueError(_NOT_A_CURSOR) from None
    fields = text.split("|")
    if len(fields) != count or not text.isprintable() or pack_cursor(*fields) != cursor:
        raise ValueError(_NOT_A_CURSOR)
    return fields


def cursor_time(text: str) -> datetime:
    """A time a cursor carries: as ``isoformat`` wrote it, with its offset, within what a view
    holds (``storable.moment``)."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(_NOT_A_CURSOR) from None
    if value.tzinfo is None or value.isoformat() != text or moment(value) != value:
        raise ValueError(_NOT_A_CURSOR)
    return value


def cursor_uuid(text: str) -> UUID:
    """An id a cursor carries, in its canonical spelling."""
    try:
        value = UUID(text)
    except ValueError:
        raise ValueError(_NOT_A_CURSOR) from None
    if str(value) != text:
        raise ValueError(_NOT_A_CURSOR)
    return value
