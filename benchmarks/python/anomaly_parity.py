"""Anomaly parity: fits scikit-learn's IsolationForest (several seeds) and LocalOutlierFactor
(novelty=True) on the data set the TypeScript side wrote, reads the TypeScript scores, and reports
the comparison with scikit-learn's own metrics (roc_auc_score, scipy's spearmanr).

stdin: {"dir": d, "rows": n, "cols": m, "lof_train_rows": n_lof, "contamination": c,
        "seeds": [s0, s1, ...], "n_estimators": 100, "n_neighbors": 20}
d holds X.f64 (row-major float64), labels.u8 (1 = outlier), and the TypeScript side's
if_scores_<seed>.f64, if_predict_<seed>.i8 (one forest per seed, the same seeds), lof_scores.f64,
lof_predict.i8 plus ts.json {"if_offsets", "lof_offset"}. Forest figures compare medians over
seeds (TS seeds x scikit-learn seeds for the pairwise ones).
stdout: JSON of AUCs, Spearman correlations, offsets and predict agreement.
"""
import itertools
import json
import os
import sys

import numpy as np
from scipy.stats import spearmanr
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score
from sklearn.neighbors import LocalOutlierFactor


def read(path, dtype, shape=None):
    data = np.fromfile(path, dtype=dtype)
    return data.reshape(shape) if shape else data


def main():
    doc = json.load(sys.stdin)
    d = doc["dir"]
    X = read(os.path.join(d, "X.f64"), np.float64, (doc["rows"], doc["cols"]))
    labels = read(os.path.join(d, "labels.u8"), np.uint8)
    ts = json.load(open(os.path.join(d, "ts.json")))
    ts_forests = [
        (read(os.path.join(d, f"if_scores_{seed}.f64"), np.float64), read(os.path.join(d, f"if_predict_{seed}.i8"), np.int8))
        for seed in doc["seeds"]
    ]
    ts_lof = read(os.path.join(d, "lof_scores.f64"), np.float64)
    ts_lof_predict = read(os.path.join(d, "lof_predict.i8"), np.int8)
    c = doc["contamination"]

    # Outlier = positive class; scores are "lower is more abnormal", so rank by minus the score.
    def auc(scores):
        return float(roc_auc_score(labels, -scores))

    forests = []
    for seed in doc["seeds"]:
        model = IsolationForest(n_estimators=doc["n_estimators"], contamination=c, random_state=seed).fit(X)
        forests.append((model.score_samples(X), model.offset_, model.predict(X)))
    sk_between = [spearmanr(a[0], b[0]).statistic for a, b in itertools.combinations(forests, 2)]
    ours_vs = [spearmanr(t[0], f[0]).statistic for t in ts_forests for f in forests]
    sk_predict_between = [float(np.mean(a[2] == b[2])) for a, b in itertools.combinations(forests, 2)]

    lof = LocalOutlierFactor(n_neighbors=doc["n_neighbors"], contamination=c, novelty=True).fit(X[: doc["lof_train_rows"]])
    lof_scores = lof.score_samples(X)
    lof_predict = lof.predict(X)

    out = {
        "sklearn_version": __import__("sklearn").__version__,
        "isolation_forest": {
            "auc_ts": float(np.median([auc(t[0]) for t in ts_forests])),
            "auc_ts_seeds": [auc(t[0]) for t in ts_forests],
            "auc_sklearn": [auc(f[0]) for f in forests],
            "spearman_ts_vs_sklearn_median": float(np.median(ours_vs)),
            "spearman_sklearn_between_seeds_median": float(np.median(sk_between)),
            "offset_ts": float(np.median(ts["if_offsets"])),
            "offset_sklearn": [float(f[1]) for f in forests],
            "predict_agreement": [float(np.mean(t[1] == f[2])) for t in ts_forests for f in forests],
            "predict_agreement_sklearn_between_seeds_median": float(np.median(sk_predict_between)),
        },
        "lof": {
            "auc_ts": auc(ts_lof),
            "auc_sklearn": auc(lof_scores),
            "spearman": float(spearmanr(ts_lof, lof_scores).statistic),
            "max_abs_score_difference": float(np.max(np.abs(ts_lof - lof_scores))),
            "offset_ts": ts["lof_offset"],
            "offset_sklearn": float(lof.offset_),
            "predict_agreement": float(np.mean(ts_lof_predict == lof_predict)),
        },
    }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
