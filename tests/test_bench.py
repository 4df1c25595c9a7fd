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


def test_throughput_copies_have_their_own_lead_of_a_real_length() -> None:
    """The copies `--embed` embeds must be as long as real leads and all different, or the
    embedding figure would come from short texts or the content-hash cache."""
    from newsdesk.relate.embed import embedding_text

    throughput = bench("throughput")
    base = throughput.load([throughput.CORPUS])
    pool = [p for d in base for p in d.text.split("\n\n")[1:] if len(p.split()) >= 12]
    originals = [embedding_text(d.title, d.text) for d in base]
    texts = set(originals)
    for k in (1, 2):
        leads = [embedding_text(c.title, c.text) for c in (throughput.vary(d, k, pool)
                                                            for d in base)]
        assert not texts & set(leads)
        texts |= set(leads)
        # title + as many sentences (the second may come from the copy's own body)
        assert [t.count("\n") for t in leads] == [t.count("\n") for t in originals]
        words = sum(len(t.split()) for t in leads) / sum(len(t.split()) for t in originals)
        assert 0.85 < words < 1.15


@pytest.mark.slow
def test_throughput_with_embed_embeds_every_accepted_article(tmp_path: Path) -> None:
    throughput = bench("throughput")
    result = throughput.run(1, tmp_path, workers=1, embed=True)
    embedded = result["embedding"]
    assert result["target_per_second"] == throughput.TARGET_EMBED
    assert embedded["embedded"] + embedded["reused"] == result["statuses"]["accepted"]
    assert embedded["reused"] == 0 and embedded["per_second"] > 0
