"""`NameRecognizer`: Chinese personal names, found from a surname lexicon, cues and jieba.

Four ways in, from most to least certain: a cue before the name (收件人, 姓名, 我叫 …), a
name standing alone as a field of a list or form row, a name right before a phone or ID
number, and a surname in running text where jieba sees a word boundary, followed by one or
two characters that are no dictionary word and end where a name ends.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from parcelguard.pii.division_lexicon import division_lexicon
from parcelguard.pii.entity import Span
from parcelguard.pii.name_lexicon import (
    FOLLOWER_CHARS,
    HONORIFICS,
    boundary,
    follows_name,
    glued,
    is_everyday_word,
    is_honorific,
    starts_word,
    word_ends_at,
    word_tag,
)
from parcelguard.pii.recognizers.recognizer import Recognizer, words, words_pattern
from parcelguard.pii.surnames import COMMON_SURNAMES, surname_at
from parcelguard.pii.text_view import TextView, is_han

_STRONG = words(
    """
    收件人 寄件人 收货人 发件人 联系人 姓名 名字 户名 持卡人 开户名 开户人 我叫 本人 签收人
    取件人 代收人 收件方 寄件方 投诉人 被投诉人 经办人 负责人 快递员 配送员 送货员 派件员
    快递小哥 骑手 名叫 叫做 客户 用户 乘客 患者 业主 租客 房东 收方 寄方 联络人 收信人 车主
    收件 寄件 全名 住户 户主 Name name NAME Contact holder Holder Driver driver"""
)
_WEAK = words(
    """
    联系 我是 朋友 同事 老公 老婆 丈夫 妻子 妈妈 爸爸 母亲 父亲 儿子 女儿 哥哥 姐姐 弟弟 妹妹 邻居
    室友 交给 转交 通知 告诉 转告 找 叫 给 帮 由"""
)
_CUE_FIRST = "".join(sorted({w[0] for w in _STRONG + _WEAK} | {"收", "寄"}))
_CUE = re.compile(
    rf"(?=[{_CUE_FIRST}])(?P<cue>"
    + words_pattern(_STRONG + _WEAK).pattern
    + r"|(?:(?<=^)|(?<=[\s|,，;；]))[收寄](?=[：:\s]|[\u4e00-\u9fff·]{2,8} ?[0-9+]))"
    + r"[ \t]*(?:[：:]|是|为|叫)?[ \t]*",
    re.MULTILINE,
)
_STRONG_SET = frozenset(_STRONG) | {"收", "寄"}
_HAN = re.compile(r"[\u4e00-\u9fff]")
_RUN = re.compile(r"[\u4e00-\u9fff][\u4e00-\u9fff·]+")
_FIELD_EDGE = frozenset(",，、;；|\t/:：()（）[]<>《》\"'“”‘’ \n\r@")
_NUMBER_NEXT = re.compile(r" ?(?:\+|[0-9])")
_DIGITS_AFTER = re.compile(r"[ :：]?(?:\+?86)?[0-9]{7}")
_MASKED = re.compile(r"[\u4e00-\u9fff]{1,2}(?:[*×＊]{1,4}(?![\u4e00-\u9fff*])|某{1,2})")
_PLACE_END = frozenset("路街道巷弄村镇乡区市省县号栋楼室院园苑城站店局厂司馆")
_ROAD_NEXT = re.compile(
    r"[东西南北中]?(?:路|街|大道|大街|巷|弄|胡同|道|店|站|村|镇|区|市|县)"
    r"|工业|园区|小区|大厦|广场|花园|公司|集团|大学|学院|中学|小学|医院|酒店|宾馆|超市|商场|银行"
)
_COMMON = re.compile(
    "(?:欧阳|司马|上官|诸葛|东方|慕容|令狐|皇甫|公孙|尉迟)(?=[\u4e00-\u9fff])|["
    + "".join(sorted(COMMON_SURNAMES))
    + "](?=[\u4e00-\u9fff])(?!["
    + "".join(sorted(FOLLOWER_CHARS))
    + "])"
)
_LEAD_CHARS = frozenset("由帮给叫让和与跟向找问替请是")
_DOT_STOP = frozenset("帮由给叫和与跟向对找问替请是的了在")


class NameRecognizer(Recognizer):
    """Finds personal names: 收件人王小明, 欧阳娜娜 in a list row, 买买提·艾力; 张* is flagged."""

    entity_type = "NAME"

    def find(self, view: TextView) -> Iterator[Span]:
        """Yield name candidates from every way in; the analyzer keeps the best of overlaps."""
        text = view.folded
        if not _HAN.search(text):
            return
        yield from self._after_cues(view)
        yield from self._fields(view)
        yield from self._running(view)
        yield from self._dotted(view)
        for match in _MASKED.finditer(text) if view.has_mask or "某" in text else ():
            if surname_at(text, match.start()):
                yield self.span(match.start(), match.end(), 0.9, masked=True)

    def _after_cues(self, view: TextView) -> Iterator[Span]:
        text = view.folded
        for match in _CUE.finditer(text):
            cue = match.group("cue")
            strong = cue in _STRONG_SET
            at = match.end()
            whole = _run_to_number(text, at) if strong else None
            if whole is not None:
                yield self.span(at, whole, 0.95)  # 收 阿依古丽吐尔逊 178…: the label's name field
                continue
            end = self._name_at(view, at, strong=strong)
            if end is None and at == match.end("cue") and surname_at(text, at - 1):
                at -= 1  # 收方升175…: the cue 收方 ate the surname of 方升
                end = self._name_at(view, at, strong=strong)
            if end is not None:
                yield self.span(at, end, 0.95 if strong else 0.8)

    def _name_at(self, view: TextView, at: int, *, strong: bool) -> int | None:
        """Return where a name right after a cue ends, or None when none starts there."""
        text = view.folded
        surname = surname_at(text, at)
        given = at + len(surname)
        if not surname or given >= len(text) or not is_han(text[given]):
            return None
        if is_honorific(text, given) or text[given] in FOLLOWER_CHARS:
            return None
        if "·" in text[given : given + 6]:
            return None  # a transliterated name: `_dotted` reads it whole
        end = given + 1
        if end < len(text) and is_han(text[end]) and not self._stops(view, end):
            end += 1
        word = text[at:end]
        if _place_like(text, at, end) or (not strong and is_everyday_word(word)):
            return None
        if strong and _is_place_or_term(word):
            return None
        return end

    def _stops(self, view: TextView, at: int) -> bool:
        """Return whether a name must end before `at` (a follower, a place, a longer word)."""
        text = view.folded
        if follows_name(text, at):
            return True
        return boundary(text, at) and (
            bool(division_lexicon().longest_at(text, at)) or starts_word(text, at)
        )

    def _fields(self, view: TextView) -> Iterator[Span]:
        """Yield names standing alone between delimiters, or right before a long number."""
        text = view.folded
        size = len(text)
        for match in _RUN.finditer(text):
            start, end = match.span()
            after = text[end] if end < size else "\n"
            if end - start <= 5:
                before = text[start - 1] if start else "\n"
                if (before in _FIELD_EDGE or before.isdigit()) and (
                    after in _FIELD_EDGE or after.isdigit()
                ):
                    found = self._field(text, start, end, after)
                    if found is not None:
                        yield found
                    continue
            if end - start > 2 and _digits_next(text, end, after):
                yield from self._tail(view, start, end)

    def _field(self, text: str, start: int, end: int, after: str) -> Span | None:
        if text[end - 1] == "收" and self._plausible(text, start, end - 1):
            return self.span(start, end - 1, 0.8)  # 张伟收: the label's "for the attention of"
        if end - start <= 4 and self._plausible(text, start, end, common=False):
            return self.span(start, end, 0.85 if _digits_next(text, end, after) else 0.75)
        return None

    def _plausible(self, text: str, start: int, end: int, *, common: bool = True) -> bool:
        """Return whether text[start:end] can be a whole name found without a cue.

        The checks run cheapest and most often decisive first: this is the hot path.
        """
        surname = surname_at(text, start, common_only=common)
        given = start + len(surname)
        if not surname or end - given not in (1, 2):
            return False
        word = text[start:end]
        if is_everyday_word(word, tolerance=300):
            return False
        for ch in word[len(surname) :]:
            if ch in FOLLOWER_CHARS or ch == "·":
                return False
        head = end - start == 3 and given - start == 1
        if head and is_everyday_word(word[:2], tolerance=1000, min_freq=50):
            return False  # 马上到, 高兴地: the first two characters are an everyday word
        if is_honorific(text, given) or follows_name(text, given):
            return False
        if is_honorific(text, end) and surname_at(text, end - 1):
            return False  # 谢谢贾师傅: the honorific belongs to the last character
        return not _place_like(text, start, end)

    def _tail(self, view: TextView, run_start: int, run_end: int) -> Iterator[Span]:
        """Yield the name that ends a longer run right before a number: 联系李明138…"""
        text = view.folded
        for size in (3, 2, 4):
            start = run_end - size
            if start <= run_start or not boundary(text, start):
                continue
            if self._plausible(text, start, run_end, common=False):
                yield self.span(start, run_end, 0.8)
                return

    def _running(self, view: TextView) -> Iterator[Span]:
        """Yield names in running text: a common surname at a word boundary, then 1–2 characters."""
        text = view.folded
        size = len(text)
        for match in _COMMON.finditer(text):
            at, given = match.span()
            if given >= size:
                continue
            nxt = text[given]
            if not "\u4e00" <= nxt <= "\u9fff" or nxt in FOLLOWER_CHARS:
                continue  # a surname with no name character after it names nobody
            if text.startswith(HONORIFICS, given):
                continue
            if given - at == 1 and is_everyday_word(text[at : at + 2], tolerance=300):
                continue  # 高兴, 方便, 金额: a word, whatever follows
            lead = not at or text[at - 1] in _LEAD_CHARS
            if not lead and not (word_ends_at(text, at) and boundary(text, at)):
                continue
            end = self._running_end(view, given)
            if end is not None and self._plausible(text, at, end):
                yield self.span(at, end, 0.65 if end - at >= 3 else 0.6)

    def _running_end(self, view: TextView, given: int) -> int | None:
        """Return where a name whose first given-name character is at `given` ends, or None."""
        text = view.folded
        size = len(text)
        for width in (2, 1):
            end = given + width
            if end > size:
                continue
            last = text[end - 1]  # `_running` checked the first name character already
            if not "\u4e00" <= last <= "\u9fff" or last in FOLLOWER_CHARS:
                continue
            if end == size or not "\u4e00" <= text[end] <= "\u9fff":
                return end
            if self._stops(view, end) and not (width == 1 and glued(text, given)):
                return end
            if width == 1 and boundary(text, end) and not glued(text, given):
                return end
        return None

    def _dotted(self, view: TextView) -> Iterator[Span]:
        """Yield transliterated names written with a middle dot: 买买提·艾力, 古丽娜扎·阿不都."""
        text = view.folded
        dot = text.find("·")
        while dot >= 0:
            yield from self._dotted_at(view, dot)
            dot = text.find("·", dot + 1)

    def _dotted_at(self, view: TextView, dot: int) -> Iterator[Span]:
        text = view.folded
        start = _dotted_start(view, dot)
        end = dot + 1
        while end < len(text) and end - dot <= 5 and is_han(text[end]):
            last = end + 1 == len(text) or not is_han(text[end + 1])
            if not last and (follows_name(text, end) or text.startswith(("代收", "代签"), end)):
                break
            end += 1
        if dot - start >= 2 and end - dot >= 3 and text[start - 1 : start] != "·":
            yield self.span(start, end, 0.9)


def _digits_next(text: str, end: int, after: str) -> bool:
    """Return whether a phone-like number (seven digits or more) follows at `end`."""
    return (after.isdigit() or after in " :：+") and _DIGITS_AFTER.match(text, end) is not None


def _run_to_number(text: str, at: int) -> int | None:
    """Return the end of a 2–8 character name that runs from `at` right up to a number.

    On a label a cue, a name and a phone follow each other (收 阿依古丽吐尔逊 178…); the whole
    run between them is the name, however long, unless a follower word (电话, 手机 …) or a
    place sits inside it.
    """
    end = at
    while (
        end < len(text)
        and end - at <= 8
        and ("\u4e00" <= text[end] <= "\u9fff" or text[end] == "·")
    ):
        end += 1
    if not 2 <= end - at <= 8 or _NUMBER_NEXT.match(text, end) is None:
        return None
    if any(follows_name(text, i) for i in range(at + 1, end)) or _place_like(text, at, end):
        return None
    return end if surname_at(text, at) or end - at >= 4 else None


def _dotted_start(view: TextView, dot: int) -> int:
    """Return where the part before a middle dot starts: after a stop, else at a word start."""
    text = view.folded
    start = dot
    while start > 0 and dot - start < 4 and is_han(text[start - 1]):
        if text[start - 1] in _DOT_STOP:
            return start
        start -= 1
    if start == 0 or not is_han(text[start - 1]):
        return start
    return next((at for at in range(start, dot - 1) if boundary(text, at)), start)


def _place_like(text: str, start: int, end: int) -> bool:
    word = text[start:end]
    if word[-1] in _PLACE_END or _ROAD_NEXT.match(text, end):
        return True
    return division_lexicon().longest_at(word, 0) == len(word)


def _is_place_or_term(word: str) -> bool:
    found = word_tag(word)
    return found is not None and found[1] in ("ns", "nt", "nz") and found[0] > 3
