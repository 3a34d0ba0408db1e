#!/usr/bin/env python3
"""Side-by-side fit benchmark: leadsim against the tools analysts use today.

Two data shapes, generated here (seeded, with a known logistic truth, so every tool has one
well-defined optimum):

  dense  1,000,000 leads x 20 numeric features (10 continuous, 5 counts, 5 0/1 flags).
  wide     500,000 leads: 8 numeric, 4 yes/no, 5 categoricals with 25, 60, 126, 200 and 320
         levels: 8 + 4 + 726 = 738 coefficients besides the intercept (issue 12's CRM design).

Tools, each in its own child process so that each pays for its imports and CSV read as a user
would, all fitting the unpenalised maximum-likelihood model:

  leadsim   target/release/leadsim train --holdout 0 (Newton/IRLS); its --json gives the fit
            time, the load time and the log likelihood. On the wide shape --min-level-count 1,
            so that no level folds into (other).
  glum      GeneralizedLinearRegressor(family="binomial", alpha=0, gradient_tol=1e-8), with
            both of its solvers for an L1-free problem, irls-ls and irls-cd (each reported; the
            faster is its fastest configuration): dense shape from a Fortran-ordered numpy
            array; wide shape from a pandas DataFrame whose categoricals have the pandas
            Categorical dtype, which glum turns into a tabmat CategoricalMatrix (no one-hot
            expansion), drop_first=True with the reference level ordered first. glum's fit
            time includes that conversion, which happens inside fit().
  sklearn   LogisticRegression(C=inf) with solver="newton-cholesky" and solver="lbfgs"; the
            wide shape as a scipy.sparse one-hot design (reference level dropped).
  statsmodels Logit(...).fit() (Newton), dense shape only: it has no sparse or categorical
            path, and the wide design as a dense float64 matrix is 500,000 x 739 x 8 B = 2.96 GB
            before statsmodels' own copies, so it is not run there.

The designs correspond column for column: numbers as they are in the CSV (written with 6
decimals, read back by every tool), yes/no as 1/0, each categorical one-hot with the most
frequent level as the reference (ties: the lexically smallest), exactly as leadsim's encoder
chooses it. leadsim standardises its columns and the others do not; that changes the
coefficients' scale, not the optimum, so the log likelihoods are directly comparable (the
relative difference to leadsim's is printed).

Each child is timed from the parent (whole process: start-up, imports, CSV read, encoding, fit,
evaluation) and its peak resident memory is its ru_maxrss from wait4(). scikit-learn and glum
are each run with 1 thread and with the default thread count; the faster whole process is
reported (with the thread setting).

Set up once (from the repository root):
    python3 -m venv .venv-bench && .venv-bench/bin/pip install -r benches/requirements.txt
    cargo build --release
Run:
    .venv-bench/bin/python benches/compare_fit.py                     # both shapes, full size
    .venv-bench/bin/python benches/compare_fit.py --rows 50000        # quick run, both shapes
    .venv-bench/bin/python benches/compare_fit.py --shape wide --data-dir /tmp/bench --json r.json
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = "converted"

WIDE_NUMERIC = ["engagement_score", "fit_score", "recency_score", "intent_score",
                "log_revenue", "log_employees", "page_views", "email_opens"]
WIDE_YES_NO = ["visited_pricing", "requested_demo", "webinar_attended", "is_existing_customer"]
WIDE_CATEGORICAL = {"lead_source": ("src", 25), "country": ("ctry", 60),
                    "industry": ("ind", 126), "campaign": ("cmp", 200),
                    "job_title": ("job", 320)}

# One peer per process. Prints one JSON line: load_seconds (CSV read + encoding), fit_seconds,
# log_likelihood, converged, iterations.
PEER = r'''
import json, sys, time
t0 = time.perf_counter()
import numpy as np, pandas as pd
tool, path, shape = sys.argv[1], sys.argv[2], sys.argv[3]
spec = json.loads(sys.argv[4])
TARGET = "converted"

def reference_first(col):
    # leadsim's reference: the most frequent level, ties broken by the lexically smallest.
    counts = col.value_counts(sort=False)
    top = counts.max()
    ref = min(str(l) for l, c in counts.items() if c == top)
    rest = sorted(str(l) for l in counts.index if str(l) != ref)
    return col.cat.reorder_categories([ref] + rest)

if shape == "dense":
    df = pd.read_csv(path)
    y = df.pop(TARGET).to_numpy(dtype=float)
    X = df.to_numpy(dtype=float)
else:
    cats = spec["categorical"]
    df = pd.read_csv(path, dtype={c: "category" for c in cats})
    y = df.pop(TARGET).to_numpy(dtype=float)
    for c in spec["yes_no"]:
        df[c] = (df[c] == "yes").astype(float)
    for c in cats:
        df[c] = reference_first(df[c])
    if not tool.startswith("glum"):
        import scipy.sparse as sp
        dense = df[spec["numeric"] + spec["yes_no"]].to_numpy(dtype=float)
        blocks = [sp.csr_matrix(dense)]
        n = len(df)
        for c in cats:
            codes = df[c].cat.codes.to_numpy()
            keep = codes > 0  # code 0 is the reference level
            k = len(df[c].cat.categories) - 1
            blocks.append(sp.csr_matrix((np.ones(keep.sum()), (np.flatnonzero(keep),
                                         codes[keep] - 1)), shape=(n, k)))
        X = sp.hstack(blocks, format="csr")
t1 = time.perf_counter()
iterations = None
if tool == "statsmodels":
    import statsmodels.api as sm
    Xc = sm.add_constant(X)
    t1 = time.perf_counter()
    res = sm.Logit(y, Xc).fit(disp=0, maxiter=100)
    eta = Xc @ res.params
    converged = bool(res.mle_retvals["converged"])
    iterations = int(res.mle_retvals["iterations"])
elif tool.startswith("glum"):
    from glum import GeneralizedLinearRegressor
    Xg = df if shape == "wide" else np.asfortranarray(X)
    t1 = time.perf_counter()
    m = GeneralizedLinearRegressor(family="binomial", alpha=0, drop_first=True,
                                   fit_intercept=True, scale_predictors=False,
                                   solver=tool.split(":")[1], gradient_tol=1e-8,
                                   max_iter=100).fit(Xg, y)
    eta = m.linear_predictor(Xg)
    iterations = int(m.n_iter_)
    converged = iterations < 100
else:
    from sklearn.linear_model import LogisticRegression
    solver = tool.split(":")[1]
    max_iter = 100 if solver == "newton-cholesky" else 10000
    t1 = time.perf_counter()
    m = LogisticRegression(C=np.inf, solver=solver, tol=1e-10, max_iter=max_iter).fit(X, y)
    eta = X @ m.coef_[0] + m.intercept_[0]
    iterations = int(m.n_iter_[0])
    converged = iterations < max_iter
t2 = time.perf_counter()
ll = float(np.sum(y * eta - np.logaddexp(0.0, eta)))
print(json.dumps({"fit_seconds": t2 - t1, "load_seconds": t1 - t0, "log_likelihood": ll,
                  "converged": converged, "iterations": iterations}))
'''


def make_dense(path: Path, rows: int, seed: int) -> None:
    """rows x 20 features that look like lead signals: 10 continuous (engagement scores,
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
    df[TARGET] = y
    df.to_csv(path, index=False, float_format="%.6f")


def make_wide(path: Path, rows: int, seed: int) -> dict:
    """The wide CRM design of issue 12 with a known logistic truth.

    Level k of a categorical with L levels has probability proportional to 1/sqrt(k + 1): a
    long tail, yet the rarest of 320 levels still has 0.16% of the rows (800 of 500,000; 80 of
    50,000, with about 15 conversions), so no level is rare enough to fold or to separate the
    outcome (checked: a level whose rows all have one outcome is an error asking for more rows). Level effects are N(0, 0.4^2) (level 0, the most frequent and so leadsim's
    reference, has effect 0); numbers and flags have fixed effects. Returns the truth."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    cols, eta = {}, np.full(rows, -1.9)
    num = np.column_stack([
        rng.standard_normal(rows), rng.standard_normal(rows), rng.standard_normal(rows),
        rng.standard_normal(rows), rng.normal(15, 1.5, rows), rng.normal(4, 1.2, rows),
        rng.poisson(6, rows).astype(float), rng.poisson(3, rows).astype(float)])
    num_beta = np.array([0.45, 0.3, -0.25, 0.35, 0.08, -0.1, 0.04, 0.06])
    num[:, :6] = np.round(num[:, :6], 6)  # what the CSV holds, so the truth is exact
    eta += (num - num.mean(axis=0)) @ num_beta
    for j, c in enumerate(WIDE_NUMERIC):
        cols[c] = num[:, j]
    flags = rng.random((rows, 4)) < [0.1, 0.25, 0.4, 0.6]
    flag_beta = np.array([0.9, 0.6, 0.3, -0.4])
    eta += flags @ flag_beta
    for j, c in enumerate(WIDE_YES_NO):
        cols[c] = np.where(flags[:, j], "yes", "no")
    truth = {"intercept_shift": -1.9, "numeric": dict(zip(WIDE_NUMERIC, num_beta.tolist())),
             "yes_no": dict(zip(WIDE_YES_NO, flag_beta.tolist())), "categorical": {}}
    for c, (prefix, levels) in WIDE_CATEGORICAL.items():
        p = 1 / np.sqrt(np.arange(levels) + 1.0)
        codes = rng.choice(levels, size=rows, p=p / p.sum())
        effects = rng.normal(0, 0.4, levels)
        effects[0] = 0.0
        eta += effects[codes]
        names = np.array([f"{prefix}_{k:03d}" for k in range(levels)])
        cols[c] = names[codes]
        truth["categorical"][c] = {"levels": levels, "effect_sd": 0.4}
    y = (rng.random(rows) < 1 / (1 + np.exp(-eta))).astype(int)
    for c in WIDE_CATEGORICAL:
        pos = pd.Series(y).groupby(cols[c]).agg(["sum", "count"])
        one_class = pos[(pos["sum"] == 0) | (pos["sum"] == pos["count"])]
        if len(one_class):
            sys.exit(f"wide shape: {rows} rows leave level {one_class.index[0]} of {c} with one "
                     "outcome only (separation, no finite optimum); use more rows or another seed")
    order = WIDE_NUMERIC[:4] + WIDE_YES_NO[:2] + list(WIDE_CATEGORICAL)[:3] + WIDE_NUMERIC[4:] \
        + WIDE_YES_NO[2:] + list(WIDE_CATEGORICAL)[3:]
    df = pd.DataFrame({c: cols[c] for c in order})
    for c in ("page_views", "email_opens"):
        df[c] = df[c].astype(int)
    df[TARGET] = y
    df.to_csv(path, index=False, float_format="%.6f")
    truth["base_rate"] = float(y.mean())
    return truth


def run(cmd, env=None):
    """Runs cmd; returns (wall seconds, peak RSS in MB, stdout). Peak memory is the child's
    ru_maxrss (KiB on Linux) from wait4, so it covers exactly that process."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            sys.exit(f"{cmd[0]} {cmd[1] if len(cmd) > 1 else ''} failed:\n{err.read()[-4000:]}")
        return wall, usage.ru_maxrss / 1024, out.read()


def thread_env(threads):
    env = dict(os.environ)
    if threads:
        for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                  "NUMBA_NUM_THREADS"):
            env[k] = threads
    return env


def bench_shape(shape, rows, seed, leadsim, data_dir):
    name = f"leads-{shape}-{rows}-{seed}.csv"
    path = Path(data_dir) / name
    truth = None
    if not path.exists():
        t = time.perf_counter()
        truth = make_dense(path, rows, seed) if shape == "dense" else \
            make_wide(path, rows, seed)
        print(f"[{shape}] generated {path} ({path.stat().st_size / 1e6:.0f} MB) in "
              f"{time.perf_counter() - t:.1f} s", file=sys.stderr)
    spec = json.dumps({"numeric": WIDE_NUMERIC, "yes_no": WIDE_YES_NO,
                       "categorical": list(WIDE_CATEGORICAL)})
    results = {}

    with tempfile.TemporaryDirectory() as tmp:
        cmd = [leadsim, "train", "--data", str(path), "--target", TARGET, "--holdout", "0",
               "--out", str(Path(tmp) / "m.json"), "--json", "--quiet"]
        if shape == "wide":
            cmd += ["--min-level-count", "1"]
        print(f"[{shape}] leadsim", file=sys.stderr)
        wall, rss, out = run(cmd)
        fit = json.loads(out)["fit"]
        results["leadsim (newton)"] = {
            "fit_seconds": fit["fit_seconds"], "load_seconds": fit["load_seconds"],
            "wall_seconds": wall, "peak_rss_mb": rss, "log_likelihood": fit["log_likelihood"],
            "converged": fit["converged"], "iterations": fit.get("iterations"),
            "threads": "default"}

    tools = ["glum:irls-ls", "glum:irls-cd", "sklearn:newton-cholesky", "sklearn:lbfgs"]
    if shape == "dense":
        tools.append("statsmodels")
    for tool in tools:
        best = None
        for threads in ([None] if tool == "statsmodels" else ["1", None]):
            print(f"[{shape}] {tool} threads={threads or 'default'}", file=sys.stderr)
            wall, rss, out = run([sys.executable, "-c", PEER, tool, str(path), shape, spec],
                                 env=thread_env(threads))
            r = json.loads(out)
            r.update(wall_seconds=wall, peak_rss_mb=rss, threads=threads or "default")
            if best is None or r["wall_seconds"] < best["wall_seconds"]:
                best = r
        results[tool] = best
    if shape == "wide":
        results["statsmodels"] = {"skipped": "dense only: no sparse/categorical Logit, and the "
                                             "dense wide design alone is n x 739 x 8 bytes"}
    return {"rows": rows, "file": str(path), "file_mb": path.stat().st_size / 1e6,
            "truth": truth, "results": results}


def report(shape, block):
    res = block["results"]
    ref = res["leadsim (newton)"]
    desc = "20 numeric features" if shape == "dense" else \
        "8 numeric, 4 yes/no, 5 categoricals (25-320 levels), 738 coefficients"
    print(f"\n{shape}: {block['rows']:,} rows, {desc}; CSV {block['file_mb']:.0f} MB")
    print(f"{'tool':<26}{'threads':>8}{'fit s':>8}{'load s':>8}{'whole s':>9}{'peak MB':>9}"
          f"{'iter':>6}{'log likelihood':>22}{'rel. diff':>11}  converged")
    for name, r in res.items():
        if "skipped" in r:
            print(f"{name:<26}  not run: {r['skipped']}")
            continue
        rel = abs(r["log_likelihood"] - ref["log_likelihood"]) / abs(ref["log_likelihood"])
        it = "" if r.get("iterations") is None else str(r["iterations"])
        print(f"{name:<26}{r['threads']:>8}{r['fit_seconds']:>8.2f}{r['load_seconds']:>8.2f}"
              f"{r['wall_seconds']:>9.2f}{r['peak_rss_mb']:>9.0f}{it:>6}"
              f"{r['log_likelihood']:>22.9f}{rel:>11.1e}  {r['converged']}")
    peers = {k: v for k, v in res.items() if k != "leadsim (newton)" and "skipped" not in v}
    fastest = min(peers, key=lambda k: peers[k]["wall_seconds"])
    f = peers[fastest]
    print(f"whole process: leadsim {ref['wall_seconds']:.2f} s, {ref['peak_rss_mb']:.0f} MB; "
          f"fastest peer {fastest} {f['wall_seconds']:.2f} s, {f['peak_rss_mb']:.0f} MB: leadsim "
          f"takes {ref['wall_seconds'] / f['wall_seconds']:.2f}x its time and "
          f"{ref['peak_rss_mb'] / f['peak_rss_mb']:.2f}x its memory")


def environment():
    import importlib.metadata as md

    import numpy  # noqa: F401  (loads the BLAS that threadpoolctl reports)
    versions = {}
    for pkg in ("numpy", "pandas", "scipy", "scikit-learn", "statsmodels", "glum", "tabmat"):
        try:
            versions[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            versions[pkg] = None
    try:
        import threadpoolctl
        blas = [{k: i.get(k) for k in ("internal_api", "architecture", "num_threads", "version")}
                for i in threadpoolctl.threadpool_info()]
    except ImportError:
        blas = None
    return {"python": platform.python_version(), "cores": os.cpu_count(), "versions": versions,
            "blas": blas, "platform": platform.platform()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--rows", type=int, help="rows of every shape (default: dense 1,000,000, "
                                             "wide 500,000)")
    ap.add_argument("--shape", choices=["dense", "wide", "both"], default="both")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--leadsim", default=str(ROOT / "target/release/leadsim"))
    ap.add_argument("--data-dir", help="write the generated CSVs here and reuse them "
                                       "(default: a temporary directory)")
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args()

    env = environment()
    print(f"{env['cores']} cores; Python {env['python']}; {env['versions']}; BLAS {env['blas']}")
    shapes = ["dense", "wide"] if args.shape == "both" else [args.shape]
    default_rows = {"dense": 1_000_000, "wide": 500_000}
    out = {"environment": env, "seed": args.seed, "shapes": {}}
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir or tmp
        Path(data_dir).mkdir(parents=True, exist_ok=True)
        for shape in shapes:
            block = bench_shape(shape, args.rows or default_rows[shape], args.seed, args.leadsim,
                                data_dir)
            out["shapes"][shape] = block
            report(shape, block)
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
