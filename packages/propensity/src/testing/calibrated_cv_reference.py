"""scikit-learn's CalibratedClassifierCV(XGBClassifier, ensemble=False) on the TypeScript trainer's
training rows, for the cross-validated calibration test; and its fold assignments.

stdin: {"mode": "folds", "cases": [{"y": [...], "k": k, "order": [...] | null}, ...]}
  -> {"folds": [fold of each row, per case]} from StratifiedKFold(k) (or KFold(k) over `order`, oldest first)
stdin: {"mode": "calibrate", params, rounds, feature_names, feature_types, k, order | null, train, test}
  -> {"x": knots, "y": knot values, "calibrated_test": ..., "raw_test": ...}
"""
import json
import sys

import numpy as np
import xgboost as xgb
from sklearn.calibration import CalibratedClassifierCV
from sklearn.model_selection import KFold, StratifiedKFold


class Float64XGBClassifier(xgb.XGBClassifier):
    """predict_proba in float64: XGBoost returns float32, and IsotonicRegression would then fit
    in float32; the TypeScript calibrator fits the same scores widened to float64."""

    def predict_proba(self, X, **kwargs):
        return super().predict_proba(X, **kwargs).astype(np.float64)


def splitter(k, y, order):
    if order is None:
        return StratifiedKFold(n_splits=k)
    order = np.asarray(order)
    # KFold over the rows oldest first; each fold's rows given back in row order.
    return [(np.sort(order[fit]), np.sort(order[held])) for fit, held in KFold(n_splits=k).split(order)]


def matrix(part):
    return np.asarray([np.nan if v is None else v for v in part["X"]], dtype=np.float64).reshape(part["rows"], part["cols"])


def main() -> None:
    case = json.load(sys.stdin)
    if case["mode"] == "folds":
        answers = []
        for one in case["cases"]:
            y = np.asarray(one["y"], dtype=np.float64)
            folds = np.empty(len(y), dtype=np.int64)
            cv = splitter(one["k"], y, one["order"])
            splits = cv.split(np.zeros(len(y)), y) if hasattr(cv, "split") else cv
            for f, (_, held) in enumerate(splits):
                folds[held] = f
            answers.append(folds.tolist())
        json.dump({"folds": answers}, sys.stdout)
        return
    X, y = matrix(case["train"]), np.asarray(case["train"]["y"], dtype=np.float64)
    estimator = Float64XGBClassifier(n_estimators=case["rounds"], feature_types=case["feature_types"], enable_categorical=True, **case["params"])
    calibrated = CalibratedClassifierCV(estimator, method="isotonic", cv=splitter(case["k"], y, case["order"]), ensemble=False).fit(X, y)
    (member,) = calibrated.calibrated_classifiers_
    (iso,) = member.calibrators
    X_test = matrix(case["test"])
    json.dump(
        {
            "x": iso.X_thresholds_.tolist(),
            "y": iso.y_thresholds_.tolist(),
            "raw_test": member.estimator.predict_proba(X_test)[:, 1].tolist(),
            "calibrated_test": calibrated.predict_proba(X_test)[:, 1].tolist(),
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
