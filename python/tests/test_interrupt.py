"""Good citizenship: the GIL is released while Rust works, and Ctrl-C (SIGINT) raises
KeyboardInterrupt at once; a simulation then stops within one (scenario, replication) unit per
thread, and training before its next stage or fit, instead of running to their end."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

import leadsim

from conftest import SCENARIOS

# About 540,000 leads per replication, one scenario: one unit takes a second or two.
BENCH = SCENARIOS / "bench.toml"

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs /proc")


def workers() -> int:
    """Live threads named `leadsim`: the bindings' worker thread and the threads of a pool it
    starts (`threads=N`), which inherit its name; the shared pool's are `leadsim-pool-N`."""
    count = 0
    for task in os.listdir("/proc/self/task"):
        try:
            if Path(f"/proc/self/task/{task}/comm").read_text().strip() == "leadsim":
                count += 1
        except OSError:  # the thread ended meanwhile (ENOENT or ESRCH)
            pass
    return count


def wait_for_workers(deadline: float) -> float:
    """Seconds until no worker is left (or the deadline passes)."""
    start = time.monotonic()
    while workers() and time.monotonic() - start < deadline:
        time.sleep(0.02)
    return time.monotonic() - start


def interrupt_after(seconds: float) -> threading.Timer:
    timer = threading.Timer(seconds, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    return timer


def test_ctrl_c_stops_a_long_simulation():
    start = time.monotonic()
    leadsim.simulate(BENCH, replications=1, threads=1)
    unit = time.monotonic() - start
    # 40 units on 2 threads would take about 20 units' time; the interrupt comes after 1 s.
    start = time.monotonic()
    interrupt_after(1.0)
    with pytest.raises(KeyboardInterrupt):
        leadsim.simulate(BENCH, replications=40, threads=2)
    raised = time.monotonic() - start
    # The waiting thread looks at signals every 50 ms.
    assert 1.0 <= raised < 1.5, raised
    # Each of the 2 threads finishes the unit it is in, then the worker ends: well before the
    # 20 units' time an uncancelled run needs (3 units allow for a loaded machine).
    stopped = raised + wait_for_workers(deadline=30 * unit)
    assert workers() == 0
    assert stopped < 1.0 + 3 * unit, (stopped, unit)
    # The package is usable at once.
    assert leadsim.simulate(SCENARIOS / "handover.toml", replications=2).n_replications == 2


def test_ctrl_c_stops_training_within_one_fit():
    frame, _ = leadsim.generate(leads=100_000, seed=1)
    start = time.monotonic()
    leadsim.train(frame, exclude="deal_value")
    # One whole training: reading the frame, encoding, one fit, evaluating.
    once = time.monotonic() - start
    start = time.monotonic()
    interrupt_after(0.5)
    with pytest.raises(KeyboardInterrupt):
        # Seven alphas times three folds, then the final fit: over twenty fits.
        leadsim.train(frame, exclude="deal_value", cv=3)
    raised = time.monotonic() - start
    assert raised < 1.0, raised
    # The worker stops before its next fit: within one fit of the interrupt, far sooner than
    # the twenty fits left (a training's time allows for the fit in progress on a loaded machine).
    stopped = raised + wait_for_workers(deadline=120)
    assert workers() == 0
    assert stopped < 0.5 + 2 * once, (stopped, once)
    # The package is usable at once.
    assert leadsim.train(frame, exclude="deal_value", holdout=0.5).metrics["roc_auc"] > 0.5


def test_the_gil_is_released_while_rust_works():
    ticks = 0
    running = True

    def count():
        nonlocal ticks
        while running:
            ticks += 1
            time.sleep(0.001)

    counter = threading.Thread(target=count)
    counter.start()
    try:
        start = time.monotonic()
        leadsim.simulate(BENCH, replications=1, threads=1)
        elapsed = time.monotonic() - start
        during = ticks
    finally:
        running = False
        counter.join()
    # With the GIL held for the whole call the counter could not have run at all; released,
    # it ticks about once a millisecond (a quarter of that is plenty on a loaded machine).
    assert during > 250 * elapsed, (during, elapsed)
