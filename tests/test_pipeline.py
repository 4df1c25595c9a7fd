"""The parallel half of ingest: worker processes for the pure stages."""

import gc
import os

from newsdesk.pipeline import WORKER_NICENESS, pool


def _state() -> tuple[int, int]:
    return os.nice(0), gc.get_threshold()[0]


def test_workers_yield_the_cpu_to_the_single_writer_and_collect_cycles_rarely() -> None:
    """The writer (this process) is the critical path of a parallel ingest: workers run
    a few steps nicer, so it gets the CPU whenever it has work."""
    mine = os.nice(0)
    with pool(2) as executor:
        niceness, threshold = executor.submit(_state).result(timeout=60)
    assert niceness == min(19, mine + WORKER_NICENESS)
    assert threshold == 50_000
    assert os.nice(0) == mine  # the parent keeps its priority
