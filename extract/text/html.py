"""HTML pages: the main content as text (blocks on their own lines) plus label/value metadata.

ModernGov pages keep the decision inside ``div.mgContent`` with labels as
``<span class="mgLabel">Decision Maker: </span>value`` and the title in ``h2.mgSubTitleTxt``
(see ../shared/research/crawlers.md); other sites fall back to <main>/<article>/#content/<body>.
Navigation, headers, footers, cookie banners, scripts and forms never reach the text.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from extract.text import TextResult
from extract.text.metadata import parse_labels

_DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "nav",
    "header",
    "footer",
    "form",
    "button",
    "iframe",
    "svg",
    "select",
    "template",
    "aside",
)
# Class/id words of page chrome on council CMS templates (mgLinks holds "Find out more" links).
_CHROME = re.compile(
    r"cookie|banner|breadcrumb|skip|mgLinks|mgFooter|mgHeader|navbar|menu|masthead|sidebar"
    r"|site-?header|site-?footer|mgActionList|mgFileSize",
    re.I,
)
_BLOCK = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "table",
    "tbody",
    "thead",
    "blockquote",
    "pre",
    "dl",
    "dt",
    "dd",
    "caption",
    "address",
    "hr",
}
_MAIN_XPATHS = (
    "//div[@id='modgov']",
    "//main",
    "//*[@role='main']",
    "//article",
    "//*[@id='content']",
    "//*[@id='mainContent']",
    "//body",
)
_WS = re.compile(r"[ \t\r\n\f\v\u00a0\u200b]+")


def _is_chrome(el) -> bool:
    attrs = f"{el.get('class', '')} {el.get('id', '')}"
    return bool(attrs.strip()) and bool(_CHROME.search(attrs))


class _Writer:
    """Collects inline text and block breaks, collapsing whitespace the way a browser does."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.line = ""

    def inline(self, text: str | None) -> None:
        if text:
            self.line += _WS.sub(" ", text)

    def brk(self, blank: bool = True) -> None:
        line = self.line.strip()
        if line:
            self.parts.append(line)
        if blank and self.parts and self.parts[-1] != "":
            self.parts.append("")
        self.line = ""

    def text(self) -> str:
        self.brk()
        return "\n".join(self.parts).strip("\n") + "\n"


def _walk(el, out: _Writer) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    if not tag or tag in _DROP_TAGS or _is_chrome(el):
        out.inline(el.tail)
        return
    if tag == "br":
        out.brk(blank=False)
    elif tag == "li":
        out.brk(blank=False)
        out.inline("• ")
    elif tag == "tr":
        out.brk(blank=False)
    elif tag in ("td", "th") and out.line.strip():
        out.inline(" | ")
    elif tag in _BLOCK:
        out.brk()
    out.inline(el.text)
    for child in el:
        _walk(child, out)
    if tag in _BLOCK:
        out.brk()
    elif tag in ("li", "tr"):
        out.brk(blank=False)
    out.inline(el.tail)


def _main_element(root):
    for xpath in _MAIN_XPATHS:
        found = root.xpath(xpath)
        if found:
            return found[0]
    return root


def _dom_labels(root) -> dict[str, str]:
    """ModernGov's label spans: the value is the rest of the label's parent paragraph."""
    labels: dict[str, str] = {}
    for span in root.xpath("//*[contains(concat(' ', normalize-space(@class), ' '), ' mgLabel ')]"):
        label = _WS.sub(" ", span.text_content()).strip().rstrip(":").strip()
        parent = span.getparent()
        if not label or parent is None or span.tag == "p":
            continue
        value = _WS.sub(" ", parent.text_content()).strip()
        value = value[len(_WS.sub(" ", span.text_content()).strip()) :].strip()
        if value:
            labels.setdefault(label, value)
    return labels


def from_html(html: str) -> TextResult:
    """Main content text, metadata and title of an HTML page; malformed markup is tolerated."""
    if not html.strip():
        return TextResult(status="empty", status_detail="no content")
    try:
        root = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError) as exc:
        return TextResult(status="corrupt", status_detail=f"unparsable HTML: {exc}")
    title_el = (
        root.xpath("//*[contains(@class,'mgSubTitleTxt')]") or root.xpath("//h1") or root.xpath("//title")
    )
    title = _WS.sub(" ", title_el[0].text_content()).strip() if title_el else None
    out = _Writer()
    _walk(_main_element(root), out)
    text = out.text()
    if not text.strip():
        return TextResult(title=title or None, status="empty", status_detail="no text in the main content")
    metadata = parse_labels(text)
    metadata.update(_dom_labels(root))
    return TextResult(text=text, metadata=metadata, title=title or None)
