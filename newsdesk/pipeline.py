"""The pure, parallelisable half of ingest: read -> prepare -> analyse, per unit.

Everything here is a function of its inputs and of the shipped (or configured) taxonomy
and gazetteer, so it can run in worker processes while the main process does what must
stay single-writer: deduplication against the store and the writes themselves.

Workers start from a forkserver (never a fork of a process holding a database
connection) and load taxonomy and gazetteer once each.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from newsdesk.analyze.enrich import analyze
from newsdesk.analyze.places import Gazetteer, default_gazetteer
from newsdesk.analyze.topics import Taxonomy, cached_taxonomy
from newsdesk.errors import InputError
from newsdesk.ingest.prepare import prepare
from newsdesk.ingest.sources import Unit, read_unit
from newsdesk.models import RawDocument
from newsdesk.store.rows import ArticleRows, article_rows

# Below this many units a pool costs more to start than it saves.
PARALLEL_MIN_UNITS = 16


@dataclass(frozen=True)
class Processed:
    """One document of a unit after the pure stages, or the reason it failed."""

    origin: str
    rows: ArticleRows | None = None
    error: str | None = None
    payload: bytes | None = None


def process_unit(
    unit: Unit, max_bytes: int, taxonomies: tuple[Path, ...] = ()
) -> list[Processed]:
    """Read a unit and prepare + analyse each of its documents; errors become items."""
    taxonomy = cached_taxonomy(taxonomies)
    gazetteer = default_gazetteer()
    out: list[Processed] = []
    try:
        for item in read_unit(unit, max_bytes):
            if isinstance(item, InputError):
                out.append(Processed(unit.origin, error=str(item)))
                continue
            out.append(process_document(item, taxonomy, gazetteer))
    except InputError as exc:
        out.append(Processed(unit.origin, error=str(exc)))
    except Exception as exc:  # noqa: BLE001 - one bad input must not sink the batch
        out.append(Processed(unit.origin, error=_unexpected(unit.origin, exc)))
    return out


def process_document(item: RawDocument, taxonomy: Taxonomy, gazetteer: Gazetteer) -> Processed:
    """Prepare and analyse one document; any failure becomes a quarantine item."""
    try:
        article = prepare(item)
        return Processed(item.origin, article_rows(article, analyze(article, taxonomy,
                                                                    gazetteer)))
    except InputError as exc:
        return Processed(item.origin, error=str(exc), payload=item.text.encode("utf-8"))
    except Exception as exc:  # noqa: BLE001 - quarantined with the reason, batch goes on
        return Processed(item.origin, error=_unexpected(item.origin, exc),
                         payload=item.text.encode("utf-8"))


def _unexpected(origin: str, exc: BaseException) -> str:
    return (f"{origin}: could not be processed ({type(exc).__name__}: {exc}); this is a "
            "newsdesk bug, please report it with the quarantined item")


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def pool(workers: int) -> Executor:
    """A process pool whose workers never inherit the parent's open database."""
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if "forkserver" in methods:
        # Imported once in the server, so each worker starts with them: the desk (brief
        # workers) and datasketch (signatures; it imports scipy, half a second).
        ctx.set_forkserver_preload(["newsdesk.pipeline", "newsdesk.desk", "datasketch"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_start_worker)


# The single writer (dedupe, store, story assignment, in input order) is the critical
# path of a parallel ingest. With as many workers as cores, the writer got only its share
# of a core while they ran, fell behind, and finished its backlog alone on one core
# after them. Workers a few steps nicer leave the writer the CPU it needs whenever it
# has work and take the rest.
WORKER_NICENESS = 5


def _start_worker() -> None:
    tune_gc()
    with contextlib.suppress(OSError, AttributeError):  # no os.nice on Windows
        os.nice(WORKER_NICENESS)


def tune_gc() -> None:
    """Collect cycles less often in batch work.

    The analysis keeps large caches (word lookups, token sets, roles) that the cyclic
    collector would otherwise traverse again and again as they grow; the pipeline itself
    creates few reference cycles, so rarer collections cost memory only briefly."""
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)


def run_units(
    units: list[Unit],
    max_bytes: int,
    taxonomies: tuple[Path, ...],
    workers: int,
) -> Iterator[tuple[Unit, list[Processed]]]:
    """(unit, processed documents) in input order, in parallel when it pays."""
    if workers <= 1 or len(units) < PARALLEL_MIN_UNITS:
        for unit in units:
            yield unit, process_unit(unit, max_bytes, taxonomies)
        return
    with pool(workers) as executor:
        # Small tasks: results come back a task at a time, in order, and the writer can
        # store nothing of a task until all of it is done. With tasks of six 100-article
        # files, the last ones arrived together and the writer worked through them alone
        # on one core for about 8 s of a 120 s run. Chunks only batch many tiny units
        # (single-article files), where a task per unit would cost more in messages.
        chunk = max(1, min(16, len(units) // (workers * 64)))
        results = executor.map(
            _process_star, ((u, max_bytes, taxonomies) for u in units), chunksize=chunk
        )
        yield from zip(units, results, strict=True)


def _process_star(args: tuple[Unit, int, tuple[Path, ...]]) -> list[Processed]:
    return process_unit(*args)


def map_ordered(
    fn: Callable[..., object], items: Iterable[object], workers: int, chunksize: int = 8
) -> Iterator[object]:
    """`map` over a process pool (or inline for one worker), results in input order."""
    if workers <= 1:
        yield from map(fn, items)
        return
    with pool(workers) as executor:
        yield from executor.map(fn, items, chunksize=chunksize)
