"""Given/when/then for every claim command and invariant: no database, a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import msgspec
import pytest

from domain.claims import commands as cmd
from domain.claims import events as ev
from domain.claims.commands import SourcePostInput
from domain.claims.decide import ClaimClock, decide
from domain.claims.events import Norm, SourcePost, Status, Verdict
from domain.claims.norms import DEFAULT_NORMS
from domain.claims.state import ClaimState, fold
from domain.shared.actors import Actor, Role
from domain.shared.errors import Forbidden, InvalidCommand, RuleViolated
from infra.calendar_source import russian_calendar

NOW = datetime(2026, 4, 16, 6, 0, tzinfo=UTC)  # Thursday 09:00 in Moscow
CLOCK = ClaimClock(DEFAULT_NORMS, russian_calendar([2026]), "Europe/Moscow")
OPERATOR = Actor(id="op-1", role=Role.OPERATOR, name="Оператор")
CURATOR = Actor(id="cur-1", role=Role.CURATOR, name="Куратор")
ANALYST = Actor(id="an-1", role=Role.ANALYST, name="Аналитик")
WATCHER = Actor(id="watcher", role=Role.SYSTEM, name="Контроль сроков")


def post(n: int = 1, reach: int = 500) -> SourcePostInput:
    return SourcePostInput(
        url=f"https://vk.com/wall-1_{n}",
        channel="vk",
        first_seen=NOW - timedelta(hours=1),
        reach=reach,
    )


DETECT = cmd.DetectClaim(text="В городе отключат воду на месяц", sources=(post(),), topic="ЖКХ")
ASSESS_FALSE = cmd.AssessClaim(
    verdict=Verdict.FALSE,
    evidence=("График работ водоканала",),
    department="Управление ЖКХ",
    rationale="Плановых отключений нет",
)
DRAFT = cmd.DraftRefutation(text="Отключений воды не планируется", facts=("График",))
APPROVE = cmd.ApproveRefutation(approver="Куратор МЦУ")
PUBLISH = cmd.PublishRefutation(channel="vk", url="https://vk.com/wall-100_1")


class Claim:
    def __init__(self) -> None:
        self.now = NOW
        self.id = uuid4()
        self.events: list[ev.ClaimEvent] = []

    @property
    def state(self) -> ClaimState | None:
        return fold(self.events)

    def when(
        self,
        command: cmd.ClaimCommand,
        actor: Actor = CURATOR,
        after: timedelta = timedelta(minutes=10),
    ) -> list[ev.ClaimEvent]:
        self.now += after
        return decide(self.state, command, actor=actor, now=self.now, clock=CLOCK, claim_id=self.id)

    def given(self, *commands: cmd.ClaimCommand, actor: Actor = CURATOR) -> Claim:
        for command in commands:
            self.events.extend(self.when(command, actor))
        return self


def test_a_detected_claim_gets_its_norms_counted_in_working_hours() -> None:
    (detected,) = Claim().when(DETECT, OPERATOR, after=timedelta(0))
    assert isinstance(detected, ev.ClaimDetected) and not detected.urgent
    # 8 working hours from Thursday 09:00 → Thursday 18:00; 16 → Friday 18:00 (Moscow)
    assert detected.verdict_due == datetime(2026, 4, 16, 15, 0, tzinfo=UTC)
    assert detected.refutation_due == datetime(2026, 4, 17, 15, 0, tzinfo=UTC)
    assert detected.norms.startswith("misinformation/1; RU/")


def test_a_large_reach_makes_a_claim_urgent_with_round_the_clock_norms() -> None:
    big = msgspec.structs.replace(DETECT, sources=(post(1, 8_000), post(2, 4_000)))
    (detected,) = Claim().when(big, OPERATOR, after=timedelta(0))
    assert isinstance(detected, ev.ClaimDetected) and detected.urgent
    assert detected.verdict_due == NOW + timedelta(hours=2)
    assert detected.refutation_due == NOW + timedelta(hours=6)
    flagged = msgspec.structs.replace(DETECT, urgent=True)
    (again,) = Claim().when(flagged, OPERATOR, after=timedelta(0))
    assert isinstance(again, ev.ClaimDetected) and again.urgent


def test_the_whole_response_from_detection_to_closing() -> None:
    claim = Claim().given(
        DETECT,
        cmd.AddSource(source=post(2)),
        ASSESS_FALSE,
        DRAFT,
        APPROVE,
        PUBLISH,
        cmd.PublishRefutation(channel="telegram", url="https://t.me/city/5"),
        cmd.ConfirmPublication(channel="vk", reference="пост 1"),
        cmd.WarnTargetGroups(groups=("Жители района Северный",), channel="ПОС"),
        cmd.CloseClaim(reason="Опровержение опубликовано"),
    )
    state = claim.state
    assert state is not None and state.status is Status.CLOSED
    assert state.published_channels == ("vk", "telegram")
    assert state.confirmed_channels == ("vk",)
    assert state.warned_groups == ("Жители района Северный",)
    assert len(state.sources) == 2 and state.version == 10
    assert all(e.actor == CURATOR for e in claim.events[1:])


@pytest.mark.parametrize(
    ("given", "command", "words"),
    [
        ((DETECT,), PUBLISH, "only after its approval"),
        ((DETECT,), APPROVE, "needs a verdict first"),
        ((DETECT,), DRAFT, "needs a verdict first"),
        (
            (DETECT, msgspec.structs.replace(ASSESS_FALSE, verdict=Verdict.TRUE)),
            DRAFT,
            "false or misleading; the verdict is true",
        ),
        ((DETECT, ASSESS_FALSE), APPROVE, "no drafted refutation"),
        ((DETECT, ASSESS_FALSE, DRAFT), PUBLISH, "only after its approval"),
        ((DETECT, ASSESS_FALSE, DRAFT, APPROVE), ASSESS_FALSE, "can no longer change"),
        (
            (DETECT, ASSESS_FALSE, DRAFT, APPROVE, PUBLISH),
            PUBLISH,
            "already published on this channel",
        ),
        ((DETECT, ASSESS_FALSE), cmd.ConfirmPublication(channel="vk"), "nothing was published"),
        (
            (DETECT, ASSESS_FALSE, DRAFT, APPROVE, PUBLISH, cmd.ConfirmPublication(channel="vk")),
            cmd.ConfirmPublication(channel="vk"),
            "already confirmed",
        ),
        ((DETECT,), cmd.WarnTargetGroups(groups=("Все",), channel="ПОС"), "needs a verdict"),
        ((DETECT,), cmd.CloseClaim(reason="x"), "only after its verdict"),
        ((DETECT, ASSESS_FALSE), cmd.CloseClaim(reason="x"), "only once refuted"),
        ((DETECT,), cmd.AddSource(source=post(1)), "already a source"),
        ((DETECT,), cmd.RecordNormBreach(norm=Norm.VERDICT), "has not passed yet"),
        ((), ASSESS_FALSE, "has not been detected"),
        ((DETECT,), DETECT, "detected only once"),
    ],
)
def test_every_invariant_names_its_rule(
    given: tuple[cmd.ClaimCommand, ...], command: cmd.ClaimCommand, words: str
) -> None:
    claim = Claim().given(*given)
    with pytest.raises(RuleViolated, match=words):
        claim.when(command)


def test_a_closed_claim_only_resurfaces_and_is_answered_from_its_refutation() -> None:
    claim = Claim().given(
        DETECT, ASSESS_FALSE, DRAFT, APPROVE, PUBLISH, cmd.CloseClaim(reason="Опровергнуто")
    )
    with pytest.raises(RuleViolated, match="closed"):
        claim.when(cmd.AddSource(source=post(5)))
    claim.given(cmd.RecordResurfacing(source=post(6), similarity=0.8), actor=WATCHER)
    state = claim.state
    assert state is not None and state.status is Status.PUBLISHED and state.resurfaced == 1
    claim.given(PUBLISH)  # the same refutation, again, where the fake came back
    assert claim.state is not None and claim.state.published_channels == ("vk", "vk")


def test_norm_breaches_are_recorded_once_and_only_when_due_and_unmet() -> None:
    claim = Claim().given(DETECT)
    claim.now += timedelta(days=3)
    (breach,) = claim.when(cmd.RecordNormBreach(norm=Norm.VERDICT), WATCHER)
    assert isinstance(breach, ev.NormBreached) and breach.norm is Norm.VERDICT
    claim.events.append(breach)
    with pytest.raises(RuleViolated, match="already recorded"):
        claim.when(cmd.RecordNormBreach(norm=Norm.VERDICT), WATCHER)
    on_time = Claim().given(DETECT, ASSESS_FALSE, DRAFT, APPROVE, PUBLISH)
    on_time.now += timedelta(days=3)
    for norm in Norm:
        with pytest.raises(RuleViolated, match="was met"):
            on_time.when(cmd.RecordNormBreach(norm=norm), WATCHER)
    true = Claim().given(DETECT, msgspec.structs.replace(ASSESS_FALSE, verdict=Verdict.TRUE))
    true.now += timedelta(days=3)
    with pytest.raises(RuleViolated, match="needs no refutation"):
        true.when(cmd.RecordNormBreach(norm=Norm.REFUTATION), WATCHER)


def test_roles_and_bad_values() -> None:
    with pytest.raises(Forbidden, match="analyst"):
        Claim().when(DETECT, ANALYST)
    with pytest.raises(Forbidden):
        Claim().given(DETECT, ASSESS_FALSE, DRAFT).when(APPROVE, OPERATOR)
    with pytest.raises(InvalidCommand, match="blank"):
        Claim().when(msgspec.structs.replace(DETECT, text="   "))
    with pytest.raises(InvalidCommand, match="future"):
        Claim().when(msgspec.structs.replace(DETECT, occurred_at=NOW + timedelta(days=1)))
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({"text": "x", "sources": []}, cmd.DetectClaim)
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert(
            {"url": "ftp://x", "channel": "vk", "first_seen": NOW.isoformat()}, SourcePost
        )
