"""Azure ML entry script (init()/run()) for the Budget Optimizer, the Python side of
`npm run bench -- serve-load`: azmlinfsrv calls init() once, then run(raw_body) per POST /score.

It scores our bundle's three LightGBM models (model.txt, model_lower.txt, model_upper.txt, at
AZUREML_MODEL_DIR) through the Python lightgbm, the path of benchmarks/python/budget_recommend.py
(whose Hill fit and optimum it imports): per record, the record's context over its channel's spend
grid (the bundle's supported range, 5th-95th percentile of training spend, `grid.points` points,
steady-state effective spend s / (1 - decay)), predictions of the three models, the weighted Hill
fit y = M s^n / (K^n + s^n) of each trace (scipy curve_fit, the bundle's support weights), the
optimum (largest spend with slope >= 1), the interval from the quantile curves there, the marginal
return, and SHAP contributions at the optimum (the three strongest drivers).
Request: {"data": [record, ...]} (our server's shape); response: a list of recommendations.
"""
import json
import os
import sys

import lightgbm as lgb
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from budget_recommend import fit, hill, optimum  # noqa: E402

state = {}


def support_weights(q, spend):
    """The bundle's support weights of a grid (BudgetOptimizer.support in @kdap/budget)."""
    weights = np.ones(len(spend))
    if q is None or len(q) < 2:
        return weights
    q = np.asarray(q)
    knots = np.arange(len(q)) / (len(q) - 1)
    weights = np.interp(spend * 1.15, q, knots) - np.interp(spend / 1.15, q, knots)
    top = weights.max()
    if top <= 0:
        return np.ones(len(spend))
    inside = (spend >= q[1]) & (spend <= q[-2])
    return np.where(inside, np.maximum(weights, 1e-3 * top), 1e-4 * top)


def init():
    model_dir = os.environ["AZUREML_MODEL_DIR"]
    manifest = json.load(open(os.path.join(model_dir, "manifest.json")))
    response = json.load(open(os.path.join(model_dir, "state", "response.json")))
    features = manifest["feature_schema"]["features"]
    names = [f["name"] for f in features]
    points = response["grid"]["points"]
    grids = {}
    for channel, q in response["supportQuantiles"].items():
        low, high = (q[1], q[-2]) if len(q) >= 3 else response["spendRange"]["byChannel"].get(channel, response["spendRange"]["all"])
        spend = np.linspace(low, high, points)
        grids[channel] = (spend, support_weights(q, spend))
    state.update(
        boosters=[lgb.Booster(model_file=os.path.join(model_dir, f)) for f in ("model.txt", "model_lower.txt", "model_upper.txt")],
        features=features,
        names=names,
        categories={f["name"]: {c: i for i, c in enumerate(f.get("categories", []))} for f in features if f["kind"] == "categorical"},
        spend_col=names.index(response["spendFeature"]),
        effective_col=names.index("effective_spend") if "effective_spend" in names else -1,
        channel=response["channelFeature"],
        decays=response["decays"],
        grids=grids,
    )


def encode(record):
    row = np.full(len(state["names"]), np.nan)
    for j, f in enumerate(state["features"]):
        value = record.get(f["name"])
        if value is None:
            continue
        row[j] = state["categories"][f["name"]].get(value, np.nan) if f["kind"] == "categorical" else float(value)
    return row


def recommend(record):
    channel = record[state["channel"]]
    spend, weights = state["grids"][channel]
    decay = state["decays"].get(channel, 0.0)
    row = encode(record)
    if state["effective_col"] >= 0 and np.isnan(row[state["effective_col"]]):
        row[state["effective_col"]] = row[state["spend_col"]] / (1 - decay)
    X = np.tile(row, (len(spend), 1))
    X[:, state["spend_col"]] = spend
    if state["effective_col"] >= 0:
        X[:, state["effective_col"]] = spend / (1 - decay)
    main, low, high = [fit(spend, b.predict(X, num_threads=1), weights) for b in state["boosters"]]
    best = optimum(spend, main)
    at = row.copy()
    at[state["spend_col"]] = best
    if state["effective_col"] >= 0:
        at[state["effective_col"]] = best / (1 - decay)
    shap = state["boosters"][0].predict(at[None, :], pred_contrib=True, num_threads=1)[0][:-1]
    m, n, log_k = main
    r = np.exp(n * (np.log(best) - log_k))
    bounds = sorted(float(hill(best, *p)) for p in (low, high))
    return {
        "channel_id": channel,
        "optimal_spend": float(best),
        "expected_return": float(hill(best, *main)),
        "confidence_interval_lower": bounds[0],
        "confidence_interval_upper": bounds[1],
        "marginal_return": float(m * n * r / (best * (1 + r) ** 2) - 1),
        "top_drivers": [state["names"][j] for j in np.argsort(-np.abs(shap))[:3]],
    }


def run(raw_data):
    return [recommend(record) for record in json.loads(raw_data)["data"]]
