"""`TesseractReader`: a second, different OCR engine (Tesseract LSTM, `chi_sim`) as a verifier.

Runs Debian's `tesseract` binary in a subprocess on a PNG sent through stdin; nothing is
written to disk. Large photos are downscaled first (text stays legible well below 2 000
pixels a side) so one read has a bounded cost; boxes are scaled back. Tesseract gives a box
per word: a word's characters share it in proportion to their widths. Page segmentation 11
(sparse text) finds fields scattered over a label better than whole-page layout analysis, and
the check for light text on dark ground is off (labels print dark on light; it costs a tenth).
"""

from __future__ import annotations

import csv
import functools
import io
import os
import shutil
import subprocess
from dataclasses import dataclass

import cv2
import numpy as np

from parcelguard.pii.image.geometry import Quad, split_line
from parcelguard.pii.image.ocr_engine import OcrLine

MAX_SIDE = 2000
TIMEOUT_S = 60.0


class ReaderFailed(RuntimeError):
    """The verifier could not read a photo (it crashed or ran out of time)."""


@dataclass(frozen=True)
class _Word:
    line: tuple[int, int, int]
    box: tuple[float, float, float, float]
    text: str


class TesseractReader:
    """Reads text lines with `tesseract -l chi_sim --psm 11` (sparse text, any layout)."""

    def __init__(
        self,
        binary: str = "tesseract",
        langs: str = "chi_sim",
        *,
        max_side: int = MAX_SIDE,
        timeout: float = TIMEOUT_S,
    ) -> None:
        self.binary = binary
        self.langs = langs
        self.max_side = max_side
        self.timeout = timeout
        self.name = f"tesseract-{langs}"

    def read(self, pixels: np.ndarray) -> list[OcrLine]:
        """Return the lines Tesseract reads in an RGB image; `ReaderFailed` if it cannot."""
        height, width = pixels.shape[:2]
        scale = min(1.0, self.max_side / max(height, width))
        grey = cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY)
        if scale < 1.0:
            size = (max(1, round(width * scale)), max(1, round(height * scale)))
            grey = cv2.resize(grey, size, interpolation=cv2.INTER_AREA)
        ok, png = cv2.imencode(".png", grey, [cv2.IMWRITE_PNG_COMPRESSION, 1])
        if not ok:
            raise ReaderFailed("the photo could not be encoded for the verifier")
        command = [self.binary, "stdin", "stdout", "-l", self.langs, "--psm", "11"]
        command += ["-c", "tessedit_do_invert=0", "tsv"]  # labels print dark on light
        env = {"OMP_THREAD_LIMIT": "1", "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        try:
            done = subprocess.run(  # noqa: S603 (a fixed argument list, no shell)
                command, input=png.tobytes(), capture_output=True, timeout=self.timeout, env=env
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ReaderFailed(f"{self.name} did not finish: {type(exc).__name__}") from None
        if done.returncode != 0:
            raise ReaderFailed(f"{self.name} exited with status {done.returncode}")
        return _lines(_words(done.stdout.decode("utf-8", "replace")), 1 / scale)


def _words(tsv: str) -> list[_Word]:
    """Return the recognised words of Tesseract's TSV output, in reading order."""
    words = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if row.get("level") != "5" or not text:
            continue
        key = (int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
        box = tuple(float(row[k]) for k in ("left", "top", "width", "height"))
        words.append(_Word(key, (box[0], box[1], box[2], box[3]), text))
    return words


def _lines(words: list[_Word], factor: float) -> list[OcrLine]:
    """Join the words of each Tesseract line into one OcrLine in the photo's pixels."""
    lines: list[OcrLine] = []
    group: list[_Word] = []
    for word in [*words, None]:
        if group and (word is None or word.line != group[0].line):
            lines.append(_line(group, factor))
            group = []
        if word is not None:
            group.append(word)
    return lines


def _line(words: list[_Word], factor: float) -> OcrLine:
    text, chars = "", list[Quad]()
    for word in words:
        x, y, w, h = (v * factor for v in word.box)
        quad: Quad = ((x, y), (x + w, y), (x + w, y + h), (x, y + h))
        if text and text[-1].isascii() and text[-1].isalpha() and word.text[0].isalpha():
            text += " "
            chars.append(((chars[-1][1]), quad[0], quad[3], chars[-1][2]))
        text += word.text
        chars += split_line(quad, word.text)
    xs = [p[0] for c in chars for p in c]
    ys = [p[1] for c in chars for p in c]
    box: Quad = ((min(xs), min(ys)), (max(xs), min(ys)), (max(xs), max(ys)), (min(xs), max(ys)))
    return OcrLine(text, 1.0, box, tuple(chars))


@functools.cache
def tesseract_available(binary: str = "tesseract", langs: str = "chi_sim") -> bool:
    """Return whether the binary is installed with every language of `langs`."""
    path = shutil.which(binary)
    if path is None:
        return False
    try:
        listed = subprocess.run(  # noqa: S603 (a fixed argument list, no shell)
            [path, "--list-langs"], capture_output=True, timeout=20
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    have = set(listed.stdout.decode("utf-8", "replace").split())
    return set(langs.split("+")) <= have
