"""The words of the error pages, Simplified Chinese first and English: what happened, what next.

`PAGES[lang][status]` says it for a status; `CODES[lang]` words the error codes that can reach
a person from anywhere (an area's own codes, e.g. the portal's, come from that area's words).
"""

from __future__ import annotations

from typing import Any

PAGES: dict[str, dict[int, dict[str, str]]] = {
    "zh": {
        400: {
            "title": "提交的内容有误",
            "what": "提交的内容不完整或格式不对，没有保存任何更改。",
            "next": "请返回上一页，检查后重新提交。",
        },
        401: {
            "title": "请先登录",
            "what": "你还没有登录，或者登录已经过期。",
            "next": "请重新登录，然后再打开这个页面。",
        },
        403: {
            "title": "没有权限",
            "what": "你的账号不能打开这个页面或进行这个操作。",
            "next": "如果你的工作需要这项权限，请联系管理员；也可以返回首页。",
        },
        404: {
            "title": "找不到这个页面",
            "what": "地址可能有误，或者要找的内容已经不存在。",
            "next": "请检查网址，或返回首页重新查找。",
        },
        409: {
            "title": "暂时不能这样操作",
            "what": "当前状态不允许这个操作，可能已经有人处理过了。",
            "next": "请刷新页面查看最新状态。",
        },
        413: {
            "title": "内容太大",
            "what": "上传的文件或提交的内容超过了大小限制。",
            "next": "请换一个更小的文件，或分几次提交。",
        },
        429: {
            "title": "操作太频繁",
            "what": "短时间内尝试的次数太多，为保护账号和数据，已暂时限制。",
            "next": "请在 {wait} 后再试。",
        },
        500: {
            "title": "系统出错了",
            "what": "服务器处理时出了错，你的操作没有生效。",
            "next": "请稍后再试；如果一直出现，请联系管理员，并告诉他出错的时间。",
        },
        503: {
            "title": "服务暂时不可用",
            "what": "系统暂时连不上数据库，你的操作没有生效。",
            "next": "请稍等片刻后刷新页面。",
        },
    },
    "en": {
        400: {
            "title": "Something in the form is not right",
            "what": "What was sent is incomplete or malformed; nothing was saved.",
            "next": "Go back, check the form and send it again.",
        },
        401: {
            "title": "Please sign in",
            "what": "You are not signed in, or your session has ended.",
            "next": "Sign in again, then open this page once more.",
        },
        403: {
            "title": "Not allowed",
            "what": "Your account may not open this page or do this.",
            "next": "If your work needs it, ask an administrator; or go back to the start page.",
        },
        404: {
            "title": "Page not found",
            "what": "The address may be wrong, or what you are looking for is gone.",
            "next": "Check the address, or start again from the start page.",
        },
        409: {
            "title": "Not possible right now",
            "what": "The current state does not allow this; someone may have dealt with it.",
            "next": "Reload the page to see the latest state.",
        },
        413: {
            "title": "Too large",
            "what": "The file or text sent is over the size limit.",
            "next": "Use a smaller file, or send it in parts.",
        },
        429: {
            "title": "Too many attempts",
            "what": "There were too many attempts in a short time; we paused them to protect "
            "the account and the data.",
            "next": "Try again in {wait}.",
        },
        500: {
            "title": "Something went wrong",
            "what": "The server failed while handling this; nothing was changed.",
            "next": "Try again later; if it keeps happening, tell an administrator when it did.",
        },
        503: {
            "title": "Temporarily unavailable",
            "what": "The database is not answering right now; nothing was changed.",
            "next": "Wait a moment, then reload the page.",
        },
    },
}

SHELL: dict[str, dict[str, Any]] = {
    "zh": {
        "home": "返回首页",
        "sign_in": "登录",
        "reload": "刷新页面",
        "status": "错误代码",
        "next_label": "接下来：",
        "seconds": "{n} 秒",
        "minutes": "{n} 分钟",
    },
    "en": {
        "home": "Start page",
        "sign_in": "Sign in",
        "reload": "Reload the page",
        "status": "Error",
        "next_label": "What next: ",
        "seconds": "{n} seconds",
        "minutes": "{n} minutes",
    },
}

CODES: dict[str, dict[str, str]] = {
    "zh": {
        "csrf_failed": "页面已过期，请刷新后重试。",
        "not_authenticated": "登录已过期，请重新登录。",
        "session_expired": "登录已过期，请重新登录。",
        "principal_disabled": "此账号已停用，请联系管理员。",
        "role_not_allowed": "此页面不属于你的岗位。",
        "scope_missing": "此服务密钥没有这项权限。",
        "rate_limited": "尝试次数太多，请稍后再试。",
        "locked_out": "错误的密钥太多，此地址已被暂时锁定。",
        "method_not_allowed": "这个地址不支持这种操作。",
    },
    "en": {
        "csrf_failed": "This page has expired; reload it and try again.",
        "not_authenticated": "Your session has ended; sign in again.",
        "session_expired": "Your session has ended; sign in again.",
        "principal_disabled": "This account is disabled; ask an administrator.",
        "role_not_allowed": "This page is not for your role.",
        "scope_missing": "This service key may not do this.",
        "rate_limited": "Too many attempts; try again later.",
        "locked_out": "Too many bad keys from this address; it is locked for a while.",
        "method_not_allowed": "This address does not take that kind of request.",
    },
}
