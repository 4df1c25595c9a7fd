"""JSON and JSONL records: one article per object, with the field names feeds commonly use."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from newsdesk.errors import InputError
from newsdesk.ingest.html import parse_html
from newsdesk.models import RawDocument

_ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline", "name"),
    "text": ("text", "body", "content", "articleBody", "article_body", "maintext"),
    "html": ("html", "raw_html"),
    "url": ("url", "link", "canonical_url", "href"),
    "source": ("source", "site", "sitename", "outlet", "publisher", "source_name"),
    "authors": ("authors", "author", "byline", "creator"),
    "published": (
        "published_at", "published", "date", "datePublished", "pubDate", "publish_date",
        "timestamp", "time",
    ),
    "language": ("language", "lang"),
    "category": ("category", "section", "region"),
    "tags": ("tags", "keywords", "topics"),
}


def _pick(obj: dict[str, Any], field: str) -> Any:
    for key in _ALIASES[field]:
        if key in obj and obj[key] not in (None, "", []):
            return obj[key]
    return None


def _names(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.replace(" and ", ",").split(",") if v.strip()]
    if isinstance(value, dict):
        return _names(value.get("name"))
    if isinstance(value, list):
        return [n for v in value for n in _names(v)]
    return [str(value)]


def _text_field(value: Any, field: str, origin: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict) and "name" in value:  # schema.org publisher objects
        value = value["name"]
    if isinstance(value, list) and field == "text":
        value = "\n\n".join(str(v) for v in value)
    if not isinstance(value, (str, int, float)):
        raise InputError(f"{origin}: field '{field}' must be text, got {type(value).__name__}")
    return str(value)


def record_to_document(obj: Any, origin: str, fmt: str) -> RawDocument:
    """Map one JSON object onto a RawDocument, or say which field is missing or wrong."""
    if not isinstance(obj, dict):
        raise InputError(f"{origin}: expected a JSON object per article, got {type(obj).__name__}")
    text = _text_field(_pick(obj, "text"), "text", origin)
    html = _text_field(_pick(obj, "html"), "html", origin)
    url = _text_field(_pick(obj, "url"), "url", origin)
    if not text and html:
        doc = parse_html(html, origin, url)
        text = doc.text
        # What the page itself says fills the fields the record leaves out.
        page = {"title": doc.title, "source": doc.source, "authors": doc.authors,
                "published": doc.published_raw, "language": doc.language,
                "tags": doc.source_tags, "url": doc.url}
        obj = {**{k: v for k, v in page.items() if v}, **obj}
        url = url or doc.url
    if not text or not text.strip():
        keys = ", ".join(_ALIASES["text"])
        raise InputError(f"{origin}: no article text (expected one of the fields: {keys})")
    published = _pick(obj, "published")
    if isinstance(published, (int, float)) and not isinstance(published, bool):
        # Unix time, in seconds or (JavaScript style) milliseconds.
        seconds = published / 1000 if published > 1e11 else published
        try:
            published = datetime.fromtimestamp(seconds, UTC).isoformat()
        except (OverflowError, OSError, ValueError):
            raise InputError(f"{origin}: timestamp {published} is out of range") from None
    tags = _pick(obj, "tags")
    if isinstance(tags, str):
        tags = [t.strip() for t in tags.split(",")]
    elif not isinstance(tags, list):
        tags = [tags] if tags is not None else []
    return RawDocument(
        origin=origin,
        title=_text_field(_pick(obj, "title"), "title", origin),
        text=text,
        url=url,
        source=_text_field(_pick(obj, "source"), "source", origin),
        authors=_names(_pick(obj, "authors")),
        published_raw=str(published) if published is not None else None,
        language=_text_field(_pick(obj, "language"), "language", origin),
        category=_text_field(_pick(obj, "category"), "category", origin),
        source_tags=[str(t) for t in tags or [] if t],
        format="jsonl" if fmt == "jsonl" else "json",
    )


def parse_json(text: str, origin: str) -> Iterator[RawDocument | InputError]:
    """A JSON file holds one article object or a list of them."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{origin}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from exc
    except RecursionError:
        raise InputError(f"{origin}: JSON nested too deeply to be an article") from None
    items = data if isinstance(data, list) else [data]
    for n, obj in enumerate(items):
        sub = origin if len(items) == 1 else f"{origin}#{n}"
        yield _record(obj, sub, "json")


def parse_jsonl(text: str, origin: str) -> Iterator[RawDocument | InputError]:
    """One article per line; a bad line is reported by number and the rest still load."""
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        sub = f"{origin}#L{lineno}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield InputError(f"{sub}: invalid JSON ({exc.msg}, column {exc.colno})")
            continue
        except RecursionError:
            yield InputError(f"{sub}: JSON nested too deeply to be an article")
            continue
        yield _record(obj, sub, "jsonl")


def _record(obj: Any, origin: str, fmt: str) -> RawDocument | InputError:
    """A record as a document, or the reason it cannot be one (never an exception)."""
    try:
        return record_to_document(obj, origin, fmt)
    except InputError as exc:
        return exc
    except (TypeError, ValueError, AttributeError) as exc:
        return InputError(f"{origin}: a field has an unexpected type ({exc})")
