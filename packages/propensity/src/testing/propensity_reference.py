"""The Python pipeline on the same split (xgboost.train + IsotonicRegression), for parity tests."""
import json
import sys

import numpy as np
import xgboost as xgb
from sklearn.isotonic import IsotonicRegression
from sklearn.metrics import brier_score_loss, roc_auc_score


def matrix(part, names, types):
    X = np.asarray(part["X"], dtype=np.float64).reshape(part["rows"], part["cols"])
    return xgb.DMatrix(X, label=np.asarray(part["y"], dtype=np.float64), feature_names=names, feature_types=types, enable_categorical=True)


def main() -> None:
    case = json.load(sys.stdin)
    names, types = case["feature_names"], case["feature_types"]
    dtrain = matrix(case["train"], names, types)
    dvalid = matrix(case["validation"], names, types)
    booster = xgb.train(
        case["params"],
        dtrain,
        num_boost_round=case["num_boost_round"],
        evals=[(dtrain, "train"), (dvalid, "validation")],
        early_stopping_rounds=case["early_stopping_rounds"],
        verbose_eval=False,
    )
    booster = booster[: booster.best_iteration + 1]
    raw_cal = booster.predict(matrix(case["calibration"], names, types)).astype(np.float64)
    iso = IsotonicRegression(out_of_bounds="clip").fit(raw_cal, np.asarray(case["calibration"]["y"], dtype=np.float64))
    raw_test = booster.predict(matrix(case["test"], names, types)).astype(np.float64)
    calibrated = iso.predict(raw_test)
    y_test = np.asarray(case["test"]["y"], dtype=np.float64)
    json.dump(
        {
            "xgboost": xgb.__version__,
            "best_iteration": int(booster.num_boosted_rounds()),
            "raw_test": raw_test.tolist(),
            "calibrated_test": calibrated.tolist(),
            "auc_roc": float(roc_auc_score(y_test, calibrated)),
            "brier": float(brier_score_loss(y_test, calibrated)),
            "brier_uncalibrated": float(brier_score_loss(y_test, raw_test)),
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
