"""EmailRecognizer: addresses between Chinese text, full-width ＠, masked mailboxes."""

from __future__ import annotations

import pytest
from tests.pii.helpers import masked, spans

from parcelguard.pii.analyzer import Analyzer

POSITIVES = [
    ("邮箱zhangsan@qq.com，谢谢", "zhangsan@qq.com"),
    ("发到 wang.li_88@corp-mail.cn 吧", "wang.li_88@corp-mail.cn"),
    ("1234567890@qq.com是我的", "1234567890@qq.com"),
    ("Email: li.na@example.com.cn.", "li.na@example.com.cn"),
    ("邮箱zhang＠163.com", "zhang＠163.com"),
]
NEGATIVES = ["@所有人 明天开会", "张三@公司 你好", "user@localhost", "a@b", "价格@100元"]


@pytest.mark.parametrize(("text", "email"), POSITIVES)
def test_finds_emails(analyzer: Analyzer, text: str, email: str) -> None:
    start = text.index(email)
    assert spans(analyzer, text, "EMAIL") == [(start, start + len(email), email)]


@pytest.mark.parametrize("text", NEGATIVES)
def test_ignores_mentions_and_hosts(analyzer: Analyzer, text: str) -> None:
    assert spans(analyzer, text, "EMAIL") == []


def test_masked_email(analyzer: Analyzer) -> None:
    assert masked(analyzer, "邮箱z***@qq.com", "EMAIL") == ["z***@qq.com"]
