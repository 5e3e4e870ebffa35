"""The body's statute as data: who chairs, what makes a quorum, when a decision passes, who signs
the protocol. Each municipality's МЦУ has its own; the seeds give two."""

from __future__ import annotations

from enum import StrEnum

import msgspec


class Seat(StrEnum):
    """A seat in the body's composition (001 §1.2)."""

    HEAD = "head"  # руководитель МЦУ
    DEPUTY_HEAD = "deputy_head"  # заместитель руководителя МЦУ
    SECRETARY = "secretary"  # секретарь МЦУ
    MEMBER = "member"  # член МЦУ


class Statute(msgspec.Struct, frozen=True, kw_only=True):
    """The rules a session is held under (recorded on the session when it is scheduled)."""

    id: str
    # who chairs: the first of these seats whose holder takes part (§5.1: the head; in the
    # head's absence or on the head's instruction, the deputy head)
    chairs: tuple[Seat, ...] = (Seat.HEAD, Seat.DEPUTY_HEAD)
    # §5.3: a session is competent when more than this share of the members take part
    quorum_share: float = 0.5
    # §5.4: a decision passes when more than this share of those taking part vote for it
    majority_share: float = 0.5
    # §5.5: on a tie (exactly the share voting for) the chair's vote decides
    chair_breaks_ties: bool = True
    # §5.6: the protocol is signed by these seats' holders (the chair is always one)
    signatories: tuple[Seat, ...] = (Seat.SECRETARY,)

    def quorum(self, members: int) -> int:
        """The fewest members taking part that make the session competent."""
        return int(members * self.quorum_share) + 1

    def has_quorum(self, taking_part: int, members: int) -> bool:
        return taking_part > members * self.quorum_share

    def outcome(
        self, votes_for: int, taking_part: int, chair_for: bool | None
    ) -> tuple[bool, bool]:
        """(adopted, decided by the chair's vote): more than half of those taking part for it;
        exactly half is a tie, decided by the chair's vote when the statute says so."""
        if votes_for > taking_part * self.majority_share:
            return True, False
        tie = votes_for == taking_part * self.majority_share and votes_for > 0
        if tie and self.chair_breaks_ties:
            return bool(chair_for), True
        return False, False


# Ишим (seed 001 §1.2, §5.1–5.6)
ISHIM = Statute(id="ishim-2021")
# Петровский район (seed 003 §3.2, §3.5): the curator or the head chairs, as needed; the seed says
# nothing of quorum or votes, so the same majority rules are assumed
PETROVSKY = Statute(id="petrovsky", chairs=(Seat.HEAD, Seat.DEPUTY_HEAD))
STATUTES = {s.id: s for s in (ISHIM, PETROVSKY)}
DEFAULT_STATUTE = ISHIM.id
