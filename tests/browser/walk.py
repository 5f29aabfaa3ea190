"""Walk every page a person reaches from their menu, and check what a reader sees on each.

Shared by the page-walk browser test and `scripts/screenshots.py` (one list of pages for both).
`discover` starts on a signed-in home page, follows the links of every navigation (the role
menu, the security centre's sections) and opens the first of each detail page (an alert, a
complaint, a parcel, a leak report, an appeal). `problems` checks one rendered page: no
sideways scrolling (naming the element that sticks out), no raw code in the visible text, no
words of the other language, no axe-core violation of WCAG level A or AA.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from parcelguard.words import CATALOGUES

AXE = Path(__file__).resolve().parent.parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WIDTHS = {390: 844, 1280: 800}  # width → viewport height (a phone, a laptop)
LANGS = ("zh", "en")

# Links of the navigations a person finds pages by; detail pages: the first link of each kind.
NAV_LINKS = "nav a[href^='/'], .pg-sections a[href^='/']"
DETAILS = {
    "console-security-alert": re.compile(r"^/console/security/alerts/[^/]+$"),
    "console-security-leak": re.compile(r"^/console/security/leaks/[^/]+$"),
    "console-service-complaint": re.compile(r"^/console/service/complaints/[^/]+$"),
    "portal-parcel": re.compile(r"^/portal/parcels/[^/]+$"),
    "portal-complaint": re.compile(r"^/portal/complaints/C[^/]+$"),
    "portal-complaint-appeal": re.compile(r"^/portal/complaints/[^/]+/appeal$"),
}
NOT_PAGES = re.compile(r"\.(pdf|txt|csv|png)$|/proof$|/signout$|/logout$")

# Raw codes a reader must never see. Found in the visible text after the allowed things
# (ALLOWED) are cut out of it.
RAW_CODES = {
    "a code (word.word or word_word)": re.compile(r"\b[a-z]+[._][a-z_]+\b"),
    "a Python list": re.compile(r"\[\s*'[^']*'\s*[,\]]"),
    "a Python dict": re.compile(r"\{\s*'[^']+'\s*:"),
    "a Python None/object": re.compile(r"\bNone\b|<[a-z_.]+ object at 0x"),
    "a 32-hex id": re.compile(r"\b[0-9a-f]{32}\b|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-"),
    "an ISO timestamp": re.compile(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d|\d\d:\d\d(:\d\d)?(\.\d+)?(Z|\+00:?00)\b"
    ),
}
# What looks like a code but is not: a web address (links people copy; a site named without
# its scheme: sswz.spb.gov.cn), an e-mail address, a file name people download or upload
# (label.pdf, demo-leak.csv), and the English "e.g." and "i.e.".
ALLOWED = re.compile(
    r"https?://\S+"
    r"|\b(e\.g|i\.e)\."
    r"|[\w.+-]+@[\w-]+(\.[\w-]+)+"
    r"|\b([a-z0-9-]+\.)+(cn|com|net|org)\b"
    r"|[\w-]+\.(pdf|csv|xlsx|tsv|txt|png|jpe?g|json|zip)\b"
)
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

# The visible text nodes and the words of controls (labels read aloud, placeholders), each
# with whether the reader should get it in the page's language (text inside an element that
# declares its own language (`lang`) or is not to be translated (`translate="no"`: names,
# addresses, what a person wrote) is data, not wording) and whether it is meant to be
# copied as it is (a command or key in <code>, the exact id a tooltip holds): no raw-code check.
TEXTS_JS = """() => {
  const page = document.documentElement.lang;
  const own = el => {
    const tagged = el.closest('[lang],[translate="no"]');
    return !!tagged && (tagged.getAttribute('translate') === 'no' || tagged.lang !== page);
  };
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement, text = n.textContent.trim();
    if (!text || el.closest('script,style,noscript,template')) continue;
    if (!el.checkVisibility() && !el.closest('.pg-sr')) continue;
    out.push([text, own(el), !!el.closest('code,kbd')]);
  }
  for (const el of document.body.querySelectorAll('[aria-label],[placeholder],[title],[alt]')) {
    for (const a of ['aria-label', 'placeholder', 'title', 'alt']) {
      const v = (el.getAttribute(a) || '').trim();
      if (v) out.push([v, own(el), a === 'title']);
    }
  }
  return out;
}"""
# The outermost elements that stick out of the viewport (not inside a box that scrolls).
OVERFLOW_JS = """() => {
  const W = window.innerWidth;
  const wide = document.documentElement.scrollWidth;
  if (wide <= W) return null;
  const clips = el => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX;
      if (o !== 'visible') return true;
    }
    return false;
  };
  const out = [];
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    [...el.classList].map(c => '.' + c).join('');
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= W + 1 || clips(el)) continue;
    const p = el.parentElement, pr = p.getBoundingClientRect();
    if (p !== document.body && pr.right > W + 1) continue;
    const path = [name(el)];
    for (let a = p; a && a !== document.body && path.length < 4; a = a.parentElement) {
      path.unshift(name(a));
    }
    out.push(path.join(' > ') + ' (right edge ' + Math.round(r.right) + 'px)');
  }
  return {wide, W, out: out.slice(0, 5)};
}"""
AXE_JS = """async tags => {
  const only = {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']};
  const r = await axe.run(document, only);
  return r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.help + ' — ' +
    v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
}"""


def discover(page: Any, base: str, start: str) -> list[str]:
    """Return the paths reachable from `start`: navigation links, then one of each detail.

    A few more detail pages of a kind already found are opened (not returned) to look for
    the kinds only some of them link to (an answered complaint's appeal).
    """
    found: list[str] = []
    seen: set[str] = set()
    queue = [start]
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        if not any(k.match(path) for k in DETAILS.values()) or _new_kind(path, found):
            found.append(path)
        page.goto(base + path)
        hrefs = page.eval_on_selector_all(NAV_LINKS, "els => els.map(e => e.getAttribute('href'))")
        hrefs += _details(page)
        for href in hrefs:
            target = urlsplit(href).path
            ours = target.startswith(("/console", "/portal")) and not NOT_PAGES.search(target)
            if ours and target not in seen and target not in queue:
                queue.append(target)
    return found


def unsatisfied(page: Any, base: str) -> None:
    """As the recipient, say an answered complaint did not help (its appeal page opens up)."""
    page.goto(base + "/portal/complaints")
    for href in _details(page, probes=10):
        if DETAILS["portal-complaint"].match(href):
            page.goto(base + href)
            no = page.locator("button[name=satisfied][value=no]")
            if no.count():
                no.click()
                page.wait_for_url(re.compile(r".*done=feedback"))
                return


def _new_kind(path: str, found: list[str]) -> bool:
    """Return whether no found page is of the detail kind of `path`."""
    kind = next(k for k in DETAILS.values() if k.match(path))
    return not any(kind.match(k) for k in found)


def _details(page: Any, probes: int = 3) -> list[str]:
    """Return the first few links on the page to each kind of detail page."""
    hrefs = page.eval_on_selector_all(
        "main a[href^='/']", "els => els.map(e => e.getAttribute('href'))"
    )
    out: list[str] = []
    for kind in DETAILS.values():
        out += list(dict.fromkeys(h for h in hrefs if kind.match(urlsplit(h).path)))[:probes]
    return out


def name_of(path: str) -> str:
    """Return a page's file-name stem (`/console/security/alerts/A1`: console-security-alert)."""
    for name, kind in DETAILS.items():
        if kind.match(path):
            return name
    return "-".join(p for p in path.strip("/").split("/") if p) or "landing"


def problems(page: Any, lang: str, *, axe: bool = True) -> list[str]:
    """Return what is wrong on the rendered page, in the viewport it has now."""
    found: list[str] = []
    wide = page.evaluate(OVERFLOW_JS)
    if wide:
        found.append(
            f"{wide['wide']}px wide at {wide['W']}px; sticking out: {'; '.join(wide['out'])}"
        )
    texts: list[list[Any]] = page.evaluate(TEXTS_JS)
    found += raw_codes(" \n".join(t for t, _, verbatim in texts if not verbatim))
    found += wrong_language([t for t, own, _ in texts if not own], lang)
    if axe:
        if not page.evaluate("typeof axe !== 'undefined'"):
            page.evaluate(AXE.read_text(encoding="utf-8"))
        found += [f"axe {v}" for v in page.evaluate(AXE_JS, AXE_TAGS)]
    return found


def raw_codes(text: str) -> list[str]:
    """Return each raw code in `text` (web and e-mail addresses and file names allowed)."""
    text = ALLOWED.sub(" ", text)
    out = []
    for what, pattern in RAW_CODES.items():
        for hit in sorted({m.group(0) for m in pattern.finditer(text)})[:5]:
            out.append(f"raw code, {what}: {hit!r}")
    return out


def wrong_language(texts: list[str], lang: str) -> list[str]:
    """Return the texts in the other language.

    On an English page: any Chinese character. On a Chinese page: English catalogue wording.
    """
    out: set[str] = set()
    if lang == "en":
        out = {f"Chinese on the English page: {t[:60]!r}" for t in texts if CJK.search(t)}
    else:
        whole, phrases = english_words()
        for t in texts:
            if t in whole or any(p in t for p in phrases):
                out.add(f"English on the Chinese page: {t[:60]!r}")
    return sorted(out)[:10]


@cache
def english_words() -> tuple[frozenset[str], tuple[str, ...]]:
    """Return the English catalogue's wording that has a different Chinese wording.

    Whole texts (a text node equal to one is untranslated) and phrases of three words or more
    (a text node containing one is); placeholders split a text into its fixed parts.
    """
    whole: set[str] = set()
    phrases: set[str] = set()
    for en, zh in _pairs(CATALOGUES["en"], CATALOGUES["zh"]):
        if en == zh or not re.search(r"[a-z]{3}", en):
            continue
        for part in re.split(r"\{[^}]*\}", en):
            part = part.strip(" .,:;·()—-")
            if re.fullmatch(r"[A-Za-z][\w' -]*", part) and len(part) >= 4:
                whole.add(part)
            if len(re.findall(r"[A-Za-z]{2,}", part)) >= 3:
                phrases.add(part)
    return frozenset(whole), tuple(sorted(phrases))


def _pairs(en: Any, zh: Any) -> Iterator[tuple[str, str]]:
    """Yield (English, Chinese) for every string of the catalogue."""
    if isinstance(en, dict):
        for key, value in en.items():
            yield from _pairs(value, zh.get(key) if isinstance(zh, dict) else None)
    elif isinstance(en, str) and isinstance(zh, str):
        yield en, zh
