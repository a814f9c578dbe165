"""Computes scikit-learn's metrics for the cases the parity test sends on stdin (JSON).

Each case is {"fn": name, "args": {...}}; the answer is a list, one entry per case: a number, a
list of numbers, {"error": message}. NaN and infinities are sent as strings because JSON has no
literal for them.
"""
import json
import math
import sys
import warnings

import numpy as np
from sklearn import metrics
from sklearn.calibration import calibration_curve

warnings.simplefilter("ignore")


def encode(value):
    if isinstance(value, (list, tuple, np.ndarray)):
        return [encode(v) for v in value]
    value = float(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


def zero_division(value):
    return np.nan if value == "nan" else value


def compute(fn, a):
    y_true = np.asarray(a["y_true"], dtype=np.float64)
    w = a.get("sample_weight")
    w = None if w is None else np.asarray(w, dtype=np.float64)
    if fn == "rmse":
        return metrics.root_mean_squared_error(y_true, a["y_pred"], sample_weight=w)
    if fn == "mse":
        return metrics.mean_squared_error(y_true, a["y_pred"], sample_weight=w)
    if fn == "mae":
        return metrics.mean_absolute_error(y_true, a["y_pred"], sample_weight=w)
    if fn == "mape":
        return metrics.mean_absolute_percentage_error(y_true, a["y_pred"], sample_weight=w)
    if fn == "r2":
        return metrics.r2_score(y_true, a["y_pred"], sample_weight=w)
    y_true = y_true.astype(int)
    if fn == "roc_auc":
        return metrics.roc_auc_score(y_true, a["y_score"], sample_weight=w)
    if fn == "average_precision":
        return metrics.average_precision_score(y_true, a["y_score"], sample_weight=w)
    if fn in ("precision", "recall", "f1"):
        scorer = {"precision": metrics.precision_score, "recall": metrics.recall_score, "f1": metrics.f1_score}[fn]
        return scorer(y_true, np.asarray(a["y_pred"], dtype=int), sample_weight=w, zero_division=zero_division(a.get("zero_division", "warn")))
    if fn == "log_loss":
        return metrics.log_loss(y_true, a["y_prob"], sample_weight=w, labels=[0, 1], normalize=a.get("normalize", True))
    if fn == "brier":
        return metrics.brier_score_loss(y_true, a["y_prob"], sample_weight=w)
    if fn == "calibration_curve":
        prob_true, prob_pred = calibration_curve(y_true, a["y_prob"], n_bins=a["n_bins"], strategy=a["strategy"])
        return [list(prob_true), list(prob_pred)]
    raise ValueError("unknown metric " + fn)


def main():
    cases = json.load(sys.stdin)
    out = []
    for case in cases:
        try:
            out.append(encode(compute(case["fn"], case["args"])))
        except ValueError as e:
            out.append({"error": str(e)})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
