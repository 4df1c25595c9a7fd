"""Sources: turn what a user names (paths, directories, URLs, '-') into raw documents.

`expand` lists the units of work up front so the CLI can show progress; `read_unit`
yields each document in a unit, or an InputError for each part that cannot be read, so
one bad record never stops a batch.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from newsdesk.errors import InputError
from newsdesk.ingest.decode import declared_charset, decode, human_size, read_file
from newsdesk.ingest.html import parse_html
from newsdesk.ingest.records import parse_json, parse_jsonl
from newsdesk.ingest.text import parse_text
from newsdesk.models import RawDocument

TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}
JSON_SUFFIXES = {".json"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
KNOWN_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES | JSONL_SUFFIXES


@dataclass(frozen=True)
class Unit:
    """One thing to read: a file, a URL or standard input."""

    kind: str  # "file" | "url" | "stdin" | "data" | "missing"
    ref: str
    data: bytes | None = None  # stdin, read once in the main process; bytes already fetched
    fmt: str | None = None  # "data": the reader format, None to sniff
    url: str | None = None  # "data": the page's URL
    charset: str | None = None  # "data": the charset the server declared

    @property
    def origin(self) -> str:
        return self.ref


def with_stdin(unit: Unit, max_bytes: int) -> Unit:
    """Read standard input now: worker processes have no access to it."""
    if unit.kind != "stdin" or unit.data is not None:
        return unit
    return Unit("stdin", unit.ref, sys.stdin.buffer.read(max_bytes + 1))


def is_url(ref: str) -> bool:
    return ref.lower().startswith(("http://", "https://"))


def _format_of(name: str) -> str | None:
    lower = name.lower()
    if lower.endswith(".gz"):
        lower = lower[:-3]
    suffix = Path(lower).suffix
    for fmt, suffixes in (
        ("text", TEXT_SUFFIXES),
        ("html", HTML_SUFFIXES),
        ("json", JSON_SUFFIXES),
        ("jsonl", JSONL_SUFFIXES),
    ):
        if suffix in suffixes:
            return fmt
    return None


def expand(refs: list[str]) -> list[Unit]:
    """Files, URLs and stdin as given; directories walked recursively in name order."""
    units: list[Unit] = []
    for ref in refs:
        if ref == "-":  # standard input can be read once: a second '-' finds nothing
            stdin_named = any(u.ref == "-" for u in units)
            units.append(Unit("missing" if stdin_named else "stdin", "-"))
        elif not ref.strip():
            units.append(Unit("missing", ref))  # not the current folder, nor a path
        elif is_url(ref):
            units.append(Unit("url", ref))
        elif Path(ref).is_dir():
            for path in sorted(Path(ref).rglob("*")):
                hidden = any(part.startswith(".") for part in path.relative_to(ref).parts)
                # In a folder, only what looks like an article: a database or a picture
                # beside the articles is not an ingest error.
                wanted = _format_of(path.name) is not None or not path.suffix
                if path.is_file() and not hidden and wanted:
                    units.append(Unit("file", str(path)))
        elif Path(ref).exists():
            units.append(Unit("file", ref))
        else:
            units.append(Unit("missing", ref))
    return units


def sniff_format(text: str) -> str:
    head = text.lstrip()[:512].lower()
    if head.startswith(("<!doctype html", "<html", "<head", "<body", "<article", "<?xml",
                        "<div", "<p>", "<p ", "<h1", "<h2", "<section", "<main")):
        return "html"
    # "[Updated] China and Russia ..." is a headline, not a JSON array.
    array = head.startswith("[") and head[1:].lstrip()[:1] in ("{", "]")
    if head.startswith("{") or array:
        first_line = text.lstrip().split("\n", 1)[0].strip()
        return "jsonl" if first_line.startswith("{") and first_line.endswith("}") and (
            text.strip().count("\n") > 0
        ) else "json"
    return "text"


def parse(text: str, fmt: str, origin: str, url: str | None = None) -> Iterator[
    RawDocument | InputError
]:
    """Parse decoded text in a known format."""
    if fmt == "json":
        yield from parse_json(text, origin)
    elif fmt == "jsonl":
        yield from parse_jsonl(text, origin)
    elif fmt == "html":
        yield parse_html(text, origin, url)
    else:
        doc = parse_text(text, origin)
        yield doc.model_copy(update={"url": doc.url or url})


def read_unit(unit: Unit, max_bytes: int) -> Iterator[RawDocument | InputError]:
    """Every document of a unit; raises InputError when the unit as a whole is unreadable."""
    if unit.kind == "missing":
        if not unit.ref.strip():
            raise InputError("an empty path: name a file, a folder, an http(s) URL or '-'")
        if unit.ref == "-":
            raise InputError("standard input can be read only once: name '-' once")
        if "://" in unit.ref and not is_url(unit.ref):
            raise InputError(f"'{unit.ref}' is not a web address newsdesk can fetch: "
                             "give an http:// or https:// URL")
        raise InputError(f"no such file or directory: {unit.ref}")
    if unit.kind == "url":
        data, fmt, charset = fetch(unit.ref, max_bytes)
        text = decode(data, unit.ref, charset or declared_charset(data))
        yield from parse(text, fmt or sniff_format(text), unit.ref, url=unit.ref)
        return
    if unit.kind == "data":  # fetched by the live desk, recorded in its journal
        data = unit.data or b""
        if len(data) > max_bytes:
            raise InputError(f"{unit.ref}: over the {human_size(max_bytes)} limit")
        text = decode(data, unit.ref, unit.charset or declared_charset(data))
        if not text.strip():
            raise InputError(f"{unit.ref}: empty document")
        yield from parse(text, unit.fmt or sniff_format(text), unit.ref, url=unit.url)
        return
    if unit.kind == "stdin":
        data = unit.data if unit.data is not None else sys.stdin.buffer.read(max_bytes + 1)
        if not data.strip():
            raise InputError("standard input is empty: pipe an article in, or name a file "
                             "instead of '-'")
        if len(data) > max_bytes:
            raise InputError(f"standard input is over the {human_size(max_bytes)} limit")
        text = decode(data, "stdin", declared_charset(data))
        yield from parse(text, sniff_format(text), "stdin")
        return
    path = Path(unit.ref)
    data = read_file(path, max_bytes)
    fmt = _format_of(path.name)
    text = decode(data, unit.ref, declared_charset(data) if fmt in (None, "html") else None)
    if fmt is None:
        fmt = sniff_format(text)
        if fmt == "text" and path.suffix:
            raise InputError(
                f"{path}: unsupported file type '{path.suffix}' "
                f"(newsdesk reads {', '.join(sorted(KNOWN_SUFFIXES))})"
            )
    if not text.strip():
        raise InputError(f"empty file: {path} contains only whitespace")
    yield from parse(text, fmt, unit.ref)


def fetch(url: str, max_bytes: int) -> tuple[bytes, str | None, str | None]:
    """GET one page through the safe fetcher (address guard on every hop, robots.txt,
    size cap, retries); (body, format, charset)."""
    from newsdesk.live.fetch import Fetcher  # the live package imports this module's kin

    with Fetcher(max_bytes=max_bytes, retries=1) as fetcher:
        result = fetcher.get(url, conditional=False)
    return result.body, format_of_type(result.content_type), result.charset


def format_of_type(content_type: str) -> str | None:
    """The reader format a Content-Type names, or None to sniff the body."""
    ctype = content_type.lower()
    if "html" in ctype:
        return "html"
    if "json" in ctype:
        return "json"
    return "text" if "text/plain" in ctype else None
