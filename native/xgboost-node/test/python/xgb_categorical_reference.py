"""Python side of the @kdap/xgboost-node categorical parity test.

Usage: xgb_categorical_reference.py WORKDIR

Reads WORKDIR/cat_spec.json (the data as numbers and category names per row) and trains with
xgboost.train on a pandas DataFrame whose categorical column uses the training category order
from the spec. Then it predicts test frames whose categorical column uses ANOTHER category order:
one whose dictionary also holds a category never seen in training (XGBoost refuses it: the error
message is recorded), and one where the unseen rows are made missing the pandas way
(set_categories to the known names). Writes predictions (py_cat_*.f32), the models
(py_cat.json/.ubj), predictions of the TypeScript model (py_cat_from_ts_<fmt>.f32) and
py_cat_results.json.
"""
import json
import os
import sys

import numpy as np
import pandas as pd
import xgboost as xgb


def write(workdir, name, values):
    np.ascontiguousarray(values, dtype="<f4").tofile(os.path.join(workdir, name))


def frame(part, categories):
    df = pd.DataFrame({"x0": np.asarray(part["x0"], dtype=np.float32), "x1": np.asarray(part["x1"], dtype=np.float32)})
    df["color"] = pd.Categorical(part["color"], categories=categories)
    return df[["x0", "color", "x1"]]


def main(workdir):
    with open(os.path.join(workdir, "cat_spec.json")) as f:
        spec = json.load(f)
    train = frame(spec["train"], spec["train_categories"])
    dtrain = xgb.DMatrix(train, label=np.asarray(spec["train"]["y"], dtype=np.float32), enable_categorical=True)
    booster = xgb.train(spec["params"], dtrain, num_boost_round=spec["num_boost_round"])
    booster.save_model(os.path.join(workdir, "py_cat.json"))
    booster.save_model(os.path.join(workdir, "py_cat.ubj"))

    results = {"xgboost": xgb.__version__}
    # Another order, and a category the model never saw.
    test_order = spec["test_categories"]
    test = frame(spec["test"], test_order)
    try:
        write(workdir, "py_cat_unseen_inplace.f32", booster.inplace_predict(test))
        write(workdir, "py_cat_unseen_dmatrix.f32", booster.predict(xgb.DMatrix(test, enable_categorical=True)))
        results["unseen_error"] = None
    except Exception as e:  # XGBoostError
        results["unseen_error"] = str(e).split("\n")[0]
    # The pandas way to predict anyway: unseen names become missing.
    known = [c for c in test_order if c in set(spec["train_categories"])]
    test_known = test.copy()
    test_known["color"] = test_known["color"].cat.set_categories(known)
    write(workdir, "py_cat_inplace.f32", booster.inplace_predict(test_known))
    write(workdir, "py_cat_dmatrix.f32", booster.predict(xgb.DMatrix(test_known, enable_categorical=True)))
    write(workdir, "py_cat_margin.f32", booster.inplace_predict(test_known, predict_type="margin"))
    write(workdir, "py_cat_contrib.f32", booster.predict(xgb.DMatrix(test_known, enable_categorical=True), pred_contribs=True))
    results["categories"] = [None if c is None else c.to_pylist() for _, c in booster.get_categories(export_to_arrow=True).to_arrow()]
    results["feature_types"] = booster.feature_types
    for fmt in ("json", "ubj"):
        loaded = xgb.Booster(model_file=os.path.join(workdir, f"ts_cat.{fmt}"))
        write(workdir, f"py_cat_from_ts_{fmt}.f32", loaded.inplace_predict(test_known))
    with open(os.path.join(workdir, "py_cat_results.json"), "w") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main(sys.argv[1])
