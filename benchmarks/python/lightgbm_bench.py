"""Python side of benchmarks/lightgbm.bench.ts: same data file, same parameters, timed in-process.

Usage: lightgbm_bench.py WORKDIR ROWS COLS ROUNDS SINGLE_ROWS [--model FILE --predictions N]
With --model (the bench's --predict-only), loads that model instead of training and times N
batch predictions (prints them all as predict_all; predict_s is their median).
"""
import json
import sys
import time

import lightgbm as lgb
import numpy as np


def main(workdir: str, rows: int, cols: int, rounds: int, single_rows: int, model: str | None, predictions: int) -> None:
    X = np.fromfile(f"{workdir}/X.f64", dtype="<f8").reshape(rows, cols)
    train_s = None  # JSON null: JavaScript's JSON.parse rejects NaN
    if model is not None:
        booster = lgb.Booster(model_file=model)
    else:
        y = np.fromfile(f"{workdir}/y.f64", dtype="<f8")
        params = json.load(open(f"{workdir}/params.json"))
        t0 = time.perf_counter()
        booster = lgb.train(params, lgb.Dataset(X, label=y), num_boost_round=rounds)
        train_s = time.perf_counter() - t0
    predict_all = []
    for _ in range(predictions):
        t0 = time.perf_counter()
        pred = booster.predict(X)
        predict_all.append(time.perf_counter() - t0)
    lat = []
    for i in range(single_rows):
        row = X[i : i + 1]
        t = time.perf_counter_ns()
        booster.predict(row)
        lat.append(time.perf_counter_ns() - t)
    lat.sort()
    json.dump({
        "train_s": train_s,
        "predict_s": float(np.median(predict_all)),
        "predict_all": predict_all,
        "row_p50_us": lat[len(lat) // 2] / 1000 if lat else None,
        "row_p99_us": lat[int(len(lat) * 0.99)] / 1000 if lat else None,
        "checksum": float(pred.sum()),
    }, sys.stdout)


if __name__ == "__main__":
    args = sys.argv[1:]
    model_file = args[args.index("--model") + 1] if "--model" in args else None
    n_predictions = int(args[args.index("--predictions") + 1]) if "--predictions" in args else 1
    main(args[0], int(args[1]), int(args[2]), int(args[3]), int(args[4]), model_file, n_predictions)
