#!/usr/bin/env python3
"""Side-by-side fit benchmark: leadsim against the tools analysts use today.

Fits the same 1,000,000 x 20 synthetic lead file with
  * leadsim train (Newton/IRLS, the default solver),
  * statsmodels Logit (Newton, its default),
  * scikit-learn LogisticRegression, solver="lbfgs" and solver="newton-cholesky",
    unpenalised, each run with OMP_NUM_THREADS=1 and with default threads (the faster is kept),
each as its own process, in one run, and prints fit time, whole-process time (CSV load
included), the log likelihood reached and the ratios.

Set up once (from the repository root):
    python3 -m venv .venv-bench && .venv-bench/bin/pip install -r benches/requirements.txt
    cargo build --release
Run:
    .venv-bench/bin/python benches/compare_fit.py            # 1M rows x 20 features
    .venv-bench/bin/python benches/compare_fit.py --rows 100000
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# One peer per process, so that each pays for its own imports and CSV load, as a user would.
PEER = r'''
import json, sys, time
t0 = time.perf_counter()
import numpy as np, pandas as pd
tool, path = sys.argv[1], sys.argv[2]
df = pd.read_csv(path)
y = df.pop("converted").to_numpy(dtype=float)
X = df.to_numpy(dtype=float)
t1 = time.perf_counter()
if tool == "statsmodels":
    import statsmodels.api as sm
    Xc = sm.add_constant(X)
    t1 = time.perf_counter()
    res = sm.Logit(y, Xc).fit(disp=0)
    eta = Xc @ res.params
    converged = bool(res.mle_retvals["converged"])
else:
    from sklearn.linear_model import LogisticRegression
    solver = tool.split(":")[1]
    t1 = time.perf_counter()
    m = LogisticRegression(penalty=None, solver=solver, max_iter=1000).fit(X, y)
    eta = X @ m.coef_[0] + m.intercept_[0]
    converged = int(m.n_iter_[0]) < 1000
t2 = time.perf_counter()
ll = float(np.sum(y * eta - np.logaddexp(0.0, eta)))
print(json.dumps({"fit_seconds": t2 - t1, "load_seconds": t1 - t0, "log_likelihood": ll,
                  "converged": converged}))
'''


def make_data(path: Path, rows: int, seed: int) -> None:
    """Writes rows x 20 features that look like lead signals: 10 continuous (engagement scores,
    recency), 5 counts (page views, clicks), 5 yes/no flags coded 0/1, and the outcome."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    cont = rng.standard_normal((rows, 10))
    counts = rng.poisson(lam=[1, 2, 3, 5, 8], size=(rows, 5)).astype(float)
    flags = (rng.random((rows, 5)) < [0.1, 0.2, 0.3, 0.4, 0.5]).astype(float)
    X = np.hstack([cont, counts, flags])
    beta = np.concatenate([np.linspace(-0.5, 0.5, 10), [0.1, 0.05, -0.05, 0.08, 0.02],
                           [1.2, 0.6, -0.4, 0.3, 0.2]])
    eta = -2.0 + X @ beta
    y = (rng.random(rows) < 1 / (1 + np.exp(-eta))).astype(int)
    cols = [f"signal_{i:02d}" for i in range(1, 11)] + [f"count_{i}" for i in range(1, 6)] \
        + [f"flag_{i}" for i in range(1, 6)]
    df = pd.DataFrame(X, columns=cols)
    for c in cols[10:]:
        df[c] = df[c].astype(int)
    df["converted"] = y
    df.to_csv(path, index=False, float_format="%.6f")


def run(cmd, env=None):
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    if out.returncode != 0:
        sys.exit(f"{cmd[0]} failed:\n{out.stderr}")
    return wall, out.stdout


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--leadsim", default=str(ROOT / "target/release/leadsim"))
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "leads.csv"
        make_data(data, args.rows, args.seed)
        results = {}

        wall, out = run([args.leadsim, "train", "--data", str(data), "--target", "converted",
                         "--holdout", "0", "--out", str(Path(tmp) / "m.json"), "--json",
                         "--quiet"])
        fit = json.loads(out)["fit"]
        results["leadsim (newton)"] = {"fit_seconds": fit["fit_seconds"],
                                       "load_seconds": fit["load_seconds"], "wall_seconds": wall,
                                       "log_likelihood": fit["log_likelihood"],
                                       "converged": fit["converged"]}

        for tool in ["statsmodels", "sklearn:newton-cholesky", "sklearn:lbfgs"]:
            best = None
            for threads in (["1", None] if tool.startswith("sklearn") else [None]):
                env = dict(os.environ)
                if threads:
                    env["OMP_NUM_THREADS"] = threads
                    env["OPENBLAS_NUM_THREADS"] = threads
                    env["MKL_NUM_THREADS"] = threads
                wall, out = run([sys.executable, "-c", PEER, tool, str(data)], env=env)
                r = json.loads(out)
                r["wall_seconds"] = wall
                r["threads"] = threads or "default"
                if best is None or r["fit_seconds"] < best["fit_seconds"]:
                    best = r
            results[tool] = best

    ref = results["leadsim (newton)"]
    print(f"{args.rows:,} rows x 20 features, one run, {os.cpu_count()} cores\n")
    print(f"{'tool':<26}{'fit s':>8}{'whole s':>9}{'fit / leadsim':>15}{'log likelihood':>20}"
          f"{'rel. diff':>11}")
    for name, r in results.items():
        rel = abs(r["log_likelihood"] - ref["log_likelihood"]) / abs(ref["log_likelihood"])
        print(f"{name:<26}{r['fit_seconds']:>8.2f}{r['wall_seconds']:>9.2f}"
              f"{r['fit_seconds'] / ref['fit_seconds']:>15.1f}{r['log_likelihood']:>20.6f}"
              f"{rel:>11.1e}")
    peers = {k: v for k, v in results.items() if k != "leadsim (newton)"}
    fastest = min(peers, key=lambda k: peers[k]["fit_seconds"])
    sm = results["statsmodels"]
    print(f"\nfit: leadsim {ref['fit_seconds']:.2f} s vs fastest peer ({fastest}) "
          f"{peers[fastest]['fit_seconds']:.2f} s: "
          f"{peers[fastest]['fit_seconds'] / ref['fit_seconds']:.1f}x faster")
    print(f"whole process: leadsim {ref['wall_seconds']:.2f} s vs statsmodels "
          f"{sm['wall_seconds']:.2f} s: {ref['wall_seconds'] / sm['wall_seconds']:.2f} of it")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
