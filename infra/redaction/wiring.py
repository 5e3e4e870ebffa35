"""The redacted copies wired: the masker (its model loads on first use), the service that records
and reads the copies, the reactor that makes them, and what the read routes serve."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from eventsourcing.application import Application

from api.redacted_reads import RedactedCopies
from domain.redaction.service import RedactionService
from infra.calendar_clock import utc_now
from infra.redaction.masker import Masker
from projections.reactors.redaction import RedactionReactor


@dataclass(frozen=True)
class Redaction:
    service: RedactionService
    masker: Masker
    reactor: RedactionReactor

    def copies(self) -> RedactedCopies:
        masker = self.masker
        return RedactedCopies(self.service.copies, lambda text: masker.mask(text).text)


def build_redaction(store: Application[UUID]) -> Redaction:
    service, masker = RedactionService(store, utc_now), Masker()
    return Redaction(service, masker, RedactionReactor(service, masker.mask, masker.version))
