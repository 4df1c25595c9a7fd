"""Plain-text articles: a headline, a header block of metadata lines, then the body.

Articles copied from news sites carry lines that are not prose: "By Jane Doe",
"Estimated read time 2 min read", "Source: ... Published: ...", region and tag lines. They
must become metadata, never body sentences, or a brief would cite "2 min read" as news.
"""

from __future__ import annotations

import re

from newsdesk.models import RawDocument

_BYLINE = re.compile(r"^(?:by|written by|words by)\s+(.+)$", re.I)
_READ_TIME = re.compile(
    r"^(?:estimated\s+)?(?:read(?:ing)?\s+time\b.*|\d+\s*(?:-\s*)?min(?:ute)?s?\.?(?:\s+read)?)$",
    re.I,
)
_SOURCE = re.compile(r"^(?:source|outlet|publisher|via)\s*:\s*(.+)$", re.I)
_PUBLISHED_IN = re.compile(r"(?:published|updated|posted)\s*:\s*(.+)$", re.I)
_PUBLISHED = re.compile(r"^(?:published|updated|posted|date|dateline)\s*:\s*(.+)$", re.I)
_TAGS = re.compile(r"^(?:tags?|topics?|keywords?)\s*:\s*(.+)$", re.I)
_URL = re.compile(r"^(?:url|link|canonical)\s*:\s*(https?://\S+)$", re.I)
_CATEGORY = re.compile(r"^(?:category|section|region)\s*:\s*(.+)$", re.I)
_LANGUAGE = re.compile(r"^(?:language|lang)\s*:\s*([A-Za-z\-]{2,8})$", re.I)
_REGIONS = {
    "global", "world", "asia", "asia-pacific", "europe", "eurasia", "americas", "africa",
    "middle east", "china", "russia", "us", "markets", "business", "economy", "politics",
    "international", "south asia", "central asia", "latin america", "north america",
}
_TERMINAL = (".", "!", "?", '"', "”", "’", "'", ":", ";", ")", "。", "！", "？", "」")


def _is_prose(line: str) -> bool:
    """A body line: long, or ending like a sentence."""
    return len(line.split()) >= 12 or line.rstrip().endswith(_TERMINAL)


def _split_names(value: str) -> list[str]:
    parts = re.split(r"\s*(?:,|;|\band\b|&)\s*", value)
    return [p.strip() for p in parts if p.strip()]


def parse_text(text: str, origin: str) -> RawDocument:
    """Split a plain-text article into title, metadata and body."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i == len(lines):
        return RawDocument(origin=origin, text="", format="text")
    first = lines[i].strip()
    meta: dict = {"authors": [], "source_tags": []}
    words = len(first.split())
    if words > 30 or (words >= 12 and first.endswith((".", "!", "?", ".”", '."'))):
        # No headline: a long first line, or one that reads as a full sentence.
        return RawDocument(origin=origin, text=text, format="text")
    title, i = first, i + 1
    while i < len(lines):
        line = lines[i].strip()
        if not line:
            i += 1
            continue
        if not _header_line(line, meta, title):  # records the line when it is metadata
            if _is_prose(line):
                break
            # Short, unpunctuated lines in the header are region/category or tag lines.
            if line.lower() in _REGIONS and "category" not in meta:
                meta["category"] = line
            elif line.casefold() != title.casefold():
                meta["source_tags"].append(line)
        i += 1
    body = "\n".join(lines[i:]).strip()
    return RawDocument(origin=origin, title=title, text=body, format="text", **meta)


def _header_line(line: str, meta: dict, title: str) -> bool:
    """Record a metadata line in `meta`; False when the line is not metadata."""
    if m := _SOURCE.match(line):
        value = m.group(1)
        # "Source: South China Morning PostPublished: 09/02/2025, 14:52:00 EDT"
        if p := _PUBLISHED_IN.search(value):
            meta["published_raw"] = p.group(1).strip()
            value = value[: p.start()]
        meta["source"] = value.strip(" ,|·-")
        return True
    if m := _PUBLISHED.match(line):
        meta["published_raw"] = m.group(1).strip()
        return True
    if _READ_TIME.match(line):
        return True
    if (m := _BYLINE.match(line)) and len(line.split()) <= 12:
        meta["authors"].extend(_split_names(m.group(1).rstrip(".")))
        return True
    if m := _TAGS.match(line):
        meta["source_tags"].extend(
            t.strip(" .") for t in re.split(r"[,;|]", m.group(1)) if t.strip(" .")
        )
        return True
    if m := _URL.match(line):
        meta["url"] = m.group(1)
        return True
    if m := _CATEGORY.match(line):
        meta["category"] = m.group(1).strip()
        return True
    if m := _LANGUAGE.match(line):
        meta["language"] = m.group(1).lower()
        return True
    return line.casefold() == title.casefold()
