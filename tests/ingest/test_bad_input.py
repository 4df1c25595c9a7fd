"""Bad input gets a clear InputError naming the problem, never a traceback or garbage."""

from pathlib import Path

import pytest

from newsdesk.errors import InputError
from newsdesk.ingest.decode import decode
from newsdesk.ingest.prepare import prepare
from newsdesk.ingest.sources import Unit, expand, read_unit

LIMIT = 10 * 1024 * 1024


def read_all(path: Path, limit: int = LIMIT) -> list:
    return list(read_unit(Unit("file", str(path)), limit))


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(InputError, match="empty file"):
        read_all(path)


def test_whitespace_only_file(tmp_path: Path) -> None:
    path = tmp_path / "blank.txt"
    path.write_text("   \n\n\t\n")
    with pytest.raises(InputError, match="empty"):
        read_all(path)


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10)
    with pytest.raises(InputError, match="PNG|binary"):
        read_all(path)


def test_binary_without_magic(tmp_path: Path) -> None:
    path = tmp_path / "blob.txt"
    path.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(InputError, match="binary"):
        read_all(path)


def test_twenty_megabyte_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:
        f.truncate(20 * 1024 * 1024)
    with pytest.raises(InputError, match="too large.*20.0 MB"):
        read_all(path)


def test_gbk_text_decodes(tmp_path: Path) -> None:
    text = "中俄贸易创新高\n\n中国对俄罗斯出口在今年前两个月增长百分之十二点五，双边贸易额达到三百七十亿美元。"
    path = tmp_path / "gbk.txt"
    path.write_bytes(text.encode("gbk"))
    (doc,) = read_all(path)
    assert doc.title == "中俄贸易创新高"
    article = prepare(doc)
    assert "双边贸易额" in article.text
    assert article.language == "zh"


def test_cp1251_text_decodes(tmp_path: Path) -> None:
    text = (
        "Товарооборот России и Китая вырос\n\n"
        "Товарооборот между Россией и Китаем в прошлом году достиг рекордных 240 миллиардов "
        "долларов, сообщила таможня. Экспорт китайских автомобилей в Россию резко вырос."
    )
    path = tmp_path / "cp1251.txt"
    path.write_bytes(text.encode("cp1251"))
    (doc,) = read_all(path)
    assert doc.title == "Товарооборот России и Китая вырос"
    assert prepare(doc).language == "ru"


def test_decode_rejects_binary_with_origin_in_message() -> None:
    with pytest.raises(InputError, match="^blob: "):
        decode(b"\x00\x01\x02\x03" * 100, "blob")


def test_broken_html_still_yields_text(tmp_path: Path) -> None:
    html = (
        "<html><head><title>Broken page</title><body><div><p>Trade between China and Russia "
        "grew 5% in May, customs data showed.<p>Exporters said payments were slow to clear"
        " through smaller banks.<div><span>unclosed"
    )
    path = tmp_path / "broken.html"
    path.write_text(html)
    (doc,) = read_all(path)
    article = prepare(doc)
    assert "customs data showed" in article.text


def test_html_without_any_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "nothing.html"
    path.write_text("<html><head><title>x</title></head><body><script>1</script></body></html>")
    with pytest.raises(InputError):
        prepare(next(iter(read_all(path))))


def test_unparseable_date_is_named(tmp_path: Path) -> None:
    path = tmp_path / "date.txt"
    path.write_text("Headline\nPublished: the day after tomorrow\n\nSome body text that is fine.\n")
    (doc,) = read_all(path)
    with pytest.raises(InputError, match="unparseable publication date"):
        prepare(doc)


def test_missing_path() -> None:
    (unit,) = expand(["/no/such/article.txt"])
    assert unit.kind == "missing"
    with pytest.raises(InputError, match="no such file"):
        list(read_unit(unit, LIMIT))


@pytest.mark.parametrize(("ref", "message"), [
    ("", "an empty path"),
    ("  ", "an empty path"),
    ("ftp://example.com/article.txt", "not a web address"),
    ("file:///etc/hostname", "not a web address"),
])
def test_an_empty_path_or_a_url_of_another_scheme_is_not_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ref: str, message: str) -> None:
    """'' is not the current folder ('newsdesk ingest ""' read every article below it),
    and ftp:// is not a path that happens not to exist."""
    (tmp_path / "article.txt").write_text("Headline\n\nA body sentence that is fine.\n")
    monkeypatch.chdir(tmp_path)
    (unit,) = expand([ref])
    assert unit.kind == "missing"
    with pytest.raises(InputError, match=message):
        list(read_unit(unit, LIMIT))


def test_a_gzip_file_cut_short_is_refused_not_read_in_part(tmp_path: Path) -> None:
    """zlib returns what it could decompress: 60% of an article was stored as the article."""
    import gzip

    body = " ".join(f"Sentence {i} says grain exports rose {i}% in May." for i in range(200))
    whole = gzip.compress(f"Headline\n\n{body}\n".encode())
    path = tmp_path / "article.txt.gz"
    path.write_bytes(whole)
    assert read_all(path)
    path.write_bytes(whole[: len(whole) * 6 // 10])
    with pytest.raises(InputError, match="cut short"):
        read_all(path)


def test_unknown_suffix_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sheet.xlsx"
    path.write_text("just some words here")
    with pytest.raises(InputError, match="unsupported file type"):
        read_all(path)
