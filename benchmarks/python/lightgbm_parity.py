"""LightGBM reference side of the parity test (native/lightgbm-node/src/parity.test.ts).

Reads X (float64, row-major), labels and a JSON list of cases from a directory the TS test
wrote, trains each case with lightgbm.train exactly as Booster.train does, and writes per case:
predictions, best_iteration and the model string. Also predicts with the TS models to check
that TS-trained models load and predict the same in Python.
"""
import json
import os
import sys

import lightgbm as lgb
import numpy as np


def main(workdir: str) -> None:
    spec = json.load(open(os.path.join(workdir, "spec.json")))
    rows, cols, n_train = spec["rows"], spec["cols"], spec["nTrain"]
    X = np.fromfile(os.path.join(workdir, "X.f64"), dtype="<f8").reshape(rows, cols)
    out = {"lightgbm": lgb.__version__, "cases": {}}
    for case in spec["cases"]:
        y = np.fromfile(os.path.join(workdir, case["label"]), dtype="<f8")
        params = dict(case["params"])
        train = lgb.Dataset(X[:n_train], label=y[:n_train], params=params, free_raw_data=False)
        kwargs = {}
        if case.get("earlyStoppingRounds"):
            valid = lgb.Dataset(X[n_train:], label=y[n_train:], reference=train)
            kwargs["valid_sets"] = [valid]
            kwargs["callbacks"] = [lgb.early_stopping(case["earlyStoppingRounds"], verbose=False)]
        booster = lgb.train(params, train, num_boost_round=case["numBoostRound"], **kwargs)
        pred = booster.predict(X[n_train:])
        name = case["name"]
        pred.astype("<f8").tofile(os.path.join(workdir, f"{name}.py.pred"))
        with open(os.path.join(workdir, f"{name}.py.model"), "w") as f:
            f.write(booster.model_to_string())
        ts_model = lgb.Booster(model_file=os.path.join(workdir, f"{name}.ts.model"))
        ts_model.predict(X[n_train:]).astype("<f8").tofile(os.path.join(workdir, f"{name}.ts-in-py.pred"))
        out["cases"][name] = {"best_iteration": booster.best_iteration, "num_trees": booster.num_trees()}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
