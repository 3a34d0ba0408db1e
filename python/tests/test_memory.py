"""1,000 small simulations in a loop do not leak: resident memory after them is what it was
before (python/README.md quotes the figure this test prints).

The loop runs in a fresh interpreter: inside the test session, what earlier tests allocated
and freed moves resident memory by more than a leak would (+-15 MB measured), while a fresh
process shows what the loop itself does.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SCENARIOS

CALLS = 1000

LOOP = """
import json, sys, warnings
from pathlib import Path
import leadsim
try:
    import tomllib
except ImportError:
    import tomli as tomllib

def resident_kib():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])

# handover.toml's baseline alone, with 20 leads a day for 10 days.
with open(sys.argv[1], "rb") as f:
    sc = tomllib.load(f)
sc["arrivals"].update(rate_per_day=20, arrival_days=10, warmup_days=2)
sc["scenario"] = sc["scenario"][:1]

def one():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", leadsim.LeadsimWarning)
        r = leadsim.simulate(sc, replications=10)
    # Every conversion the results make is part of the loop.
    assert len(r.summary) > 0 and len(r.replications) == 10
    r.ranking, r.to_dict(), r.table()

# Warm up: imports (pandas, numpy), the thread pool, allocator arenas.
for _ in range(50):
    one()
before = resident_kib()
for _ in range(int(sys.argv[2])):
    one()
print(json.dumps({"before": before, "after": resident_kib()}))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
def test_a_thousand_simulations_do_not_leak():
    run = subprocess.run(
        [sys.executable, "-c", LOOP, str(SCENARIOS / "handover.toml"), str(CALLS)],
        capture_output=True, text=True, check=True,
    )
    rss = json.loads(run.stdout.splitlines()[-1])
    growth = rss["after"] - rss["before"]
    print(
        f"\nresident memory: {rss['before']} KiB before {CALLS} calls, {rss['after']} KiB after "
        f"({growth:+d} KiB)"
    )
    # A leak of a single results object (a few KiB) per call would add megabytes.
    assert growth < 2048, growth
