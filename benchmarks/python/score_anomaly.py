"""Azure ML entry script (init()/run()) for the Anomaly Detector, the Python side of
`npm run bench -- serve-load`: azmlinfsrv calls init() once, then run(raw_body) per POST /score.

What it computes, per record (one day of one series), from our bundle at AZUREML_MODEL_DIR:
- the series' training context (anomaly_state.json: the last training days with their cleaned
  values and exclusion flags) and its robust spread;
- the seasonal baseline of the new day: the median of the same weekday over the last 4 weeks
  (>= 2 usable days since the series' last level shift), else of the last 7 usable days; z =
  (value - expected) / spread (a single new day cannot start a level shift);
- the detector features with pandas on the daily calendar of cleaned values (history + the new
  day): lags 1/7/14/28, rolling mean/std over the w days before (w = 7/14/28, min_periods
  ceil(w/2), ddof 1), pct changes 1/7, day of week and season sin/cos, scaled by the spread and
  signed-log compressed as @kdap/anomaly's detectorFeatures does, then standardized with the
  bundle's feature means/sds;
- scikit-learn's IsolationForest.score_samples and LocalOutlierFactor(novelty=True).score_samples,
  both fitted in init() on the bundle's training feature matrix (lof.json's points) with the
  bundle's parameters (the forest's trees are scikit-learn's own draws, not ours: same cost, scores
  close but not equal), normalized by the bundle's medians/scales and combined with its weights,
  threshold, per-detector thresholds and the training-score CDF, into the Python module's result
  shape (is_anomaly, anomaly_score, anomaly_type, expected_value, deviation, confidence).
Request: {"data": [{date, value, <entity columns>}, ...]}; response: a list of results.
"""
import base64
import json
import math
import os

import numpy as np
import pandas as pd
from sklearn.ensemble import IsolationForest
from sklearn.neighbors import LocalOutlierFactor

state = {}


def init():
    model_dir = os.environ["AZUREML_MODEL_DIR"]
    s = json.load(open(os.path.join(model_dir, "anomaly_state.json")))
    manifest = json.load(open(os.path.join(model_dir, "manifest.json")))
    forest = json.load(open(os.path.join(model_dir, "isolation_forest.json")))
    lof = json.load(open(os.path.join(model_dir, "lof.json")))
    points = np.frombuffer(base64.b64decode(lof["points"]), dtype=np.float64).reshape(lof["rows"], lof["cols"])
    fp, lp = forest["params"], lof["params"]
    state["forest"] = IsolationForest(
        n_estimators=fp["nEstimators"], max_samples=fp["maxSamples"], max_features=fp["maxFeatures"], bootstrap=fp["bootstrap"],
        contamination=fp["contamination"], random_state=fp["seed"],
    ).fit(points)
    state["lof"] = LocalOutlierFactor(n_neighbors=lp["nNeighbors"], contamination=lp["contamination"], novelty=True, p=lp["p"], leaf_size=lp["leafSize"]).fit(points)
    specs = {f["name"]: f for f in manifest["feature_schema"]["features"]}
    state["codes"] = [{c: i for i, c in enumerate(specs[e]["categories"])} for e in s["columns"]["entities"]]
    for series in s["series"].values():
        series["trainingScores"] = np.asarray(series["trainingScores"])
    state["s"] = s


def baseline(history, day, value, spread):
    usable = {h["day"]: h["value"] for h in history if not h["excluded"]}
    # -Infinity (no level shift yet) is null in the bundle's JSON.
    since = history[-1]["baseFrom"] if history and history[-1]["baseFrom"] is not None else -math.inf
    seasonal = [usable[day - 7 * w] for w in range(1, 5) if day - 7 * w in usable and day - 7 * w >= since]
    if len(seasonal) >= 2:
        return float(np.median(seasonal))
    recent = [usable[h["day"]] for h in reversed(history) if since <= h["day"] < day and h["day"] in usable][:7]
    return float(np.median(recent)) if recent else value


def signed_log(z, limit=1e6):
    z = 0.0 if not math.isfinite(z) else max(-limit, min(limit, z))
    return math.copysign(math.log1p(abs(z)), z)


def features(history, day, value, z, spread, lags, windows):
    days = pd.to_datetime([h["day"] for h in history] + [day], unit="D")
    clean = pd.Series([h["clean"] for h in history] + [value], index=days).asfreq("D")
    past = clean.shift(1)
    row = [signed_log(z)]
    row += [signed_log((value - clean.shift(k).iloc[-1]) / spread) for k in lags]
    means = [past.rolling(w, min_periods=math.ceil(w / 2)).mean().iloc[-1] for w in windows]
    sds = [past.rolling(w, min_periods=math.ceil(w / 2)).std().iloc[-1] for w in windows]
    row += [signed_log((value - m) / (sd if sd > 0 else spread)) for m, sd in zip(means, sds)]
    row += [min(50.0, max(-50.0, math.log1p(sd / spread))) if math.isfinite(sd) else 0.0 for sd in sds]
    for k in (1, 7):
        before = clean.shift(k).iloc[-1]
        row.append(signed_log(value / before - 1 if before and math.isfinite(before) else math.nan))
    date = clean.index[-1]
    row += [math.sin(2 * math.pi * date.dayofweek / 7), math.cos(2 * math.pi * date.dayofweek / 7)]
    row += [math.sin(2 * math.pi * date.dayofyear / 365.25), math.cos(2 * math.pi * date.dayofyear / 365.25)]
    return row


def detect(record):
    s = state["s"]
    columns = s["columns"]
    key = "|".join(str(codes[record[e]]) for codes, e in zip(state["codes"], columns["entities"]))
    series = s["series"][key]
    day = int(pd.Timestamp(record[columns["date"]]).value // 86_400_000_000_000)
    value = float(record[columns["value"]])
    history = [h for h in series["history"] if h["day"] < day]
    spread = series["spread"]
    expected = baseline(history, day, value, spread)
    z = (value - expected) / spread
    clean = expected if abs(z) > s["zThreshold"] else value
    x = (np.asarray(features(history, day, clean, z, spread, s["lags"], s["windows"])) - s["featureMean"]) / s["featureSd"]
    x = x[None, :]
    n = s["normalizers"]
    if_norm = (n["isolation_forest"]["median"] - state["forest"].score_samples(x)[0]) / n["isolation_forest"]["scale"]
    lof_norm = (n["lof"]["median"] - state["lof"].score_samples(x)[0]) / n["lof"]["scale"]
    raw = s["weights"]["isolation_forest"] * if_norm + s["weights"]["lof"] * lof_norm
    is_anomaly = bool(raw > s["threshold"])
    agreeing = int((if_norm > s["modelThresholds"]["isolation_forest"]) == is_anomaly) + int((lof_norm > s["modelThresholds"]["lof"]) == is_anomaly)
    deviation = value - expected
    return {
        "date": record[columns["date"]],
        "value": value,
        "is_anomaly": is_anomaly,
        "anomaly_score": float(np.searchsorted(series["trainingScores"], raw, side="right") / max(1, len(series["trainingScores"]))),
        "anomaly_type": "none" if not is_anomaly else "spike" if deviation >= 0 else "drop",
        "expected_value": expected,
        "deviation": deviation,
        "confidence": 0.5 * agreeing / 2 + 0.5 * min(1.0, abs(raw - s["threshold"]) / (3 * s["rawSpread"])),
    }


def run(raw_data):
    return [detect(record) for record in json.loads(raw_data)["data"]]
