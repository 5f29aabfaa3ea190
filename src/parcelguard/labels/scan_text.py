"""The words of the scan landing page `/s/{token}`, in Simplified Chinese and English."""

from __future__ import annotations

from typing import Any

TEXT: dict[str, dict[str, Any]] = {
    "zh": {
        "title": "包裹隐私卫士",
        "switch": "English",
        "protected": "此包裹受包裹隐私卫士保护",
        "protected_note": "面单上的姓名、电话和地址已按国家标准隐藏，"
        "扫码也不会显示收件人的任何信息。",
        "carrier": "快递公司",
        "status": "包裹状态",
        "statuses": {
            "in_transit": "运输中",
            "out_for_delivery": "派送中",
            "at_station": "已到驿站，待取件",
            "delivered": "已签收",
            "returned": "已退回",
        },
        "reach_title": "如何联系快递员",
        "reach_recipient": "您是收件人：请在快递公司的 App 或小程序里查看派送进度、联系快递员。"
        "快递员来电显示的是隐私号（虚拟号码），包裹签收后自动失效。",
        "reach_finder": "您捡到了这个包裹：请交给快递员或附近的驿站，或通过快递公司 App 联系客服。",
        "reach_verify": "接到自称快递员的电话？可在收件人服务中核实来电号码。",
        "portal": "收件人服务",
        "recorded": "每次扫码都会被记录。",
        "courier_title": "您是此包裹的派送快递员",
        "courier_note": "查看收件地址需要在员工控制台用通行密钥再次验证，每次查看都会被记录。",
        "courier_reveal": "继续：查看收件地址",
        "waybill": "运单号",
        "refused_title": "此包裹未分配给您",
        "refused_note": "员工只能查看分配给自己的包裹。本次扫码已记录。",
        "neutral_title": "此二维码无效或已失效",
        "neutral_note": "包裹签收后，面单上的二维码会在一段时间后失效。",
        "limited_title": "扫码过于频繁",
        "limited_note": "请稍后再试。",
    },
    "en": {
        "title": "ParcelGuard",
        "switch": "中文",
        "protected": "This parcel is protected by ParcelGuard",
        "protected_note": "The names, phone numbers and addresses on this label are masked, and "
        "scanning it shows nothing about the recipient.",
        "carrier": "Carrier",
        "status": "Status",
        "statuses": {
            "in_transit": "In transit",
            "out_for_delivery": "Out for delivery",
            "at_station": "At a pickup station",
            "delivered": "Delivered",
            "returned": "Returned",
        },
        "reach_title": "How to reach the courier",
        "reach_recipient": "If you are the recipient: follow the delivery and contact the courier "
        "in the carrier's app. The courier calls from a virtual number that stops working after "
        "delivery.",
        "reach_finder": "If you found this parcel: hand it to a courier or a nearby pickup "
        "station, or contact the carrier's customer service in its app.",
        "reach_verify": "A call from someone claiming to be the courier? Check the number in "
        "the recipient portal.",
        "portal": "Recipient portal",
        "recorded": "Every scan is recorded.",
        "courier_title": "You are this parcel's courier",
        "courier_note": "Viewing the address needs a passkey confirmation in the staff console; "
        "every view is recorded.",
        "courier_reveal": "Continue: view the delivery address",
        "waybill": "Waybill",
        "refused_title": "This parcel is not assigned to you",
        "refused_note": "Staff may only open parcels assigned to them. This scan was recorded.",
        "neutral_title": "This code is not valid",
        "neutral_note": "A label's code stops working some time after delivery.",
        "limited_title": "Too many scans",
        "limited_note": "Please try again later.",
    },
}
