"""Synthetic, already-masked label content for the sample images, benchmarks and demos.

Nothing here belongs to a person: names, numbers and streets are drawn from small made-up
tables, and every value is in the masked form the vault produces.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from parcelguard.labels.content import LabelContent, ShelfLabelContent

_PRINTED = datetime(2026, 11, 2, 1, 30, tzinfo=UTC)
_RECIPIENTS = (
    ("张*", "138******78", "浙江省杭州市西湖区文三路***", "571-W12", "杭州 西湖区"),
    ("欧阳**", "139******05", "上海市浦东新区张杨路***", "021-P07", "上海 浦东新区"),
    ("李*", "186******32", "广东省深圳市南山区科技园南区高新南一道***", "755-N31", "深圳 南山区"),
    ("王**", "0571-******88", "北京市朝阳区建国路***", "010-C05", "北京 朝阳区"),
)
_SENDERS = (
    ("陈*", "137******16", "江苏省苏州市工业园区星湖街***"),
    ("刘*", "158******40", "湖北省武汉市洪山区珞喻路***"),
)
_CONTENTS = ("日用品 1件", "服饰 2件", "图书 3册", "数码配件 1件")


def sample_label(index: int = 0, *, base_url: str = "https://pg.example") -> LabelContent:
    """Return the `index`-th synthetic label; the same index always gives the same label."""
    name, phone, address, sorting, destination = _RECIPIENTS[index % len(_RECIPIENTS)]
    sender = _SENDERS[index % len(_SENDERS)]
    return LabelContent(
        waybill_no=f"PG{7_531_024_681_357 + index * 7919:013d}",
        carrier="示例速递",
        sorting_code=sorting,
        destination=destination,
        recipient_name=name,
        recipient_phone=phone,
        recipient_address=address,
        sender_name=sender[0],
        sender_phone=sender[1],
        sender_address=sender[2],
        contents=_CONTENTS[index % len(_CONTENTS)],
        weight_kg=round(0.35 + (index % 17) * 0.45, 2),
        qr_url=f"{base_url}/s/{_token(index)}",
        printed_at=_PRINTED + timedelta(seconds=index),
    )


def sample_shelf_label(index: int = 0) -> ShelfLabelContent:
    """Return the `index`-th synthetic station shelf label."""
    label = sample_label(index)
    shelf = 1 + index % 6
    return ShelfLabelContent(
        pickup_code=f"{shelf}-{1 + index % 4}-{417 + index:04d}",
        recipient_name=label.recipient_name,
        shelf=f"{shelf}号架",
        waybill_tail=label.waybill_no[-4:],
        station_name="示例驿站·文三路店",
        arrived_at=label.printed_at + timedelta(hours=30),
    )


def _token(index: int) -> str:
    """Return a token-shaped string (22 URL-safe characters); the service issues real ones."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789-_"
    value, chars = 0x5DEECE66D * (index + 1) ** 3 + 0xB, []
    for _ in range(22):
        value, digit = divmod(value * 6364136223846793005 + 1442695040888963407, len(alphabet))
        chars.append(alphabet[digit])
        value %= 2**64
    return "".join(chars)
