"""Anomaly Detector ensemble parity: the same pipeline as AnomalyDetectorTrainer from the same
standardised feature rows, with scikit-learn's IsolationForest and LocalOutlierFactor(novelty=True)
in place of ours: robust normalisation (median, 1.4826 MAD), weighted sum, threshold at the
(1 - contamination) percentile; F1 of both sides' flags against the labels.

stdin: {"dir": d, "rows": n, "cols": m, "contamination": c, "weights": {"isolation_forest": w, "lof": w},
        "n_estimators": k, "random_state": s, "n_neighbors": k}
d holds features.f64 (row-major), labels.u8 and ts_flags.u8 (the TypeScript flags, same rows).
stdout: {"f1_ts", "f1_sklearn", "precision_*", "recall_*", "flag_agreement"}
"""
import json
import os
import sys

import numpy as np
from sklearn.ensemble import IsolationForest
from sklearn.metrics import f1_score, precision_score, recall_score
from sklearn.neighbors import LocalOutlierFactor


def normalise(scores):
    median = np.percentile(scores, 50)
    scale = 1.4826 * np.percentile(np.abs(scores - median), 50) or 1e-12
    return (median - scores) / scale


def main():
    doc = json.load(sys.stdin)
    d = doc["dir"]
    X = np.fromfile(os.path.join(d, "features.f64")).reshape(doc["rows"], doc["cols"])
    labels = np.fromfile(os.path.join(d, "labels.u8"), dtype=np.uint8)
    ts_flags = np.fromfile(os.path.join(d, "ts_flags.u8"), dtype=np.uint8)
    c, w = doc["contamination"], doc["weights"]
    forest = IsolationForest(n_estimators=doc["n_estimators"], contamination=c, random_state=doc["random_state"]).fit(X)
    lof = LocalOutlierFactor(n_neighbors=doc["n_neighbors"], contamination=c, novelty=True).fit(X)
    raw = w["isolation_forest"] * normalise(forest.score_samples(X)) + w["lof"] * normalise(lof.score_samples(X))
    flags = (raw > np.percentile(raw, 100 * (1 - c))).astype(np.uint8)
    out = {}
    for name, f in (("ts", ts_flags), ("sklearn", flags)):
        out[f"f1_{name}"] = float(f1_score(labels, f))
        out[f"precision_{name}"] = float(precision_score(labels, f))
        out[f"recall_{name}"] = float(recall_score(labels, f))
    out["flag_agreement"] = float(np.mean(flags == ts_flags))
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
