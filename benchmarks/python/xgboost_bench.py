"""Python side of bench/xgboost-bench.ts: the same data files, parameters and steps, timed.

Usage: xgboost_bench.py WORKDIR  (reads WORKDIR/spec.json, writes WORKDIR/py_pred.f32, prints JSON;
with "model" in the spec, loads that model instead of building a DMatrix and training)
"""
import json
import os
import sys
import time

import numpy as np
import xgboost as xgb


def main(workdir):
    with open(os.path.join(workdir, "spec.json")) as f:
        spec = json.load(f)
    rows, cols, repeat = spec["rows"], spec["cols"], spec["repeat"]
    x = np.fromfile(os.path.join(workdir, "x.f32"), dtype="<f4").reshape(rows, cols)
    y = np.fromfile(os.path.join(workdir, "y.f32"), dtype="<f4")
    timings = {"dmatrix": [], "train": [], "predict": [], "single": []}
    preds = None
    for _ in range(repeat):
        if "model" in spec:  # --predict-only: the model the TypeScript side trained and saved
            booster = xgb.Booster(params={"nthread": spec["params"]["nthread"]}, model_file=spec["model"])
        else:
            t = time.perf_counter()
            dtrain = xgb.DMatrix(x, label=y, missing=np.nan)
            timings["dmatrix"].append(time.perf_counter() - t)
            t = time.perf_counter()
            booster = xgb.train(spec["params"], dtrain, num_boost_round=spec["rounds"])
            timings["train"].append(time.perf_counter() - t)
        for _ in range(spec.get("predictions", 3)):
            t = time.perf_counter()
            preds = booster.inplace_predict(x)
            timings["predict"].append(time.perf_counter() - t)
        # One row at a time, as a service scores one request (after 50 warm-up calls).
        for i in range(spec.get("single_rows", 2000) + 50):
            r = i % 1000
            one = x[r : r + 1]
            t = time.perf_counter()
            booster.inplace_predict(one)
            if i >= 50:
                timings["single"].append(time.perf_counter() - t)
    np.ascontiguousarray(preds, dtype="<f4").tofile(os.path.join(workdir, "py_pred.f32"))
    print(json.dumps({"xgboost": xgb.__version__, "timings": timings}))


if __name__ == "__main__":
    main(sys.argv[1])
