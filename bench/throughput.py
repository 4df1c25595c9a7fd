"""Throughput of the offline path: ingest (prepare, dedupe, analyse, store) + brief.

The bundled sample corpus is replicated to at least --n articles. Every copy keeps its
lead paragraph and draws the rest from the whole pool of paragraphs (figures nudged, a
dateline added, its own URL and date), so that no copy is an exact or near duplicate: the
benchmark measures real work, not the dedupe shortcut.
When ../shared/datasets/corpus/wikinews.jsonl exists, its articles are mixed in as well
(replicated the same way) so the figure is not only about one topic.

    .venv/bin/python bench/throughput.py            # 10,000+ articles, prints a summary
    .venv/bin/python bench/throughput.py --json     # machine-readable
    .venv/bin/python bench/throughput.py --embed    # then `newsdesk embed` on the clock (issue 4)

The copies are written as JSONL batches before the clock starts; the figure is articles per second
through read -> prepare -> analyse -> store -> brief, with the pure stages in --workers
processes (as `newsdesk ingest --briefs` runs them).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import sys
import tempfile
import threading
import time
import zlib
from datetime import timedelta
from pathlib import Path

from newsdesk.config import Settings
from newsdesk.desk import Desk
from newsdesk.errors import InputError
from newsdesk.ingest.sources import expand, read_unit
from newsdesk.models import RawDocument
from newsdesk.pipeline import default_workers

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "samples" / "corpus"
WIKINEWS = ROOT.parent / "shared" / "datasets" / "corpus" / "wikinews.jsonl"
_NUMBER = re.compile(r"\b(\d{2,3})(?=\s?(?:%|per cent|billion|million))")
TARGET = 200.0  # issue 3: ingest + analyse + brief
TARGET_EMBED = 100.0  # issue 4: the same, then every stored original embedded (MiniLM)


def load(paths: list[Path]) -> list[RawDocument]:
    docs: list[RawDocument] = []
    for unit in expand([str(p) for p in paths if p.exists()]):
        for item in read_unit(unit, 10 * 1024 * 1024):
            if not isinstance(item, InputError):
                docs.append(item)
    return docs


def vary(doc: RawDocument, k: int, pool: list[str]) -> RawDocument:
    """Copy k of a document: its lead paragraph, then six to twelve paragraphs drawn from
    the whole pool (seeded by k and the document), figures nudged, its own URL and date.
    Copies are neither exact nor near duplicates of each other (five-word shingle
    similarity below the 0.6 near-duplicate threshold: at most 0.54 over 1,500 copies), so
    each one is analysed, stored and briefed."""
    paragraphs = [p for p in doc.text.split("\n\n") if p.strip()]
    rng = random.Random(k * 7919 + zlib.crc32(doc.origin.encode()))
    body = rng.sample(pool, min(len(pool), max(6, min(12, len(paragraphs) - 1))))
    text = "\n\n".join([paragraphs[0], *body]) if paragraphs else doc.text
    text = _NUMBER.sub(lambda m: str(int(m.group(1)) + k % 7), text)
    # The copy's mark opens its first sentence rather than standing as a sentence of its
    # own, so the lead that `--embed` embeds is as long as a real article's, and unique.
    text = f"(Dispatch {k}) " + text
    published = doc.published_at
    return doc.model_copy(update={
        "text": text,
        "url": f"https://bench.test/{k}/{zlib.crc32(doc.origin.encode()) % 10**8}",
        "origin": f"{doc.origin}#copy{k}",
        "published_at": published + timedelta(days=k % 400) if published else None,
        "published_raw": None if published else doc.published_raw,
    })


def write_batches(docs: list[RawDocument], folder: Path, per_file: int = 100) -> None:
    """The varied copies as JSONL files: the benchmark reads them like any user batch."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(0, len(docs), per_file):
        lines = []
        for doc in docs[n:n + per_file]:
            lines.append(json.dumps({
                "title": doc.title, "text": doc.text, "url": doc.url, "source": doc.source,
                "authors": doc.authors, "category": doc.category,
                "published_at": doc.published_at.isoformat() if doc.published_at
                else doc.published_raw,
            }))
        (folder / f"batch-{n // per_file:05d}.jsonl").write_text("\n".join(lines) + "\n")


def run(n: int, workdir: Path, workers: int, embed: bool = False) -> dict:
    sample = load([CORPUS])
    wiki = load([WIKINEWS])
    base = sample + wiki
    pool = [p for d in base for p in d.text.split("\n\n")[1:] if len(p.split()) >= 12]
    docs = [vary(base[i % len(base)], i // len(base), pool) if i >= len(base) else base[i]
            for i in range(max(n, len(base)))]
    write_batches(docs, workdir / "in")
    with Desk.open(Settings(db_path=workdir / "bench.db")) as desk:
        desk.taxonomy, desk.gazetteer  # noqa: B018 - load once, outside the clock
        if embed:  # load the model outside the clock, as a running desk has it loaded
            desk.embedder.embed(["warm-up"])
        cpu0, steal0 = _cpu_seconds(), _steal_seconds()
        with OwnCpu() as own:
            t0 = time.perf_counter()
            report = desk.ingest([str(workdir / "in")], workers=workers)
            t1 = time.perf_counter()
            accepted = [o.article_id for o in report.outcomes if o.status == "accepted"]
            written = desk.write_briefs([a for a in accepted if a], workers=workers)
            t2 = time.perf_counter()
            embedded = desk.embed() if embed else None
            t3 = time.perf_counter()
        stats = desk.stats()
    cpu, steal = _cpu_seconds() - cpu0, _steal_seconds() - steal0
    cores = os.cpu_count() or 1
    total = t3 - t0
    statuses = {s: report.count(s) for s in ("accepted", "duplicate", "quarantined")}
    return {
        "articles": len(docs),
        "sample_articles": len(sample),
        "wikinews_articles": len(wiki),
        "workers": workers,
        "statuses": statuses,
        "briefs_written": written,
        "briefs_stored": stats["briefs"],
        "seconds": round(total, 2),
        "articles_per_second": round(len(docs) / total, 1),
        "ingest_per_second": round(len(docs) / (t1 - t0), 1),
        "brief_per_second": round(written / (t2 - t1), 1) if written else None,
        "embedding": embedded and {
            "model": embedded["model"], "embedded": embedded["embedded"],
            "reused": embedded["reused"], "per_second": round(embedded["embedded"] / (t3 - t2), 1)},
        "target_per_second": TARGET_EMBED if embed else TARGET,
        "cpu_seconds": round(cpu, 2),
        "own_cpu_seconds": round(own.seconds, 2),
        # The same if this run's own processes had every core to themselves.
        "articles_per_second_own_cpu_bound": round(len(docs) / (own.seconds / cores), 1),
        "steal_seconds": round(steal, 2),
        "cores": cores,
        # What the wall-clock figure would be if every core were busy with this run only:
        # on a shared machine (CPU steal) wall time varies run to run, CPU time much less.
        "articles_per_second_cpu_bound": round(len(docs) / (cpu / cores), 1),
    }


def _cpu_seconds() -> float:
    """Busy CPU seconds of the whole machine (from /proc/stat; the workers run under a
    forkserver, so this process's rusage does not see them). Falls back to own rusage."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        me = resource.getrusage(resource.RUSAGE_SELF)
        return me.ru_utime + me.ru_stime
    user, nice, system, _idle, _iowait, irq, softirq = fields[:7]
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


class OwnCpu:
    """CPU seconds used by this process and every process it started (workers run under a
    forkserver, which rusage does not see): /proc/<pid>/stat of the whole process tree,
    sampled every 0.1 s, keeping each process's last reading. Unlike the machine-wide
    figure, other sessions' work on a shared machine does not add to it."""

    def __init__(self) -> None:
        self._seen: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> OwnCpu:
        self._sample()
        self._base = sum(self._seen.values())
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()
        self.seconds = sum(self._seen.values()) - self._base

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self._sample()

    def _sample(self) -> None:
        tick = os.sysconf("SC_CLK_TCK")
        for pid in _descendants(os.getpid()):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            cpu = (int(fields[11]) + int(fields[12])) / tick
            self._seen[pid] = max(cpu, self._seen.get(pid, 0.0))


def _descendants(root: int) -> list[int]:
    """`root` and every process under it, from /proc/<pid>/task/<tid>/children: a few
    small reads, where scanning all of /proc cost this benchmark about 4% of its CPU on
    a busy machine."""
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                todo.extend(int(c) for c in
                            Path(f"/proc/{pid}/task/{task}/children").read_text().split())
            except (OSError, ValueError):
                continue
    return out


def _steal_seconds() -> float:
    """CPU time the host took from this machine (0 where not reported)."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return fields[7] / os.sysconf("SC_CLK_TCK") if len(fields) > 7 else 0.0
    except (OSError, ValueError):
        return 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="articles (>= corpus size)")
    parser.add_argument("--workers", type=int, default=default_workers(),
                        help="processes for the pure stages (default: CPU count)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--embed", action="store_true",
                        help="then embed every stored original (`newsdesk embed`), on the clock")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = run(args.n, Path(tmp), args.workers, args.embed)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{result['articles']} articles ({result['sample_articles']} sample + "
              f"{result['wikinews_articles']} wikinews, varied copies) in {result['seconds']} s"
              f" with {result['workers']} worker(s)")
        print(f"  end to end      {result['articles_per_second']:>8} articles/s "
              f"(target >= {result['target_per_second']:g})")
        print(f"  ingest+analyse  {result['ingest_per_second']:>8} articles/s")
        print(f"  brief           {result['brief_per_second']:>8} briefs/s")
        if emb := result["embedding"]:
            print(f"  embed           {emb['per_second']:>8} articles/s ({emb['model']}: "
                  f"{emb['embedded']} embedded, {emb['reused']} reused)")
        print(f"  cpu             {result['cpu_seconds']} s busy on {result['cores']} cores "
              f"(steal {result['steal_seconds']} s): "
              f"{result['articles_per_second_cpu_bound']} articles/s if every core were busy")
        print(f"  own cpu         {result['own_cpu_seconds']} s in this run's processes: "
              f"{result['articles_per_second_own_cpu_bound']} articles/s if they had every "
              f"core to themselves")
        print(f"  outcomes        {result['statuses']}")
    return 0 if result["articles_per_second"] >= result["target_per_second"] else 1


if __name__ == "__main__":
    sys.exit(main())
