"""Interop check of model bundles with Python's MLflow (the reference environment).

train: fits tiny LightGBM and XGBoost boosters on seeded data and prints, as JSON, their native
       model files (LightGBM text, XGBoost JSON), the data and the boosters' own predictions.
load:  reads {"bundles": {"lightgbm": dir, "xgboost": dir}, "X": rows} on stdin, loads each bundle
       with mlflow.<flavor>.load_model and mlflow.pyfunc.load_model, and prints their predictions.
"""
import json
import sys
import warnings

import numpy as np

warnings.simplefilter("ignore")


def train():
    import lightgbm
    import xgboost

    rng = np.random.default_rng(11)
    X = rng.normal(size=(200, 3))
    y = X[:, 0] * 2.0 - X[:, 1] + rng.normal(scale=0.1, size=200)
    lgb = lightgbm.train({"objective": "regression", "num_leaves": 7, "verbose": -1, "seed": 1}, lightgbm.Dataset(X, y), num_boost_round=10)
    labels = (y > 0).astype(int)
    xgb = xgboost.train({"objective": "binary:logistic", "max_depth": 3, "seed": 1}, xgboost.DMatrix(X, label=labels), num_boost_round=10)
    json.dump(
        {
            "X": X.tolist(),
            "lightgbm": {"model": lgb.model_to_string(), "version": lightgbm.__version__, "predictions": lgb.predict(X).tolist()},
            "xgboost": {
                "model": bytes(xgb.save_raw(raw_format="json")).decode("utf-8"),
                "version": xgboost.__version__,
                "predictions": xgb.predict(xgboost.DMatrix(X)).tolist(),
            },
            "python_version": ".".join(map(str, sys.version_info[:3])),
        },
        sys.stdout,
    )


def load():
    import mlflow.lightgbm
    import mlflow.pyfunc
    import mlflow.xgboost
    import pandas as pd
    import xgboost

    request = json.load(sys.stdin)
    X = np.asarray(request["X"])
    out = {}
    lgb = mlflow.lightgbm.load_model(request["bundles"]["lightgbm"])
    out["lightgbm_native"] = lgb.predict(X).tolist()
    out["lightgbm_pyfunc"] = np.asarray(mlflow.pyfunc.load_model(request["bundles"]["lightgbm"]).predict(pd.DataFrame(X))).tolist()
    xgb = mlflow.xgboost.load_model(request["bundles"]["xgboost"])
    out["xgboost_native"] = xgb.predict(xgboost.DMatrix(X)).tolist()
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    {"train": train, "load": load}[sys.argv[1]]()
