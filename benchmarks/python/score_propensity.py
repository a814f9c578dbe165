"""Azure ML entry script (init()/run()) for the Propensity Scorer, the Python side of
`npm run bench -- serve-load`: azmlinfsrv calls init() once, then run(raw_body) per POST /score.

It scores our bundle (at AZUREML_MODEL_DIR) through the Python libraries: the records become a
pandas DataFrame in the bundle's feature order with the categorical features as pandas
categoricals in the schema's category order (the booster's category codes; unknown -> missing),
XGBoost's in-place prediction of the bundle's model.json (the fastest single-record path XGBoost
offers), scikit-learn's IsotonicRegression(out_of_bounds='clip') refitted on the bundle's
calibration knots (which reproduces them), then confidence |2p - 1|, the percentile rank against
the bundle's training score distribution and the first segment whose min_score the score reaches.
Request: {"data": [record, ...]}; response: a list of {customer_id, propensity_score, confidence,
percentile_rank, segment_assignment}, the shape our server returns.
"""
import json
import os

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.isotonic import IsotonicRegression

state = {}


def init():
    model_dir = os.environ["AZUREML_MODEL_DIR"]
    manifest = json.load(open(os.path.join(model_dir, "manifest.json")))
    calibration = json.load(open(os.path.join(model_dir, "state", "calibration.json")))
    distribution = json.load(open(os.path.join(model_dir, "state", "score_distribution.json")))
    settings = json.load(open(os.path.join(model_dir, "state", "propensity.json")))
    booster = xgb.Booster(model_file=os.path.join(model_dir, "model.json"))
    booster.set_param({"nthread": 1})
    isotonic = None
    if calibration["method"] == "isotonic":
        isotonic = IsotonicRegression(out_of_bounds="clip").fit(calibration["x"], calibration["y"])
    features = manifest["feature_schema"]["features"]
    state.update(
        booster=booster,
        isotonic=isotonic,
        features=features,
        dtypes={f["name"]: pd.CategoricalDtype(f["categories"]) for f in features if f["kind"] == "categorical"},
        values=np.asarray(distribution["values"]),
        cumulative=np.asarray(distribution["cumulative"]),
        size=distribution["cumulative"][-1],
        segments=settings["segments"],
        id_column=settings["idColumn"],
    )


def run(raw_data):
    records = json.loads(raw_data)["data"]
    frame = pd.DataFrame.from_records(records, columns=[f["name"] for f in state["features"]])
    for name, dtype in state["dtypes"].items():
        frame[name] = frame[name].astype(dtype)
    scores = state["booster"].inplace_predict(frame)
    if state["isotonic"] is not None:
        scores = state["isotonic"].predict(scores)
    at = np.searchsorted(state["values"], scores, side="right")
    ranks = np.where(at == 0, 0.0, 100 * state["cumulative"][np.maximum(at - 1, 0)] / state["size"])
    out = []
    for record, p, rank in zip(records, scores.tolist(), ranks.tolist()):
        segment = next((s["name"] for s in state["segments"] if p >= s["min_score"]), state["segments"][-1]["name"])
        out.append({
            "customer_id": record.get(state["id_column"]),
            "propensity_score": p,
            "confidence": abs(2 * p - 1),
            "percentile_rank": rank,
            "segment_assignment": segment,
        })
    return out
