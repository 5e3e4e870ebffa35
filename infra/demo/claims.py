"""Demo claims: a month of false information about the city and the control centre's response —
found, assessed, refuted and published, target groups warned, closed, some back again in other
words — written through the claims' domain like everything else."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from domain.claims import commands as cmd
from domain.claims.events import Verdict
from domain.claims.service import ClaimsService
from domain.shared.actors import Actor, Role

CURATOR = Actor(id="demo-curator", role=Role.CURATOR, name="Смирнова Е. В. (куратор МЦУ)")
ANALYST_DEPARTMENTS = {
    "ЖКХ": "Управление ЖКХ",
    "Здравоохранение": "Управление здравоохранения",
    "Образование": "Управление образования",
    "Транспорт": "Управление транспорта",
    "Благоустройство": "Управление благоустройства",
}
# (topic, the fake, the refutation, the verdict, a paraphrase it comes back as or None)
FAKES = [
    (
        "ЖКХ",
        "В городе на месяц отключат горячую воду во всех районах",
        "Горячая вода отключается только на время плановых работ, не более 10 дней, по графику на сайте",
        Verdict.FALSE,
        "Говорят, во всех районах города месяц не будет горячей воды",
    ),
    (
        "Здравоохранение",
        "Мэрия закрывает городскую больницу №2 и увольняет всех врачей",
        "Больница №2 работает в обычном режиме, сокращений нет",
        Verdict.FALSE,
        "Больницу №2 закроют, а врачей уволят — что происходит?",
    ),
    (
        "Образование",
        "В школах города с понедельника вводят дистанционное обучение из-за вспышки кори",
        "Решения о дистанционном обучении не принималось, занятия идут очно",
        Verdict.FALSE,
        None,
    ),
    (
        "ЖКХ",
        "Из-под крана течёт отравленная вода, в водопровод попали химикаты",
        "Пробы воды соответствуют СанПиН, результаты анализов опубликованы",
        Verdict.FALSE,
        "Не пейте воду из-под крана — она отравлена химикатами",
    ),
    (
        "Транспорт",
        "Мост через реку Каму закроют на ремонт на два года",
        "Ремонт моста идёт по полосам, движение не закрывается; срок — до конца сезона",
        Verdict.MISLEADING,
        None,
    ),
    (
        "Транспорт",
        "Проезд в автобусах подорожает до 100 рублей с первого числа",
        "Тариф на проезд не меняется; решения о повышении не принималось",
        Verdict.FALSE,
        None,
    ),
    (
        "Благоустройство",
        "В парке Победы вырубят все деревья под застройку",
        "В парке проводится санитарная обрезка 12 аварийных деревьев, застройка не планируется",
        Verdict.MISLEADING,
        None,
    ),
    (
        "Здравоохранение",
        "В поликлиниках города закончилась вакцина от гриппа",
        "",
        Verdict.TRUE,
        None,
    ),
    (
        "Благоустройство",
        "Снег в этом году вывозить не будут: у города нет денег",
        "",
        Verdict.UNVERIFIABLE,
        None,
    ),
    ("ЖКХ", "С нового года плата за вывоз мусора вырастет втрое", "", None, None),
]


def load_demo_claims(claims: ClaimsService, *, now: datetime, seed: int = 2026) -> int:
    """The demo's claims; the number of claims written."""
    rng = random.Random(seed)
    for n, (topic, text, refutation, verdict, comeback) in enumerate(FAKES):
        detected = now - timedelta(days=28 - n * 2.5, hours=rng.randrange(0, 12))
        reach = rng.choice([300, 1_500, 4_000, 12_000, 45_000])
        post = cmd.SourcePostInput(
            url=f"https://vk.com/wall-{1000 + n}_{rng.randrange(100, 999)}",
            channel=rng.choice(["vk", "telegram", "ok"]),
            first_seen=detected - timedelta(hours=rng.randrange(1, 6)),
            reach=reach,
            text=text,
        )
        state = claims.detect(
            cmd.DetectClaim(text=text, topic=topic, sources=(post,), occurred_at=detected),
            actor=CURATOR,
        ).state
        at = detected
        steps: list[cmd.ClaimCommand] = []

        def later(hours: float) -> datetime:
            nonlocal at
            at = min(at + timedelta(hours=hours), now)
            return at

        if verdict is not None:
            steps.append(
                cmd.AssessClaim(
                    verdict=verdict,
                    evidence=("Официальная справка ответственного управления",),
                    department=ANALYST_DEPARTMENTS[topic],
                    rationale="Сведения проверены по данным управления",
                    occurred_at=later(rng.choice([1, 3, 6, 20])),
                )
            )
        if refutation:
            steps += [
                cmd.DraftRefutation(
                    text=refutation, facts=("Справка управления",), occurred_at=later(1)
                ),
                cmd.ApproveRefutation(approver="Руководитель МЦУ", occurred_at=later(0.5)),
                cmd.PublishRefutation(
                    channel="vk",
                    url=f"https://vk.com/wall-100_{500 + n}",
                    occurred_at=later(rng.choice([1, 2, 10])),
                ),
                cmd.ConfirmPublication(
                    channel="vk", reference="пост опубликован", occurred_at=later(0.2)
                ),
                cmd.PublishRefutation(
                    channel="telegram",
                    url=f"https://t.me/city_official/{900 + n}",
                    occurred_at=later(0.5),
                ),
                cmd.WarnTargetGroups(
                    groups=("Жители города", "Старшие по домам"),
                    channel="ПОС",
                    occurred_at=later(1),
                ),
            ]
            if n % 3 != 2:
                steps.append(
                    cmd.CloseClaim(reason="Опровержение опубликовано", occurred_at=later(24))
                )
        elif verdict in (Verdict.TRUE, Verdict.UNVERIFIABLE):
            steps.append(cmd.CloseClaim(reason="Опровержение не требуется", occurred_at=later(12)))
        if comeback is not None:
            steps.append(
                cmd.RecordResurfacing(
                    source=cmd.SourcePostInput(
                        url=f"https://t.me/gossip/{2000 + n}",
                        channel="telegram",
                        first_seen=later(72),
                        reach=rng.choice([800, 6_000]),
                        text=comeback,
                    ),
                    similarity=0.8,
                    occurred_at=at,
                )
            )
        for step in steps:
            state = claims.handle(state.id, step, actor=CURATOR).state
    return len(FAKES)
