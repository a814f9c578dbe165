"""Whole-process Python equivalents of `kdap train budget|propensity|anomaly` and `kdap score`,
for benchmarks/cli.bench.ts. The process is timed from outside: interpreter start and imports are
included, as a user running `python train.py ...` experiences them.

budget DATA.csv TS_BUNDLE OUT_DIR
    budget_bench.py's steps (carry-over, return + two quantile LightGBM models with early stopping,
    metrics, save) with the TypeScript bundle's LightGBM parameters and its time-ordered hold-out
    (the last 10% of the dates), so both sides boost the same rounds.
propensity DATA.csv TS_BUNDLE OUT_DIR
    propensity_bench.py's train steps (read the CSV, encode with the bundle's categories, xgboost, isotonic
    calibration, metrics, save) on a stratified split of the TypeScript split's sizes, boosting as
    many rounds as the TypeScript trainer did (its kept rounds + early-stopping patience).
anomaly DATA.csv TS_BUNDLE OUT_DIR
    per-series seasonal baseline (same weekday over 4 weeks), lag and rolling features (the config's
    lags and windows), IsolationForest + LocalOutlierFactor(novelty) with the config's parameters,
    robust-normalised weighted ensemble, threshold at the contamination percentile, joblib save.
score TS_BUNDLE DATA.parquet OUT.parquet
    propensity_bench.py's score steps (one repetition) with the bundle's model and calibrator.
stdout: one JSON object (what each step reports) for the benchmark's like-for-like check.
"""
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def bundle_json(bundle, name):
    with open(os.path.join(bundle, name)) as f:
        return json.load(f)


def write_json(path, doc):
    with open(path, "w") as f:
        json.dump(doc, f)


def budget(data, bundle, out):
    import pandas as pd
    import budget_bench
    manifest = bundle_json(bundle, "manifest.json")
    training = bundle_json(bundle, "state/response.json")["training"]
    dates = pd.read_csv(data, usecols=["date"], parse_dates=["date"])["date"]
    distinct = np.sort(dates.unique())
    held = max(1, int(np.floor(len(distinct) * 0.1 + 0.5)))
    cutoff = distinct[len(distinct) - held]
    os.makedirs(out, exist_ok=True)
    params = os.path.join(out, "params.json")
    write_json(params, {
        "numerical": manifest["config"]["features"]["numerical"],
        "categorical": manifest["config"]["features"]["categorical"],
        "models": {name: training[name] for name in ("main", "lower", "upper")},
        "num_boost_round": training["numBoostRound"],
        "early_stopping_rounds": training["earlyStoppingRounds"],
        "train_rows": int((dates < cutoff).sum()),
    })
    sys.argv = ["budget_bench.py", data, params, out]
    budget_bench.main()


def propensity(data, bundle, out):
    import propensity_bench
    state = bundle_json(bundle, "state/propensity.json")
    manifest = bundle_json(bundle, "manifest.json")
    target = manifest["target"]
    import pandas as pd
    y = pd.read_csv(data, usecols=[target])[target].to_numpy()
    sizes = state["splits"]
    total = sum(sizes[k] for k in ("train", "validation", "calibration", "test"))
    os.makedirs(out, exist_ok=True)
    # Stratified: each class shuffled and dealt to the parts in the TypeScript split's proportions.
    rng = np.random.default_rng(7)
    parts = {k: [] for k in ("train", "validation", "calibration", "test")}
    for label in (0, 1):
        rows = rng.permutation(np.flatnonzero(y == label))
        start = 0
        for k in ("validation", "calibration", "test"):
            n = int(round(len(rows) * sizes[k] / total))
            parts[k].append(rows[start:start + n])
            start += n
        parts["train"].append(rows[start:])
    splits = {}
    for k, chunks in parts.items():
        splits[k] = os.path.join(out, f"split-{k}.i32")
        np.sort(np.concatenate(chunks)).astype("<i4").tofile(splits[k])
    params = dict(state["params"])
    rounds = min(state["numBoostRound"], state["rounds"] + manifest["config"]["training"]["early_stopping_rounds"])
    write_json(os.path.join(out, "params.json"), {
        "target": target,
        "features": manifest["feature_schema"]["features"],
        "splits": splits,
        "params": {**params, "scale_pos_weight": 1},
        "scale_pos_weight_auto": True,
        "num_boost_round": rounds,
        # The same number of boosting rounds as TypeScript (validation still evaluated every round).
        "early_stopping_rounds": rounds + 1,
    })
    propensity_bench.train(data, os.path.join(out, "params.json"), out)
    print()
    json.dump({"boosted_rounds": rounds}, sys.stdout)


def anomaly(data, bundle, out):
    import joblib
    import pandas as pd
    from sklearn.ensemble import IsolationForest
    from sklearn.neighbors import LocalOutlierFactor
    config = bundle_json(bundle, "manifest.json")["config"]
    f, h, d = config["features"], config["hyperparameters"], config["detection"]
    df = pd.read_csv(data, parse_dates=[f["date_column"]])
    keys, value, date = f["entity_columns"], f["value_column"], f["date_column"]
    df = df.sort_values(keys + [date], kind="stable").reset_index(drop=True)
    g = df.groupby(keys, sort=False)[value]
    weekday = df[date].dt.weekday
    expected = df.groupby(keys + [weekday], sort=False)[value].transform(lambda s: s.shift(1).rolling(4, min_periods=2).median())
    expected = expected.fillna(g.transform(lambda s: s.shift(1).rolling(7, min_periods=1).median())).fillna(df[value])
    residual = df[value] - expected
    spread = residual.groupby([df[k] for k in keys], sort=False).transform(lambda r: 1.4826 * (r - r.median()).abs().median()).replace(0, 1e-12)
    columns = {"z": residual / spread}
    for lag in f["lags"]:
        columns[f"lag_{lag}"] = (df[value] - g.shift(lag)) / spread
    for w in f["rolling_windows"]:
        columns[f"mean_{w}"] = (df[value] - g.transform(lambda s: s.rolling(w, min_periods=1).mean())) / spread
        columns[f"std_{w}"] = g.transform(lambda s: s.rolling(w, min_periods=2).std()) / spread
    columns["weekday"] = weekday
    X = pd.DataFrame(columns).fillna(0.0).to_numpy(np.float64)
    X = (X - X.mean(axis=0)) / np.where(X.std(axis=0) > 0, X.std(axis=0), 1.0)
    c = d["contamination"]
    forest = IsolationForest(n_estimators=h["isolation_forest"]["n_estimators"], contamination=c, random_state=h["isolation_forest"]["random_state"], n_jobs=1).fit(X)
    lof = LocalOutlierFactor(n_neighbors=h["lof"]["n_neighbors"], leaf_size=h["lof"]["leaf_size"], contamination=c, novelty=True).fit(X)

    def normalise(scores):
        median = np.percentile(scores, 50)
        return (median - scores) / (1.4826 * np.percentile(np.abs(scores - median), 50) or 1e-12)

    w = d["ensemble_weights"]
    raw = w["isolation_forest"] * normalise(forest.score_samples(X)) + w["lof"] * normalise(lof.score_samples(X))
    flags = raw > np.percentile(raw, 100 * (1 - c))
    os.makedirs(out, exist_ok=True)
    joblib.dump({"isolation_forest": forest, "lof": lof}, os.path.join(out, "anomaly_detector.joblib"))
    json.dump({"rows": int(len(df)), "features": int(X.shape[1]), "flagged": int(flags.sum())}, sys.stdout)


def score(bundle, data, out_file):
    import propensity_bench
    doc = {
        "calibration": bundle_json(bundle, "state/calibration.json"),
        "distribution": bundle_json(bundle, "state/score_distribution.json"),
        "features": bundle_json(bundle, "manifest.json")["feature_schema"]["features"],
        "feature_types": bundle_json(bundle, "state/propensity.json")["featureTypes"],
        "segments": bundle_json(bundle, "state/propensity.json")["segments"],
    }
    state = out_file + ".state.json"
    write_json(state, doc)
    propensity_bench.score(os.path.join(bundle, "model.json"), state, data, out_file, 1)


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    {"budget": budget, "propensity": propensity, "anomaly": anomaly, "score": score}[command](*args)
