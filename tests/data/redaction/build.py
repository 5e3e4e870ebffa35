"""Turns the marked-up test set (ru.marked.txt) into ru.jsonl: each text with its gold spans."""

from __future__ import annotations

import json
import re
from pathlib import Path

HERE = Path(__file__).parent
LABELS = {"И": "ИМЯ", "А": "АДРЕС", "Т": "ТЕЛЕФОН", "E": "EMAIL"}
MARK = re.compile(r"\{([ИАТE]):([^{}]+)\}")


def parse(line: str) -> dict[str, object]:
    text, spans, last = [], [], 0
    length = 0
    for found in MARK.finditer(line):
        before = line[last : found.start()]
        text.append(before)
        length += len(before)
        value = found.group(2)
        spans.append({"start": length, "end": length + len(value), "label": LABELS[found.group(1)]})
        text.append(value)
        length += len(value)
        last = found.end()
    text.append(line[last:])
    return {"text": "".join(text), "spans": spans}


def main() -> None:
    for name in ("ru", "ru_holdout"):
        lines = (HERE / f"{name}.marked.txt").read_text(encoding="utf-8").splitlines()
        items = [parse(line) for line in lines if line.strip() and not line.startswith("#")]
        with (HERE / f"{name}.jsonl").open("w", encoding="utf-8") as out:
            for item in items:
                out.write(json.dumps(item, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
