"""Cleaning text and guessing its script: what every later stage and citation reads."""

import random
import re
import unicodedata

import pytest

from newsdesk.ingest.normalise import clean_text
from newsdesk.ingest.prepare import guess_language


def reference_clean(text: str) -> str:
    """The rules of `clean_text` as four plain passes (no shortcuts)."""
    text = unicodedata.normalize("NFC", text).replace("\ufeff", "").replace("\u00ad", "")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+", " ", text)
    text = re.sub(r" ?\n ?", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


@pytest.mark.parametrize(("raw", "clean"), [
    ("Exports rose.\r\n\r\n\r\nImports fell.", "Exports rose.\n\nImports fell."),
    ("Exports  rose\tsharply .", "Exports rose sharply ."),
    ("Line one \n line two", "Line one\nline two"),
    ("Price:\u00a0$5\u2009bn", "Price: $5 bn"),
    ("co\u00adoperate\ufeff", "cooperate"),
    ("  already clean  ", "already clean"),
])
def test_clean_text_unifies_spaces_newlines_and_blank_lines(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


def test_clean_text_skips_passes_only_where_they_would_change_nothing() -> None:
    """Each pass runs only when a substring test says it has work; the result is that
    of running every pass, on text mixing all the cases."""
    rng = random.Random(3)
    pieces = ["Exports", " ", "  ", "\t", "\n", "\n\n\n\n", " \n", "\n ", "\r\n", "\r",
              "\u00a0", "\u2009", "rose", "5%", "Москва", "\u00ad", "\ufeff", "e\u0301", ".",
              *map(chr, range(0x2000, 0x200C)), "\u202f", "\u205f", "\u3000"]
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        assert clean_text(text) == reference_clean(text), repr(text)


@pytest.mark.parametrize(("text", "language"), [
    ("Chinese exports to Russia rose 12.5% in January.", "en"),
    ("Экспорт Китая в Россию вырос на 12,5% в январе.", "ru"),
    ("中国对俄罗斯出口增长12.5%。", "zh"),
    ("Le commerce a progressé de 12,5 % en janvier.", "en"),  # Latin script
    ("Москва said exports to Russia rose.", "en"),  # more Latin than Cyrillic letters
])
def test_guess_language_by_script(text: str, language: str) -> None:
    assert guess_language(text) == language
