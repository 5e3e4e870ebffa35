"""The redaction reactor's pace: appeals with distinct texts (names, phones, addresses) received,
then the reactor's build reads them all and records a copy of each; texts copied per second is
how fast an imported history gets its copies (its lag). Run: ``make bench-redaction-reactor``
(DATABASE_URL, else an embedded PostgreSQL). BENCH_TEXTS: how many appeals (default 500)."""

from __future__ import annotations

import os
import time

from bench.support import fresh_database
from infra.container import Container
from infra.event_codec import decode_event
from infra.redaction.evaluation import load
from infra.settings import Settings
from projections.engine.runner import ProjectionEngine
from tests.data.redaction import build
from tests.support.appeals import OPERATOR, receive

TEXTS = int(os.environ.get("BENCH_TEXTS", "500"))


def main() -> None:
    items = [i.text for i in load(build.HERE / "ru.jsonl")]
    with fresh_database() as info:
        container = Container.build(Settings.from_env({"DATABASE_URL": info.url()}), info)
        try:
            for n in range(TEXTS):  # distinct texts: the masker's cache does not help
                text = f"{items[n % len(items)]} (обращение {n})"
                container.appeals.receive(receive(text=text), actor=OPERATOR, idempotency=None)
            assert container.redaction is not None
            engine = ProjectionEngine(
                pool=container.pool,
                conninfo=info.conninfo,
                projections=[],
                reactors=[container.redaction.reactor],
                decode=decode_event,
            )
            container.redaction.masker.mask("Прогрев модели: Иван Петров")  # loading is not pace
            started = time.perf_counter()
            engine.catch_up_all(rounds=1)
            took = time.perf_counter() - started
        finally:
            container.close()
    line = f"redaction reactor: {TEXTS} texts copied in {took:.1f} s, {TEXTS / took:.0f} texts/s"
    print(line)
    with open("bench/results/redaction.txt", "a", encoding="utf-8") as out:
        out.write(line + "\n")


if __name__ == "__main__":
    main()
