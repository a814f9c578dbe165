"""Anomaly detectors in Python (scikit-learn), one timed repetition per call, the same work as
benchmarks/anomaly.bench.ts: IsolationForest fit + score_samples on all rows, or
LocalOutlierFactor(novelty=True) fit on the first `lof_train_rows` rows + score_samples on all rows.
Reading the data and importing scikit-learn are not timed.

argv: X.f64 rows cols model(if|lof) n_jobs lof_train_rows
stdout: {"fit_s": seconds, "score_s": seconds}
"""
import json
import sys
import time

import numpy as np
from sklearn.ensemble import IsolationForest
from sklearn.neighbors import LocalOutlierFactor


def main():
    path, rows, cols, model, n_jobs, lof_train_rows = sys.argv[1:7]
    X = np.fromfile(path, dtype=np.float64).reshape(int(rows), int(cols))
    n_jobs = int(n_jobs)
    if model == "if":
        estimator, train = IsolationForest(n_estimators=100, random_state=0, n_jobs=n_jobs), X
    else:
        estimator, train = LocalOutlierFactor(n_neighbors=20, novelty=True, n_jobs=n_jobs), X[: int(lof_train_rows)]
    t0 = time.perf_counter()
    estimator.fit(train)
    t1 = time.perf_counter()
    estimator.score_samples(X)
    t2 = time.perf_counter()
    json.dump({"fit_s": t1 - t0, "score_s": t2 - t1}, sys.stdout)


if __name__ == "__main__":
    main()
