"""RawDocument -> Article: the normalised record every later stage and citation relies on."""

from __future__ import annotations

import math
import re

from newsdesk.analyze.sentences import split_sentences
from newsdesk.config import WORDS_PER_MINUTE
from newsdesk.errors import InputError
from newsdesk.ingest.dates import parse_published
from newsdesk.ingest.normalise import article_id, clean_text, hash_and_count
from newsdesk.models import Article, RawDocument

_CYRILLIC = re.compile(r"[\u0400-\u04ff]+")
_CJK = re.compile(r"[\u4e00-\u9fff]+")
_LATIN = re.compile(r"[A-Za-z]+")


def read_time_minutes(words: int) -> int:
    """Words at 230 per minute, rounded up, at least one minute."""
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


def guess_language(text: str) -> str:
    """A script-based guess, enough to route non-English text away from English rules."""
    sample = text[:2000]
    if sample.isascii() and _LATIN.search(sample):  # no Cyrillic or CJK to count
        return "en"
    counts = {  # characters of each script (sub is far cheaper than findall here)
        "ru": len(sample) - len(_CYRILLIC.sub("", sample)),
        "zh": len(sample) - len(_CJK.sub("", sample)),
        "en": len(sample) - len(_LATIN.sub("", sample)),
    }
    return max(counts, key=lambda k: counts[k])


def prepare(raw: RawDocument) -> Article:
    """Clean, split and identify a raw document; InputError when nothing usable is left."""
    text = clean_text(raw.text)
    title = clean_text(raw.title or "")
    sentences = split_sentences(text)
    if not sentences:
        raise InputError(f"{raw.origin}: no article text after removing metadata lines")
    if not title:
        first = sentences[0]
        title = first if len(first) <= 140 else first[:137].rsplit(" ", 1)[0] + "..."
    published = raw.published_at
    if published is None and raw.published_raw:
        try:
            published = parse_published(raw.published_raw)
        except InputError as exc:
            raise InputError(f"{raw.origin}: {exc}") from exc
    digest, words = hash_and_count(text)
    return Article(
        id=article_id(raw.url, digest),
        url=raw.url,
        title=title,
        source=raw.source,
        authors=raw.authors,
        published_at=published,
        published_raw=raw.published_raw,
        language=(raw.language or guess_language(text)).lower()[:8],
        category=raw.category,
        source_tags=raw.source_tags,
        text=text,
        sentences=sentences,
        word_count=words,
        read_time_minutes=read_time_minutes(words),
        content_hash=digest,
        origin=raw.origin,
        format=raw.format,
    )
