"""Budget Optimizer recommendations in Python, the path equivalent to BudgetOptimizer.recommend:
for each record, LightGBM predictions of the return and the two quantile models over the record's
spend grid (the same grid matrix the TypeScript side builds), a weighted Hill fit
y = M s^n / (K^n + s^n) of each trace with scipy.optimize.curve_fit (Levenberg-Marquardt on
M, n, log K, the same form and weights), the optimum (largest spend with slope >= 1 on a fine
grid) and SHAP contributions at the optimum.

argv: dir reps   (dir holds model.txt, model_lower.txt, model_upper.txt, X.f64, spend.f64, weights.f64, meta.json)
stdout: {"single_ms": [per-record ms, ...], "many_s": [seconds per batch, ...]}
"""
import json
import os
import sys
import time
import warnings

import lightgbm as lgb
import numpy as np
from scipy.optimize import curve_fit

warnings.filterwarnings("ignore")


def hill(s, m, n, log_k):
    return m / (1.0 + np.exp(-n * (np.log(s) - log_k)))


def fit(spend, y, w):
    lo, hi = np.log(spend[0]) - np.log(4), np.log(spend[-1]) + np.log(4)
    p0 = [max(float(y.max()), 1e-9), 1.0, (lo + hi) / 2]
    try:
        p, _ = curve_fit(hill, spend, y, p0=p0, sigma=1.0 / np.sqrt(w), method="lm", maxfev=2000)
    except RuntimeError:
        p = p0
    return p


def optimum(spend, p):
    s = np.linspace(spend[0], spend[-1], 401)
    m, n, log_k = p
    r = np.exp(n * (np.log(s) - log_k))
    slope = m * n * r / (s * (1 + r) ** 2)
    ok = np.nonzero(slope >= 1)[0]
    return s[ok[-1]] if len(ok) else s[0]


def main():
    d, reps = sys.argv[1], int(sys.argv[2])
    meta = json.load(open(os.path.join(d, "meta.json")))
    n, points, cols, spend_col, eff_col = meta["records"], meta["points"], meta["cols"], meta["spend_col"], meta["effective_col"]
    X = np.fromfile(os.path.join(d, "X.f64")).reshape(n * points, cols)
    spend = np.fromfile(os.path.join(d, "spend.f64")).reshape(n, points)
    weights = np.fromfile(os.path.join(d, "weights.f64")).reshape(n, points)
    decay = np.array(meta["decays"])
    boosters = [lgb.Booster(model_file=os.path.join(d, f)) for f in ("model.txt", "model_lower.txt", "model_upper.txt")]
    params = {"num_threads": 1}

    def recommend(rows, first):
        preds = [b.predict(X[rows], num_threads=1) for b in boosters]
        contrib_rows = []
        for r in range(len(rows) // points):
            at = slice(r * points, (r + 1) * points)
            curves = [fit(spend[first + r], p[at], weights[first + r]) for p in preds]
            best = optimum(spend[first + r], curves[0])
            row = X[rows[r * points]].copy()
            row[spend_col] = best
            if eff_col >= 0:
                row[eff_col] = best / (1 - decay[first + r])
            contrib_rows.append(row)
        return boosters[0].predict(np.array(contrib_rows), pred_contrib=True, num_threads=1)

    single, many = [], []
    for _ in range(reps):
        t0 = time.perf_counter()
        recommend(np.arange(n * points), 0)
        many.append(time.perf_counter() - t0)
        for r in range(min(n, 200)):
            t0 = time.perf_counter()
            recommend(np.arange(r * points, (r + 1) * points), r)
            single.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({"single_ms": single, "many_s": many}))


if __name__ == "__main__":  # score_budget.py imports hill/fit/optimum
    main()
