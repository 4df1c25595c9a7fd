"""The live config file: what the CLI writes reads back the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdesk.errors import InputError
from newsdesk.live.config import LiveConfig, load_config, save_config
from newsdesk.models import AlertRule, LiveSource


def test_written_config_reads_back_with_any_characters(tmp_path: Path) -> None:
    """JSON leaves DEL (U+007F) raw, which TOML refuses: the file must stay loadable."""
    odd = 'wire \x7f "quoted" \\ tab\t nl\n é \u2028'
    config = LiveConfig(
        sources=[LiveSource.model_validate({"name": odd, "kind": "feed",
                                            "url": "https://news.example/rss"})],
        alerts=[AlertRule.model_validate({"name": "a", "kind": "keyword", "value": odd})])
    path = tmp_path / "live.toml"
    save_config(path, config)
    back = load_config(path)
    assert back.sources[0].name == odd and back.alerts[0].value == odd


def test_config_saved_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    """Notepad and PowerShell save UTF-8 with a BOM; TOML calls it an invalid statement."""
    path = tmp_path / "live.toml"
    path.write_bytes(b'\xef\xbb\xbf[[sources]]\nname = "wire"\nkind = "feed"\n'
                     b'url = "https://news.example/rss"\n')
    assert load_config(path).sources[0].name == "wire"


def test_a_webhook_edited_in_by_hand_is_checked_like_one_added(tmp_path: Path) -> None:
    """An ftp:// webhook loaded without a word and failed at every alert."""
    path = tmp_path / "live.toml"
    path.write_text('[[webhooks]]\nurl = "ftp://hooks.example/x"\n')
    with pytest.raises(InputError, match="webhook must be http"):
        load_config(path)


@pytest.mark.parametrize("kind", ["tag", "entity", "keyword", "spike"])
def test_an_alert_edited_in_by_hand_without_a_value_is_refused_naming_file_and_alert(
        tmp_path: Path, kind: str) -> None:
    """It loaded without a word and could never fire; `alerts add` refuses the same."""
    path = tmp_path / "live.toml"
    path.write_text(f'[[alerts]]\nname = "silent"\nkind = "{kind}"\n')  # no value
    with pytest.raises(InputError) as caught:
        load_config(path)
    said = str(caught.value)
    assert str(path) in said and f"{kind} alert 'silent'" in said and "value" in said


def test_a_new_story_alert_without_a_value_still_loads(tmp_path: Path) -> None:
    """new_story without a value means any tag (documented on AlertRule)."""
    path = tmp_path / "live.toml"
    path.write_text('[[alerts]]\nname = "any"\nkind = "new_story"\n')
    assert load_config(path).alerts[0].name == "any"
