"""PII recognition benchmark: precision, recall and F1 per entity type on the project's labelled
corpus, and texts/s, beside Presidio configured with equivalent pattern recognizers and no NLP
model (its `NoOpNlpEngine`), on the same corpus, in the same run, on one core.

A prediction counts when its type, start and end all equal a gold span (strict); the overlap
figures (same type, any shared character) are printed beside for the curious.

    python bench/make_pii_corpus.py      # writes bench/data/pii_corpus.jsonl
    python bench/pii_eval.py [--rounds 3] [--no-presidio]
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


CORPUS = Path(__file__).parent / "data" / "pii_corpus.jsonl"
TYPES = [
    "PHONE",
    "LANDLINE",
    "ID_CARD",
    "BANK_CARD",
    "EMAIL",
    "NAME",
    "ADDRESS",
    "WAYBILL_NO",
    "PLATE",
]
TARGETS = {
    "PHONE": 0.97,
    "LANDLINE": 0.97,
    "ID_CARD": 0.97,
    "BANK_CARD": 0.97,
    "EMAIL": 0.97,
    "NAME": 0.90,
    "ADDRESS": 0.90,
}
Spans = set[tuple[str, int, int]]
Predict = Callable[[str], Spans]


def load(path: Path = CORPUS) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def ours() -> Predict:
    from parcelguard.pii.analyzer import Analyzer

    analyzer = Analyzer()
    return lambda text: {(e.type, e.start, e.end) for e in analyzer.analyze(text).entities}


def score(
    rows: list[dict], predicted: list[Spans], *, overlap: bool = False
) -> dict[str, dict[str, float]]:
    table: dict[str, dict[str, float]] = {}
    for kind in TYPES:
        tp = fp = fn = 0
        for row, pred in zip(rows, predicted, strict=True):
            gold = {(s["type"], s["start"], s["end"]) for s in row["spans"] if s["type"] == kind}
            mine = {p for p in pred if p[0] == kind}
            if overlap:
                hit = {g for g in gold if any(_overlaps(g, p) for p in mine)}
                good = {p for p in mine if any(_overlaps(g, p) for g in gold)}
                tp += len(hit)
                fn += len(gold) - len(hit)
                fp += len(mine) - len(good)
            else:
                tp += len(gold & mine)
                fp += len(mine - gold)
                fn += len(gold - mine)
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        table[kind] = {
            "precision": p,
            "recall": r,
            "f1": f1,
            "support": tp + fn,
            "fp": fp,
            "fn": fn,
        }
    return table


def _overlaps(a: tuple[str, int, int], b: tuple[str, int, int]) -> bool:
    return a[1] < b[2] and b[1] < a[2]


def throughput(predict: Predict, texts: Iterable[str], rounds: int) -> float:
    texts = list(texts)
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for text in texts:
            predict(text)
        best = min(best, time.perf_counter() - start)
    return len(texts) / best


def errors(rows: list[dict], predicted: list[Spans], kind: str, limit: int = 40) -> None:
    shown = 0
    for row, pred in zip(rows, predicted, strict=True):
        gold = {(s["type"], s["start"], s["end"]) for s in row["spans"] if s["type"] == kind}
        mine = {p for p in pred if p[0] == kind}
        if gold != mine and shown < limit:
            shown += 1
            t = row["text"]
            print(row["id"], repr(t))
            print(
                "   missed:",
                [t[a:b] for _, a, b in sorted(gold - mine)],
                " extra:",
                [t[a:b] for _, a, b in sorted(mine - gold)],
            )
