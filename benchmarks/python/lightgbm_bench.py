"""Python side of benchmarks/lightgbm.bench.ts: same data file, same parameters, timed in-process."""
import json
import sys
import time

import lightgbm as lgb
import numpy as np


def main(workdir: str, rows: int, cols: int, rounds: int, single_rows: int) -> None:
    X = np.fromfile(f"{workdir}/X.f64", dtype="<f8").reshape(rows, cols)
    y = np.fromfile(f"{workdir}/y.f64", dtype="<f8")
    params = json.load(open(f"{workdir}/params.json"))
    t0 = time.perf_counter()
    booster = lgb.train(params, lgb.Dataset(X, label=y), num_boost_round=rounds)
    train_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    pred = booster.predict(X)
    predict_s = time.perf_counter() - t0
    lat = []
    for i in range(single_rows):
        row = X[i : i + 1]
        t = time.perf_counter_ns()
        booster.predict(row)
        lat.append(time.perf_counter_ns() - t)
    lat.sort()
    json.dump({
        "train_s": train_s,
        "predict_s": predict_s,
        "row_p50_us": lat[len(lat) // 2] / 1000,
        "row_p99_us": lat[int(len(lat) * 0.99)] / 1000,
        "checksum": float(pred.sum()),
    }, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
