"""Python side of the @kdap/xgboost-node parity test.

Usage: xgb_reference.py WORKDIR

Reads WORKDIR/spec.json and the float32 little-endian arrays the TypeScript test wrote, trains
each case with xgboost.train exactly as specified, and writes predictions (py_<case>_*.f32),
models (py_<case>.json/.ubj), predictions of the TypeScript models (py_from_ts_<case>_<fmt>.f32)
and a summary (py_results.json).
"""
import json
import os
import sys

import numpy as np
import xgboost as xgb


def read(workdir, name, rows, cols=None):
    a = np.fromfile(os.path.join(workdir, name), dtype="<f4")
    return a.reshape(rows, cols) if cols else a


def write(workdir, name, values):
    np.ascontiguousarray(values, dtype="<f4").tofile(os.path.join(workdir, name))


def main(workdir):
    with open(os.path.join(workdir, "spec.json")) as f:
        spec = json.load(f)
    cols = spec["cols"]
    x_train = read(workdir, "x_train.f32", spec["rows_train"], cols)
    x_valid = read(workdir, "x_valid.f32", spec["rows_valid"], cols)
    results = {"xgboost": xgb.__version__}
    for case in spec["cases"]:
        name = case["name"]
        y_train = read(workdir, f"y_{case['target']}_train.f32", spec["rows_train"])
        y_valid = read(workdir, f"y_{case['target']}_valid.f32", spec["rows_valid"])
        dtrain = xgb.DMatrix(x_train, label=y_train, missing=np.nan)
        dvalid = xgb.DMatrix(x_valid, label=y_valid, missing=np.nan)
        evals_result = {}
        booster = xgb.train(
            case["params"],
            dtrain,
            num_boost_round=case["num_boost_round"],
            evals=[(dtrain, "train"), (dvalid, "valid")],
            early_stopping_rounds=case.get("early_stopping_rounds"),
            evals_result=evals_result,
            verbose_eval=False,
        )
        write(workdir, f"py_{name}_value.f32", booster.inplace_predict(x_valid))
        write(workdir, f"py_{name}_margin.f32", booster.inplace_predict(x_valid, predict_type="margin"))
        contrib_rows = spec["contrib_rows"]
        write(workdir, f"py_{name}_contrib.f32", booster.predict(xgb.DMatrix(x_valid[:contrib_rows], missing=np.nan), pred_contribs=True))
        # XGBoost 3 defines best_iteration only after early stopping; without it the whole model
        # is the best one, which is what the binding's bestIteration reports.
        best_iteration = booster.best_iteration if booster.attr("best_iteration") is not None else booster.num_boosted_rounds() - 1
        write(workdir, f"py_{name}_best.f32", booster.inplace_predict(x_valid, iteration_range=(0, best_iteration + 1)))
        booster.save_model(os.path.join(workdir, f"py_{name}.json"))
        booster.save_model(os.path.join(workdir, f"py_{name}.ubj"))
        for fmt in ("json", "ubj"):
            ts_model = os.path.join(workdir, f"ts_{name}.{fmt}")
            loaded = xgb.Booster(model_file=ts_model)
            write(workdir, f"py_from_ts_{name}_{fmt}.f32", loaded.inplace_predict(x_valid))
        results[name] = {
            "best_iteration": best_iteration,
            "best_score": getattr(booster, "best_score", None) if booster.attr("best_score") is not None else None,
            "num_boosted_rounds": booster.num_boosted_rounds(),
            "evals_result": evals_result,
        }
    with open(os.path.join(workdir, "py_results.json"), "w") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main(sys.argv[1])
