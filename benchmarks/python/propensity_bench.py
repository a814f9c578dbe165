"""Propensity Scorer in Python (pandas + xgboost + scikit-learn), the same steps as the
TypeScript side of benchmarks/propensity.bench.ts. Times exclude interpreter start and imports.

score: argv score model.json calibrator.json customers.parquet out.parquet reps
  Loads the booster, refits IsotonicRegression(out_of_bounds='clip') on the TypeScript
  calibrator's knots (the same function), expands the training score distribution; then per rep:
  read Parquet -> encode -> predict -> calibrate -> percentile (searchsorted right) -> confidence
  -> segment -> write Parquet.  stdout: {"seconds": [per rep], "phases": [{"read", "score", "write"} per rep],
  "checksum": sum of scores}; score = everything between the read and the write (encode, DMatrix,
  predict, calibrate, rank, confidence, segment, the result frame)
train: argv train customers.parquet params.json out_dir
  read Parquet -> the TypeScript trainer's train/early-stopping/calibration/metric rows (Int32
  files: the same split, so the same model) -> encode with the TypeScript schema's categories
  -> xgboost.train with the TypeScript parameters and early stopping -> IsotonicRegression on the
  calibration rows -> metrics on the metric rows -> save model.  stdout: {"seconds": s, "read_seconds": s,
  "best_iteration": n, "auc_roc": auc}
"""
import json
import os
import sys
import time

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.isotonic import IsotonicRegression
from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score


def encode(df, features):
    columns = []
    for f in features:
        if f["kind"] == "categorical":
            codes = pd.Categorical(df[f["name"]], categories=f["categories"]).codes.astype(np.float64)
            codes[codes < 0] = np.nan
            columns.append(codes)
        else:
            columns.append(df[f["name"]].to_numpy(np.float64))
    return np.column_stack(columns)


def score(model_file, calibrator_file, data_file, out_file, reps):
    doc = json.load(open(calibrator_file))
    booster = xgb.Booster(model_file=model_file)
    iso = IsotonicRegression(out_of_bounds="clip").fit(np.asarray(doc["calibration"]["x"]), np.asarray(doc["calibration"]["y"]))
    values = np.asarray(doc["distribution"]["values"])
    counts = np.diff(np.concatenate([[0], np.asarray(doc["distribution"]["cumulative"])])).astype(np.int64)
    training_scores = np.repeat(values, counts)
    n_train = len(training_scores)
    features, types = doc["features"], doc["feature_types"]
    names = [f["name"] for f in features]
    segments = doc["segments"]
    seconds = []
    phases = []
    checksum = 0.0
    for _ in range(reps):
        t0 = time.perf_counter()
        df = pd.read_parquet(data_file)
        t_read = time.perf_counter()
        X = encode(df, features)
        raw = booster.predict(xgb.DMatrix(X, feature_names=names, feature_types=types, enable_categorical=True)).astype(np.float64)
        p = iso.predict(raw)
        percentile = np.searchsorted(training_scores, p, side="right") / n_train * 100
        confidence = np.abs(2 * p - 1)
        segment = np.select([p >= s["min_score"] for s in segments], [s["name"] for s in segments], default=segments[-1]["name"])
        out = pd.DataFrame({
            "customer_id": df["customer_id"],
            "propensity_score": p,
            "confidence": confidence,
            "percentile_rank": percentile,
            "segment_assignment": pd.Categorical(segment, categories=[s["name"] for s in segments]),
        })
        t_score = time.perf_counter()
        out.to_parquet(out_file, index=False)
        t_write = time.perf_counter()
        seconds.append(t_write - t0)
        phases.append({"read": t_read - t0, "score": t_score - t_read, "write": t_write - t_score})
        checksum = float(p.sum())
    json.dump({"seconds": seconds, "phases": phases, "checksum": checksum}, sys.stdout)


def train(data_file, params_file, out_dir):
    doc = json.load(open(params_file))
    t0 = time.perf_counter()
    df = pd.read_csv(data_file) if data_file.endswith(".csv") else pd.read_parquet(data_file)
    t_read = time.perf_counter()
    y = df[doc["target"]].to_numpy(np.float64)
    fit, valid, cal, test = (np.fromfile(doc["splits"][name], dtype="<i4") for name in ("train", "validation", "calibration", "test"))
    features = doc["features"]
    names = [f["name"] for f in features]
    types = ["c" if f["kind"] == "categorical" else "q" for f in features]
    X = encode(df, features)
    params = dict(doc["params"])
    if doc["scale_pos_weight_auto"]:
        positives = y[fit].sum()
        params["scale_pos_weight"] = (len(fit) - positives) / positives
    matrix = lambda idx: xgb.DMatrix(X[idx], label=y[idx], feature_names=names, feature_types=types, enable_categorical=True)
    dtrain, dvalid = matrix(fit), matrix(valid)
    booster = xgb.train(params, dtrain, num_boost_round=doc["num_boost_round"], evals=[(dtrain, "train"), (dvalid, "validation")],
                        early_stopping_rounds=doc["early_stopping_rounds"], verbose_eval=False)
    booster = booster[: booster.best_iteration + 1]
    iso = IsotonicRegression(out_of_bounds="clip").fit(booster.predict(matrix(cal)).astype(np.float64), y[cal])
    raw_test = booster.predict(matrix(test)).astype(np.float64)
    p = iso.predict(raw_test)
    metrics = {"auc_roc": roc_auc_score(y[test], p), "auc_pr": average_precision_score(y[test], p),
               "log_loss": log_loss(y[test], p, labels=[0, 1]), "brier": brier_score_loss(y[test], p),
               "brier_uncalibrated": brier_score_loss(y[test], raw_test)}
    os.makedirs(out_dir, exist_ok=True)
    booster.save_model(os.path.join(out_dir, "model.json"))
    json.dump({"x": iso.X_thresholds_.tolist(), "y": iso.y_thresholds_.tolist(), "metrics": metrics}, open(os.path.join(out_dir, "calibration.json"), "w"))
    seconds = time.perf_counter() - t0
    json.dump({"seconds": seconds, "read_seconds": t_read - t0, "best_iteration": int(booster.num_boosted_rounds()), "auc_roc": float(metrics["auc_roc"])}, sys.stdout)


if __name__ == "__main__":
    if sys.argv[1] == "score":
        score(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6]))
    else:
        train(sys.argv[2], sys.argv[3], sys.argv[4])
