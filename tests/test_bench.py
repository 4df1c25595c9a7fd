"""The quality benchmarks run on a fresh clone: they skip cleanly without the shared data,
and measure the dev sets when ../shared/datasets is there."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "datasets" / "summarization"


def bench(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["factuality_eval", "summary_eval"])
def test_a_benchmark_without_its_data_says_skipped(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert bench(name).main(["--data", str(tmp_path / "missing")]) == 0
    assert capsys.readouterr().out.startswith("skipped")


def test_the_naive_baseline_flags_a_summary_with_new_words() -> None:
    naive = bench("factuality_eval").naive_has_error
    article = "The council approved a new bridge over the river on Monday."
    assert not naive("the council approved a new bridge on monday .", article)
    assert naive("the mayor vetoed a new tunnel on friday .", article)


@pytest.mark.slow
@pytest.mark.skipif(not (DATA / "frank-dev.jsonl").exists(), reason="needs ../shared/datasets")
def test_the_fact_checker_beats_the_naive_baseline_on_frank_dev() -> None:
    result = bench("factuality_eval").evaluate(DATA / "frank-dev.jsonl")
    ours, naive = result["newsdesk"], result["naive_baseline"]
    assert ours["balanced_accuracy"] >= naive["balanced_accuracy"]
    assert ours["precision_error"] > naive["precision_error"]
