"""`TextView`: one input as every recognizer sees it, folded to half-width with offsets kept.

Full-width digits, letters and symbols (１３８, ＋８６, ＠) become ASCII one character for one
character, so a match in the folded text has the same offsets in the original. jieba's
dictionary (loaded once, on first use) tells the name recognizer where words begin and end;
segmenting every text with jieba cost five times the rest of the analysis together.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FOLD.update({0x3000: 0x20, 0x2010: 0x2D, 0x2011: 0x2D, 0x2012: 0x2D, 0x2013: 0x2D})
_FOLD.update({0x2014: 0x2D, 0x2015: 0x2D, 0x2212: 0x2D, 0x00A0: 0x20})
_tokenizer: Any = None
_tokenizer_lock = threading.Lock()


_MASK_CHARS = re.compile("[*×●＊]")
_DIGIT = re.compile("[0-9]")
_NUMBER = re.compile(r"[0-9](?:[ \-.()]{0,3}[0-9])*")
_NEEDS_FOLD = re.compile("[\uff01-\uff5e\u3000\u2010-\u2015\u2212\u00a0]")


_FOLDED = {chr(wide): chr(narrow) for wide, narrow in _FOLD.items()}


def _fold_one(match: re.Match[str]) -> str:
    return _FOLDED[match.group()]


def fold(text: str) -> str:
    """Return `text` with full-width forms and odd dashes as ASCII, length unchanged.

    Chinese text has a few full-width commas and colons among many characters that stay:
    replacing just those is about twice as fast as `str.translate`, which looks every
    character of a non-ASCII text up in its table.
    """
    return _NEEDS_FOLD.sub(_fold_one, text)


def words(text: str) -> tuple[str, ...]:
    """Return the whitespace-separated words of a word list written as one string."""
    return tuple(text.split())


def is_han(ch: str) -> bool:
    """Return whether `ch` is a CJK unified ideograph."""
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def tokenizer() -> Any:
    """Return the shared jieba tokenizer, loading its dictionary once (about half a second)."""
    global _tokenizer
    if _tokenizer is None:
        with _tokenizer_lock:
            if _tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)  # it announces the dictionary load on stderr
                made = jieba.Tokenizer()
                made.initialize()
                _tokenizer = made
    return _tokenizer


class TextView:
    """The original text, its folded form, and what the recognizers check before a scan.

    Plain attributes set once: every text is read by nine recognizers, and most of them ask
    whether it holds a digit, a long number or a mask character before they scan.
    """

    __slots__ = ("folded", "has_digit", "has_mask", "longest_number", "original")

    def __init__(self, original: str) -> None:
        self.original = original
        self.folded = folded = fold(original)
        # Whether the text holds an ASCII digit (after folding): number types need one.
        self.has_digit = _DIGIT.search(folded) is not None
        # The length of the longest number (spaces, dashes, dots and brackets between): it
        # bounds the digit count from above, so recognizers of long numbers may skip their
        # scan when no number is long enough; most texts hold only amounts, dates and codes.
        self.longest_number = max(map(len, _NUMBER.findall(folded))) if self.has_digit else 0
        # Whether the text holds a mask character (*, ×, ●): masked-value scans skip otherwise.
        self.has_mask = _MASK_CHARS.search(folded) is not None

    def __len__(self) -> int:
        return len(self.original)

    def __repr__(self) -> str:
        return f"TextView(len={len(self.original)})"

    def before(self, start: int, width: int) -> str:
        """Return up to `width` folded characters ending at `start`."""
        return self.folded[max(0, start - width) : start]

    def after(self, end: int, width: int) -> str:
        """Return up to `width` folded characters starting at `end`."""
        return self.folded[end : end + width]
