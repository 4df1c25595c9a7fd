"""Bytes to text: size limits, binary sniffing, compression and charset detection.

News arrives in every encoding (GBK from mainland sites, cp1251 from Russian ones); a
wrong guess corrupts every sentence and citation, so we try the declared or BOM charset,
then strict UTF-8, and only then statistical detection.
"""

from __future__ import annotations

import codecs
import gzip
import re
import zlib
from pathlib import Path

from charset_normalizer import from_bytes

from newsdesk.errors import InputError

_MAGIC: list[tuple[bytes, str]] = [
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or DOCX/XLSX)"),
    (b"\x7fELF", "an executable"),
    (b"MZ", "a Windows executable"),
    (b"SQLite format 3", "an SQLite database"),
    (b"\xd0\xcf\x11\xe0", "an old Office document"),
    (b"RIFF", "a media file"),
    (b"ID3", "an MP3 file"),
]

_BOMS: list[tuple[bytes, str]] = [
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)


def human_size(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.1f} KB"


def read_file(path: Path, max_bytes: int) -> bytes:
    """Read a file's bytes, refusing what cannot be an article before loading it all."""
    if not path.exists():
        raise InputError(f"no such file or directory: {path}")
    if not path.is_file():
        raise InputError(f"not a regular file: {path}")
    size = path.stat().st_size
    if size == 0:
        raise InputError(f"empty file: {path} has no content to ingest")
    if size > max_bytes:
        raise InputError(
            f"file too large: {path} is {human_size(size)}, over the {human_size(max_bytes)} "
            f"limit (raise it with NEWSDESK_MAX_BYTES if this really is one article)"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if path.suffix.lower() == ".gz":
        data = gunzip(data, max_bytes, str(path))
    return data


def gunzip(data: bytes, max_bytes: int, origin: str) -> bytes:
    """Decompress gzip without letting a small bomb expand past the size limit."""
    try:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out = d.decompress(data, max_bytes + 1)
    except (zlib.error, gzip.BadGzipFile) as exc:
        raise InputError(f"{origin}: corrupt gzip data ({exc})") from exc
    if len(out) > max_bytes:
        raise InputError(f"{origin}: decompresses to over {human_size(max_bytes)}")
    if not d.eof:  # zlib hands back what it could: the article's first part only
        raise InputError(f"{origin}: the gzip data is cut short (an incomplete download "
                         "or copy?)")
    return out


def sniff_binary(data: bytes) -> str | None:
    """Name what a binary payload looks like, or None when it looks like text."""
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return name
    if any(data.startswith(bom) for bom, _ in _BOMS):
        return None
    head = data[:8192]
    if b"\x00" in head:
        return "binary data"
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    if head and controls / len(head) > 0.05:
        return "binary data"
    return None


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in its <meta> tags, if any."""
    m = _META_CHARSET.search(data[:4096])
    if not m:
        return None
    name = m.group(1).decode("ascii", "ignore").lower()
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode(data: bytes, origin: str, declared: str | None = None) -> str:
    """Decode bytes to str, refusing binary payloads with a message that names them."""
    kind = sniff_binary(data)
    if kind:
        raise InputError(f"{origin}: looks like {kind}, not a text, HTML or JSON article")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data.decode(enc, errors="replace")
    if declared:
        try:
            return data.decode(declared)
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data, cp_isolation=None).best()
    if best is None or best.encoding is None:
        raise InputError(f"{origin}: cannot tell the text encoding; convert the file to UTF-8")
    return str(best)
