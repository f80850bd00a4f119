"""A small checker for the pages :mod:`audiostyle.report.html` writes.

No external validator: Python's :class:`html.parser.HTMLParser` walks the page and
:func:`problems` lists what is wrong:

- structure: a doctype, one ``<html lang>``, ``<head>`` with ``<meta charset>`` and
  ``<title>``, every element closed in order (void elements excepted), no end tag
  without its start, elements only where HTML allows them in the cases a report
  uses (``<tr>`` in a table section, cells in a ``<tr>``, ``<li>`` in a list,
  ``<dt>``/``<dd>`` in ``<dl>``, ``<source>`` in media, ``<summary>`` first in
  ``<details>``, no block inside ``<p>``), unique ``id``\\ s, in-page links that
  resolve;
- self-containment: no ``http:``, ``https:`` or protocol-relative ``//`` URL in
  ``src``/``href``, no ``<link>`` (style sheets and fonts are inline);
- accessibility: ``alt`` on every ``<img>``, a label (``aria-label`` or
  ``aria-labelledby``) on every ``<audio>``, ``scope`` on every ``<th>``, a
  ``<caption>`` on every table, buttons with a ``type``.

>>> problems('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t</title>'
...          '</head><body><p><div>x</div></p><img src="a.png"></body></html>')
... # doctest: +NORMALIZE_WHITESPACE
['line 1: <div> inside <p> (a paragraph cannot hold blocks)',
 'line 1: </p> without an open <p>',
 'line 1: <img> without alt text']
"""

from __future__ import annotations

from html.parser import HTMLParser

VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip
BLOCKS = {
    "address", "article", "aside", "blockquote", "details", "div", "dl", "fieldset",
    "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "main",
    "nav", "ol", "p", "pre", "section", "table", "ul",
}  # fmt: skip
PARENTS = {
    "tr": {"thead", "tbody", "tfoot", "table"},
    "td": {"tr"},
    "th": {"tr"},
    "thead": {"table"},
    "tbody": {"table"},
    "tfoot": {"table"},
    "caption": {"table"},
    "li": {"ul", "ol"},
    "dt": {"dl", "div"},
    "dd": {"dl", "div"},
    "source": {"audio", "video", "picture"},
    "summary": {"details"},
    "head": {"html"},
    "body": {"html"},
    "title": {"head"},
    "meta": {"head"},
    "style": {"head"},
}
EXTERNAL = ("http:", "https:", "//", "ftp:")


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, int]] = []
        self.out: list[str] = []
        self.ids: dict[str, int] = {}
        self.links: list[tuple[str, int]] = []
        self.doctype = False
        self.seen: dict[str, int] = {}
        self.first_child: dict[int, str] = {}  # id(stack entry) -> first child tag
        self.children: list[list[str]] = [[]]

    def problem(self, text: str) -> None:
        self.out.append(f"line {self.getpos()[0]}: {text}")

    def handle_decl(self, decl: str) -> None:
        if decl.lower().strip() == "doctype html":
            self.doctype = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.seen[tag] = self.seen.get(tag, 0) + 1
        parent = self.stack[-1][0] if self.stack else None
        if tag in BLOCKS and parent == "p":
            self.problem(f"<{tag}> inside <p> (a paragraph cannot hold blocks)")
            self.stack.pop()  # a browser closes the <p> here
            self.children.pop()
            parent = self.stack[-1][0] if self.stack else None
        allowed = PARENTS.get(tag)
        if allowed and parent not in allowed:
            self.problem(f"<{tag}> inside <{parent}>; it belongs in {', '.join(sorted(allowed))}")
        if tag == "summary" and self.children[-1]:
            self.problem("<summary> must be the first child of <details>")
        self.children[-1].append(tag)
        if "id" in a:
            if a["id"] in self.ids:
                self.problem(f"id {a['id']!r} is used twice (first on line {self.ids[a['id']]})")
            self.ids[a["id"]] = self.getpos()[0]
        for attr in ("src", "href"):
            url = (a.get(attr) or "").strip()
            if url.lower().startswith(EXTERNAL):
                self.problem(f"<{tag} {attr}={url[:60]!r}> needs the network")
            if attr == "href" and url.startswith("#") and len(url) > 1:
                self.links.append((url[1:], self.getpos()[0]))
        if tag == "link":
            self.problem("<link> loads an external resource; inline it")
        if tag == "img" and "alt" not in a:
            self.problem("<img> without alt text")
        if tag == "audio" and not (a.get("aria-label") or a.get("aria-labelledby")):
            self.problem("<audio> without aria-label or aria-labelledby")
        if tag == "th" and a.get("scope") not in ("col", "row", "colgroup", "rowgroup"):
            self.problem("<th> without scope (col, row, colgroup or rowgroup)")
        if tag == "button" and a.get("type") not in ("button", "submit", "reset"):
            self.problem("<button> without type")
        if tag == "html" and not a.get("lang"):
            self.problem("<html> without lang")
        if tag not in VOID:
            self.stack.append((tag, self.getpos()[0]))
            self.children.append([])

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            self.problem(f"</{tag}>: a void element has no end tag")
            return
        if not any(t == tag for t, _ in self.stack):
            self.problem(f"</{tag}> without an open <{tag}>")
            return
        while self.stack:
            open_tag, line = self.stack.pop()
            kids = self.children.pop()
            if open_tag == "table" and "caption" not in kids:
                self.problem(f"<table> (line {line}) has no <caption>")
            if open_tag == tag:
                return
            self.problem(f"<{open_tag}> (line {line}) is not closed before </{tag}>")

    def close_document(self) -> list[str]:
        self.close()
        for tag, line in self.stack:
            self.out.append(f"line {line}: <{tag}> is never closed")
        if not self.doctype:
            self.out.insert(0, "no <!DOCTYPE html>")
        for tag in ("html", "head", "body", "title"):
            if self.seen.get(tag, 0) != 1:
                self.out.append(f"<{tag}> appears {self.seen.get(tag, 0)} times; it must once")
        if not self.seen.get("meta"):
            self.out.append("no <meta charset>")
        for target, line in self.links:
            if target not in self.ids:
                self.out.append(f"line {line}: link to #{target}, which no element has as id")
        return self.out


def problems(text: str) -> list[str]:
    """Everything wrong with the page ``text`` (an empty list if nothing is)."""
    checker = _Checker()
    checker.feed(text)
    return checker.close_document()
