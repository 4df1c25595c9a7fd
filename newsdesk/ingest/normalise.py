"""Normalisation: clean text, canonical URLs, content hashes and stable article ids.

Ids must be stable across runs and machines so that re-ingesting is a no-op and citations
stay valid: the id is a hash of the canonical URL when there is one, else of the text.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_TRACKING = re.compile(r"^(?:utm_\w+|fbclid|gclid|mc_cid|mc_eid|ocid|cmpid|smid|ref|src)$", re.I)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_BLANKS = re.compile(r"\n{3,}")
_LINE_EDGES = re.compile(r" ?\n ?")
_WORD = re.compile(r"\w+", re.UNICODE)


def clean_text(text: str) -> str:
    """NFC, unified newlines and spaces, at most one blank line between paragraphs."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text).replace("\ufeff", "").replace("\u00ad", "")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # One pass each, not per line; and none where a substring test (far cheaper than a
    # regex pass over a whole article) shows there is nothing to replace.
    if "  " in text or "\t" in text or not text.isascii():
        text = _SPACES.sub(" ", text)
    if " \n" in text or "\n " in text:
        text = _LINE_EDGES.sub("\n", text)
    if "\n\n\n" in text:
        text = _BLANKS.sub("\n\n", text)
    return text.strip()


def content_hash(text: str) -> str:
    """Hash of the text with case, punctuation and spacing removed: exact duplicates."""
    return hash_and_count(text)[0]


def hash_and_count(text: str) -> tuple[str, int]:
    """(content hash, word count) from one tokenisation of the text."""
    words = _WORD.findall(unicodedata.normalize("NFKC", text).casefold())
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest(), len(words)


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no fragment, no tracking parameters, no trailing slash."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if parts.port and not (
        (parts.scheme == "http" and parts.port == 80)
        or (parts.scheme == "https" and parts.port == 443)
    ):
        host = f"{host}:{parts.port}"
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query) if not _TRACKING.match(k)))
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), host, path, query, ""))


def article_id(url: str | None, text_hash: str) -> str:
    key = f"url:{canonical_url(url)}" if url else f"text:{text_hash}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def word_count(text: str) -> int:
    return len(_WORD.findall(text))
