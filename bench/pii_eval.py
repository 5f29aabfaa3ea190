"""PII recognition benchmark: precision, recall and F1 per entity type on the project's labelled
corpus, and texts/s, beside Presidio configured with equivalent pattern recognizers and no NLP
model (its `NoOpNlpEngine`), on the same corpus, in the same run, on one core.

A prediction counts when its type, start and end all equal a gold span (strict); the overlap
figures (same type, any shared character) are printed beside for the curious.

    python bench/make_pii_corpus.py      # writes bench/data/pii_corpus.jsonl
    python bench/pii_eval.py [--rounds 3] [--no-presidio]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import write_fragment

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
CHUNK = 50  # texts each engine runs before the other takes its turn
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


def throughput(
    engines: dict[str, Predict], texts: list[str], rounds: int, chunk: int = CHUNK
) -> dict[str, float]:
    """Return texts/s per engine over `rounds` passes, the engines interleaved chunk by chunk.

    Each chunk of `chunk` texts runs on every engine in turn, the order reversed on the next
    chunk (A B, B A, …), so a slow spell of a shared machine falls on both engines alike
    rather than on whichever ran during it. Time is this process's CPU time.
    """
    spent = dict.fromkeys(engines, 0.0)
    order = list(engines.items())
    for _ in range(rounds):
        for index in range(0, len(texts), chunk):
            part = texts[index : index + chunk]
            for name, predict in order if (index // chunk) % 2 == 0 else order[::-1]:
                start = time.process_time()
                for text in part:
                    predict(text)
                spent[name] += time.process_time() - start
    return {name: len(texts) * rounds / seconds for name, seconds in spent.items()}


def errors(rows: list[dict], predicted: list[Spans], kind: str, limit: int = 40) -> None:
    shown = 0
    for row, pred in zip(rows, predicted, strict=True):
        if row["category"] == "holdout":
            continue  # never tuned on: see main()
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


def presidio() -> Predict:
    """Presidio's AnalyzerEngine with pattern recognizers equivalent to ours and no NLP model.

    The number types reuse our regular expressions and validators (check digit, Luhn, phone
    normalization) inside Presidio `PatternRecognizer`s; names, addresses and all-digit
    waybills get the regular expressions a Presidio user would write: cue words before a
    surname or a number (Python needs one fixed width per look-behind, so one pattern per
    width), a name alone in a list field, and divisions followed by detail words. Presidio
    sees the same text folded to half-width (folding is counted in its time).
    """
    import re

    from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NoOpNlpEngine

    from parcelguard.pii.text_view import fold

    flags = re.DOTALL | re.MULTILINE

    class Validated(PatternRecognizer):
        def __init__(self, entity: str, patterns: list[str], check=None) -> None:
            super().__init__(
                supported_entity=entity,
                supported_language="zh",
                patterns=[Pattern(f"{entity}_{i}", p, 0.8) for i, p in enumerate(patterns)],
                global_regex_flags=flags,
            )
            self._check = check

        def validate_result(self, pattern_text: str) -> bool | None:
            return None if self._check is None else bool(self._check(pattern_text))

    registry = RecognizerRegistry(supported_languages=["zh"])
    for entity, (patterns, check) in _presidio_patterns().items():
        registry.add_recognizer(Validated(entity, patterns, check))
    engine = AnalyzerEngine(
        registry=registry,
        nlp_engine=NoOpNlpEngine(models=[{"lang_code": "zh", "model_name": "none"}]),
        supported_languages=["zh"],
    )

    def predict(text: str) -> Spans:
        results = engine.analyze(fold(text), language="zh", regex_flags=flags)
        return {(r.entity_type, r.start, r.end) for r in results}

    return predict


def _after_cues(cues: list[str], body: str) -> list[str]:
    """Return one pattern per look-behind width: `body` right after a cue (and a separator)."""
    by_width: dict[int, list[str]] = {}
    for cue in cues:
        for sep in ("", "：", ":", " "):
            by_width.setdefault(len(cue + sep), []).append(re.escape(cue + sep))
    return [f"(?<={'|'.join(alts)}){body}" for alts in by_width.values()]


def _presidio_patterns() -> dict[str, tuple[list[str], Callable[[str], bool] | None]]:
    from parcelguard.pii.normalize import luhn_ok, normalize_phone, normalize_resident_id
    from parcelguard.pii.recognizers import bank_card_recognizer as bank
    from parcelguard.pii.recognizers import email_recognizer as email
    from parcelguard.pii.recognizers import id_card_recognizer as idc
    from parcelguard.pii.recognizers import landline_recognizer as land
    from parcelguard.pii.recognizers import phone_recognizer as phone
    from parcelguard.pii.recognizers import plate_recognizer as plate
    from parcelguard.pii.recognizers import waybill_recognizer as waybill
    from parcelguard.pii.surnames import COMMON_SURNAMES, SURNAMES

    def digits(t: str) -> str:
        return re.sub(r"\D", "", t)

    han, given = r"[\u4e00-\u9fff]", r"[\u4e00-\u9fff]{1,2}"
    compound = "欧阳|司马|上官|诸葛|东方|慕容|令狐|公孙"
    cues = "收件人 寄件人 收货人 联系人 签收人 开户名 投诉人 快递员 派件员 姓名 我叫 客户 户名 车主 名叫 全名"
    names = _after_cues(cues.split(), f"(?:{compound}|[{''.join(SURNAMES)}]){given}")
    names.append(
        f"(?:(?<=^)|(?<=[,，\\t|/ ]))[{''.join(COMMON_SURNAMES)}]{given}(?=[,，\\t|/ \\n]|$|[0-9])"
    )
    carriers = "运单号 快递单号 单号 运单 中通 圆通 申通 韵达 百世 极兔 邮政 EMS 德邦 快递"
    address = (
        f"(?:{han}{{2,9}}?(?:省|自治区))?(?:{han}{{2,9}}?(?:市|州|盟|地区))?"
        f"(?:{han}{{1,9}}?(?:区|县|旗|市))?(?:{han}{{1,8}}?(?:镇|乡|街道))?"
        f"(?:{han}{{1,8}}?(?:路|街|大道|巷|村))"
        r"[\u4e00-\u9fffA-Za-z0-9\-]{0,30}?(?:号|室|组|栋|单元|座|楼|层|[0-9]{3,4})(?![0-9])"
    )
    return {
        "PHONE": ([phone._PHONE.pattern], lambda t: normalize_phone(t) is not None),
        "LANDLINE": (
            [land._LANDLINE.pattern],
            lambda t: normalize_phone("0" + digits(t).lstrip("0").removeprefix("86")) is not None,
        ),
        "ID_CARD": ([idc._ID.pattern], lambda t: normalize_resident_id(t) is not None),
        "BANK_CARD": (
            [bank._CARD.pattern],
            lambda t: luhn_ok(digits(t)) and bank.scheme_ok(digits(t)),
        ),
        "EMAIL": ([email._EMAIL.pattern], None),
        "WAYBILL_NO": (
            [waybill._PREFIXED.pattern, *_after_cues(carriers.split(), r"[0-9]{10,15}(?![0-9])")],
            None,
        ),
        "PLATE": ([plate._PLATE.pattern], None),
        "NAME": (names, None),
        "ADDRESS": ([address], None),
    }


def _table(name: str, table: dict[str, dict[str, float]]) -> list[str]:
    lines = [f"| type | {name} P | R | F1 | gold |", "| --- | ---: | ---: | ---: | ---: |"]
    for kind in TYPES:
        row = table[kind]
        target = TARGETS.get(kind)
        mark = "" if target is None else (" ✓" if row["f1"] >= target else f" ✗ (target {target})")
        lines.append(
            f"| {kind} | {row['precision']:.3f} | {row['recall']:.3f} | **{row['f1']:.3f}**{mark} | {row['support']} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-presidio", action="store_true")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, both engines
    rows = load()
    texts = [row["text"] for row in rows]
    engines = {"ParcelGuard": ours()}
    if not args.no_presidio:
        engines["Presidio"] = presidio()
    for predict in engines.values():
        predict(texts[0])  # load dictionaries and models before timing
    predicted = {name: [predict(t) for t in texts] for name, predict in engines.items()}
    rates = throughput(engines, texts, args.rounds)
    text = "\n".join(_report(rows, predicted, rates))
    print(text)
    _merge_fragment(text)


def _report(
    rows: list[dict], predicted: dict[str, list[Spans]], rates: dict[str, float]
) -> list[str]:
    mine = predicted["ParcelGuard"]
    loose = score(rows, mine, overlap=True)
    held = [i for i, row in enumerate(rows) if row["category"] == "holdout"]
    holdout = score([rows[i] for i in held], [mine[i] for i in held])
    lines = [
        "## PII recognition (`bench/pii_eval.py`)",
        "",
        f"{len(rows)} labelled texts from `bench/make_pii_corpus.py` (seeded; SMS, chats,"
        " complaints, forms, leaked-list rows, OCR output, English mixes, dialogues and"
        " negatives); strict matching (type, start and end all equal);"
        f" {platform.python_implementation()} {platform.python_version()}, {platform.machine()}.",
        "",
        *_table("ParcelGuard", score(rows, mine)),
        "",
        "Overlap F1 (any shared character counts): "
        + ", ".join(f"{k} {loose[k]['f1']:.3f}" for k in TYPES)
        + ".",
        "",
        f"Held-out templates ({len(held)} texts written after tuning, never tuned on): "
        + ", ".join(f"{k} {holdout[k]['f1']:.3f}" for k in TYPES if holdout[k]["support"])
        + ".",
        "",
    ]
    if "Presidio" in predicted:
        lines += [
            "Presidio 2.2 with equivalent pattern recognizers and `NoOpNlpEngine` (no NLP"
            " model), same texts:",
            "",
            *_table("Presidio", score(rows, predicted["Presidio"])),
            "",
        ]
    lines += [
        f"Throughput, texts per CPU-second, one core, the engines interleaved in chunks of {CHUNK} texts:",
        "",
    ]
    lines += ["| engine | texts/s |", "| --- | ---: |"]
    lines += [f"| {name} | {rate:,.0f} |" for name, rate in rates.items()]
    if "Presidio" in rates:
        lines += [f"| **ratio** | **{rates['ParcelGuard'] / rates['Presidio']:.1f}×** |"]
    return lines


def _merge_fragment(section: str) -> None:
    """Write this section into bench/results/pii.md, keeping the photo benchmark's section."""
    path = Path(__file__).parent / "results" / "pii.md"
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    tail = existing.split("## PII photo redaction", 1)
    photo = "## PII photo redaction" + tail[1] if len(tail) == 2 else ""
    write_fragment("pii", section + ("\n\n" + photo if photo else ""))


if __name__ == "__main__":
    main()
