"""What the public rating page needs of the signed links (issue 17): reading a link's token back
into the appeal and the answer it rates, or the reason it is refused. ``infra.rating_links``
signs and reads them with the deployment's secret; the page knows nothing of the secret."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime
from uuid import UUID


class LinkRefused(Exception):
    """A rating link that rates nothing; the message names the rule, never the token."""


class LinkTampered(LinkRefused):
    """The token was not signed by this deployment (changed, cut short, made up)."""


class LinkExpired(LinkRefused):
    """The token was signed here, and its time has run out."""


class RatingLinkReader(ABC):
    """Reads a link's token (an ABC, not a Protocol: a dependency's type must be checkable)."""

    @abstractmethod
    def verify(self, token: str, now: datetime) -> tuple[UUID, int]:
        """The appeal and the answer version the token rates; ``LinkTampered`` or
        ``LinkExpired`` when it rates nothing at ``now``."""
