"""Embeddings: a cache keyed by content, a fallback without torch, and MiniLM offline."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import numpy as np
import pytest

from newsdesk.errors import InputError
from newsdesk.relate import embed
from newsdesk.relate.embed import (
    CachedEmbedder,
    HashingEmbedder,
    content_key,
    default_embedder,
    embedding_text,
)

QUAKE = "A magnitude 7.1 earthquake struck off the coast of Chile, killing at least 12 people."
QUAKE_AGAIN = "At least 12 people died when a 7.1-magnitude earthquake hit the Chilean coast."
BUDGET = "The city council approved a budget for new bicycle lanes and library hours."


class CountingEmbedder:
    """Records every batch it is asked to embed."""

    name = "counting"
    dim = 8

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.batches.append(list(texts))
        return HashingEmbedder(self.dim).embed(texts)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b)


def test_hashing_vectors_are_unit_length_and_stable() -> None:
    e = HashingEmbedder()
    first = e.embed([QUAKE, BUDGET])
    again = HashingEmbedder().embed([QUAKE, BUDGET])
    assert first.shape == (2, 384) and first.dtype == np.float32
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0)
    assert np.array_equal(first, again)  # no per-process hash seed


def test_hashing_puts_reports_of_one_event_closer_than_unrelated_text() -> None:
    q, q2, b = HashingEmbedder().embed([QUAKE, QUAKE_AGAIN, BUDGET])
    assert cosine(q, q2) > cosine(q, b) + 0.1


def test_empty_text_gives_a_zero_vector() -> None:
    assert not HashingEmbedder().embed([""]).any()


def test_cache_hits_skip_the_model() -> None:
    inner = CountingEmbedder()
    cached = CachedEmbedder(inner)
    first = cached.embed([QUAKE, BUDGET])
    second = cached.embed([BUDGET, QUAKE])
    assert inner.batches == [[QUAKE, BUDGET]]
    assert cached.hits == 2 and cached.misses == 2
    assert np.array_equal(first[0], second[1])


def test_cache_embeds_only_misses_in_one_batch_and_repeats_once() -> None:
    inner = CountingEmbedder()
    cached = CachedEmbedder(inner)
    cached.embed([QUAKE])
    out = cached.embed([BUDGET, QUAKE, BUDGET])
    assert inner.batches == [[QUAKE], [BUDGET]]
    assert np.array_equal(out[0], out[2])


def test_cache_is_keyed_by_model_and_content() -> None:
    assert content_key("a", QUAKE) == content_key("a", QUAKE)
    assert content_key("a", QUAKE) != content_key("b", QUAKE)
    assert content_key("a", QUAKE) != content_key("a", QUAKE + " ")


def test_cache_forgets_least_recently_used_beyond_its_size() -> None:
    inner = CountingEmbedder()
    cached = CachedEmbedder(inner, max_items=2)
    cached.embed(["one"])
    cached.embed(["two"])
    cached.embed(["one"])  # "two" is now the oldest
    cached.embed(["three"])
    assert len(cached) == 2
    cached.embed(["one"])
    cached.embed(["two"])
    assert inner.batches == [["one"], ["two"], ["three"], ["two"]]


def test_cache_can_be_seeded_with_stored_vectors() -> None:
    inner = CountingEmbedder()
    cached = CachedEmbedder(inner)
    stored = np.ones(8, dtype=np.float32) / np.sqrt(8)
    cached.put(content_key(inner.name, QUAKE), stored)
    assert np.allclose(cached.embed([QUAKE])[0], stored)
    assert inner.batches == []


def test_embedding_text_is_title_and_lead() -> None:
    text = "First sentence here. Second one follows. Third is left out."
    assert embedding_text("Title", text) == "Title\nFirst sentence here.\nSecond one follows."


def test_without_torch_the_desk_falls_back_to_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now raises ImportError
    monkeypatch.delenv(embed.ENV_EMBEDDING_MODEL, raising=False)
    assert not embed.torch_available()
    assert isinstance(default_embedder(), HashingEmbedder)


def test_without_torch_a_configured_model_is_an_error(monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(InputError, match="torch"):
        default_embedder(tmp_path)


def test_a_missing_model_directory_is_an_error_not_a_download(tmp_path) -> None:
    with pytest.raises(InputError, match="not found"):
        embed.MiniLMEmbedder(tmp_path / "nowhere")


# --- the real model (loaded once per session) ---------------------------------------------

needs_model = pytest.mark.skipif(
    not embed.torch_available(), reason="torch / sentence-transformers not installed")


@pytest.fixture(scope="session")
def minilm() -> embed.MiniLMEmbedder:
    return embed.MiniLMEmbedder(precision="float32")  # exact, whatever the CPU


@needs_model
def test_a_folder_that_holds_no_model_is_an_error(tmp_path) -> None:
    """NEWSDESK_EMBEDDING_MODEL at the wrong folder was an internal ValueError."""
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "notes.txt").write_text("not a model")
    with pytest.raises(InputError, match="not a sentence-transformers model directory"):
        embed.MiniLMEmbedder(tmp_path)


def test_an_unknown_precision_is_an_error_that_names_the_choices(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(embed.ENV_EMBEDDING_PRECISION, "fp8")
    with pytest.raises(InputError, match="auto, float32, bfloat16"):
        embed.MiniLMEmbedder()
    with pytest.raises(InputError, match="fp8"):
        default_embedder()  # not a silent fall back to hashing


@needs_model
def test_minilm_weights_come_from_the_installed_package() -> None:
    path = embed.packaged_model_path()
    assert "site-packages" in str(path) and (path / "config.json").is_file()


@needs_model
@pytest.mark.slow
def test_minilm_runs_offline_and_relates_paraphrases(minilm: embed.MiniLMEmbedder) -> None:
    import os

    q, q2, b = minilm.embed([QUAKE, QUAKE_AGAIN, BUDGET])
    assert os.environ.get("HF_HUB_OFFLINE") == "1"
    assert q.shape == (384,) and abs(float(np.linalg.norm(q)) - 1.0) < 1e-4
    assert cosine(q, q2) > 0.7 > cosine(q, b)
    assert minilm.max_seq_length == 128


@needs_model
@pytest.mark.slow
def test_minilm_batches_equal_single_calls(minilm: embed.MiniLMEmbedder) -> None:
    batch = minilm.embed([QUAKE, BUDGET])
    single = minilm.embed([BUDGET])
    assert np.allclose(batch[1], single[0], atol=1e-5)


@needs_model
@pytest.mark.slow
def test_a_configured_model_directory_is_used_instead(monkeypatch: pytest.MonkeyPatch) -> None:
    path = embed.packaged_model_path()  # stands in for a user's own model directory
    monkeypatch.setenv(embed.ENV_EMBEDDING_MODEL, str(path))
    chosen = default_embedder()
    assert isinstance(chosen, embed.MiniLMEmbedder)
    assert chosen.path == path and chosen.name == f"st:{path.name}:128" and chosen.dim == 384


@needs_model
@pytest.mark.slow
def test_bfloat16_vectors_are_the_float32_vectors_within_rounding(
        minilm: embed.MiniLMEmbedder) -> None:
    half = embed.MiniLMEmbedder(precision="bfloat16")
    texts = [QUAKE, QUAKE_AGAIN, BUDGET]
    exact, rounded = minilm.embed(texts), half.embed(texts)
    assert half.precision == "bfloat16" and rounded.dtype == np.float32
    assert np.allclose(np.linalg.norm(rounded, axis=1), 1.0, atol=1e-4)
    assert (exact * rounded).sum(axis=1).min() > 0.999
    assert cosine(rounded[0], rounded[1]) > 0.7 > cosine(rounded[0], rounded[2])


@needs_model
@pytest.mark.slow
@pytest.mark.parametrize("native", [True, False])
def test_auto_precision_uses_bfloat16_only_where_the_cpu_computes_it(
        monkeypatch: pytest.MonkeyPatch, native: bool) -> None:
    monkeypatch.delenv(embed.ENV_EMBEDDING_PRECISION, raising=False)
    monkeypatch.setattr(embed, "native_bfloat16", lambda: native)
    chosen = embed.MiniLMEmbedder()
    assert chosen.precision == "auto"  # settled when the model loads
    chosen.embed([BUDGET])
    assert chosen.precision == ("bfloat16" if native else "float32")


@needs_model
def test_the_cpu_probe_answers_without_failing() -> None:
    assert isinstance(embed.native_bfloat16(), bool)
