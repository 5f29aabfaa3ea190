"""What the name recognizer knows about words: jieba's dictionary tags, cue words, followers.

A candidate like 张开 or 马上 starts with a surname and is still a word; jieba's dictionary
says which words are person names (`nr`) and which are everyday words, places or terms.
"""

from __future__ import annotations

import threading
from functools import lru_cache

from parcelguard.pii.surnames import SURNAMES
from parcelguard.pii.text_view import tokenizer, words

NAME_TAGS = frozenset({"nr", "nrfg", "nrt"})
# Characters that end a name when they follow it: particles, pronouns, common verbs.
FOLLOWER_CHARS = frozenset(
    "的了是在说来去到给和与跟也都就还又把被让您你我他她它们啊吧呢吗哦嗯呀等及或但而并从对向为已于要"
)
# Words that follow a whole name: 张伟电话…, 王小明今天…
FOLLOWER_WORDS = words(
    """
    先生 女士 小姐 同学 老师 师傅 阿姨 大哥 大姐 姐姐 哥哥 老板 经理 医生 律师 警官 电话 手机
    联系 地址 收件 寄件 身份 今天 明天 昨天 已经 现在 住在 家里 签收 取件 收货 反映 投诉 本人
    号码 微信 邮箱 帐号 账号 银行 快递 包裹 这边 那边 一起 之前 以后 刚才 于是 所以 因为 但是 可以
    请 麻烦 太太 夫人 爷爷 奶奶 叔叔 同志 女 男 先 代收 代签 你好 您好"""
)
# Words that, right after a surname, make a form of address rather than a name: 张先生, 李姐.
HONORIFICS = words(
    """
    先生 女士 小姐 同学 老师 师傅 阿姨 大哥 大姐 姐姐 哥哥 老板 经理 医生 律师 警官 太太 夫人
    叔叔 总 哥 姐 叔 姨 工 某 家 氏 师 老 先 女 生 队 局 处 科 主任 书记 校长 院长 所长 部长"""
)
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _surname_word_tags() -> dict[str, tuple[int, str]]:
    """Return jieba's (frequency, tag) for dictionary words that start with a surname."""
    import jieba

    tags: dict[str, tuple[int, str]] = {}
    with _lock, open(jieba.get_dict_file().name, encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if (len(parts) == 3 and 2 <= len(parts[0]) <= 4 and parts[0][0] in SURNAMES) or (
                len(parts) == 3 and parts[0][:2] in _COMPOUND_FIRST
            ):
                tags[parts[0]] = (int(parts[1]), parts[2])
    return tags


_COMPOUND_FIRST = frozenset({"欧阳", "司马", "上官", "诸葛", "东方", "慕容", "令狐", "皇甫"})


def word_tag(word: str) -> tuple[int, str] | None:
    """Return (frequency, tag) of a surname-initial dictionary word, or None."""
    tags = _TAGS or _load_tags()
    return tags.get(word)


_TAGS: dict[str, tuple[int, str]] = {}


def _load_tags() -> dict[str, tuple[int, str]]:
    _TAGS.update(_surname_word_tags())
    return _TAGS


def is_everyday_word(word: str, *, tolerance: int = 0, min_freq: int = 3) -> bool:
    """Return whether `word` is a dictionary word that is not a person name.

    `tolerance`: person-name entries (nr) above this frequency are everyday words too
    (张开, 谢谢 and 宋体 are tagged nr), so a cue-less candidate passes only when rare as a
    word. `min_freq`: rarer non-name entries (马东, 陶金) are too noisy to count as words.
    """
    found = word_tag(word)
    if found is None:
        freq = tokenizer().FREQ.get(word)
        return bool(freq) and len(word) == 2 and freq > max(50, min_freq)
    freq, tag = found
    if tag in NAME_TAGS:
        return tolerance > 0 and freq > tolerance
    return freq > min_freq or (tag in ("ns", "nz", "nt") and min_freq <= 3)


def boundary(text: str, at: int) -> bool:
    """Return whether a word may begin at `at`: no dictionary word runs across that point.

    A cheap stand-in for segmenting the whole text: 刚刚|林思静 has no word across the
    boundary, 气温 has one (so 温 starts no name there).
    """
    if at <= 0 or at >= len(text) or not _han(text[at - 1]) or not _han(text[at]):
        return True
    freq = tokenizer().FREQ
    size = len(text)
    for start in range(at - 1, max(-1, at - 4), -1):
        for end in range(at + 1, min(size, start + 4) + 1):
            found = freq.get(text[start:end])
            if found is None:
                break  # jieba lists every prefix of its words: no longer word starts here
            if found >= 5:
                return False
    return True


def word_ends_at(text: str, at: int) -> bool:
    """Return whether the text before `at` ends a word: punctuation, a particle, a known word."""
    if at <= 0 or not _han(text[at - 1]) or text[at - 1] in FOLLOWER_CHARS:
        return True
    freq = tokenizer().FREQ
    return any((freq.get(text[at - size : at]) or 0) > 0 for size in (2, 3, 4) if at >= size)


def starts_word(text: str, at: int) -> bool:
    """Return whether an everyday (non-name) word of two to four characters starts at `at`."""
    freq = tokenizer().FREQ
    if text[at : at + 2] not in freq:
        return False  # no word has these two characters as its start (jieba lists prefixes)
    for size in (4, 3, 2):
        word = text[at : at + size]
        if len(word) == size and (freq.get(word) or 0) >= 5:
            tag = word_tag(word)
            if tag is None or tag[1] not in NAME_TAGS:
                return True
    return False


def _han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def glued(text: str, at: int) -> bool:
    """Return whether the characters at `at` and `at + 1` make a dictionary word (转到)."""
    return (tokenizer().FREQ.get(text[at : at + 2]) or 0) >= 3


def follows_name(text: str, at: int) -> bool:
    """Return whether the characters at `at` read as what comes after a name."""
    if at >= len(text) or text[at] in FOLLOWER_CHARS:
        return True
    return text.startswith(FOLLOWER_WORDS, at)


def is_honorific(text: str, at: int) -> bool:
    """Return whether the characters at `at` (right after a surname) are a form of address."""
    return text.startswith(HONORIFICS, at)


def warm() -> None:
    """Load the dictionary now rather than on the first name (services call this at start)."""
    tokenizer()
    _surname_word_tags()
