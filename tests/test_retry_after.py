"""Retry-After: seconds or an HTTP date; anything else is no answer (the caller backs off)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsdesk.retry_after import retry_after_seconds

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


def test_seconds_and_http_dates_are_read() -> None:
    assert retry_after_seconds("120", NOW) == 120.0
    assert retry_after_seconds(" 7 ", NOW) == 7.0
    assert retry_after_seconds("Sun, 01 Mar 2026 12:00:30 GMT", NOW) == 30.0


def test_a_date_already_past_means_now() -> None:
    assert retry_after_seconds("Sun, 01 Mar 2026 11:00:00 GMT", NOW) == 0.0


@pytest.mark.parametrize("value", [None, "", "-5", "nan", "inf", "1.5e3", "\u00b2", "soon",
                                   "Sun, 99 Foo 2026"])
def test_anything_else_is_no_answer(value: str | None) -> None:
    assert retry_after_seconds(value, NOW) is None
