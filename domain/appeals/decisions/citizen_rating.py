"""The citizen's score of the answer (issue 17): once per answer, for the answer the link was sent
with, after it was sent; a staff-typed score before it does not stop it (the ratings prefer the
citizen's)."""

from __future__ import annotations

from domain.appeals import events as ev
from domain.appeals.citizen_commands import RateAnswerAsCitizen
from domain.appeals.decisions.context import Context, Decisions
from domain.appeals.state import AppealState
from domain.appeals.vocabulary import Outcome
from domain.shared.errors import RuleViolated

DECISIONS = Decisions()


class AnswerAlreadyRated(RuleViolated):
    """The link's answer already has the citizen's score: a link is used once."""

    code = "answer-already-rated"


class EarlierAnswer(RuleViolated):
    """The link names an answer the appeal has since replaced (it was reopened)."""

    code = "earlier-answer"


class AnswerNotSent(RuleViolated):
    """There is no sent answer to rate (not yet, or the appeal ended without one)."""

    code = "answer-not-sent"


def allowed_when_closed(state: AppealState, command: object) -> bool:
    """A closed appeal's answer can still be rated by the citizen while their link lasts."""
    return isinstance(command, RateAnswerAsCitizen) and state.outcome is Outcome.ANSWERED


@DECISIONS.handles(RateAnswerAsCitizen)
def _rate(command: RateAnswerAsCitizen, c: Context) -> list[ev.AppealEvent]:
    s = c.s
    if command.answer_version != s.answer_version:
        raise EarlierAnswer("the link is for an earlier answer: the appeal was reopened since")
    if s.answer_published_at is None:
        raise AnswerNotSent("the answer has not been sent: there is nothing to rate yet")
    if s.citizen_rated_current_answer:
        raise AnswerAlreadyRated("the citizen has already rated this answer")
    return [
        ev.SatisfactionRated(
            **c.envelope(), score=command.score, comment=command.comment, by_citizen=True
        )
    ]
