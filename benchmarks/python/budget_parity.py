"""Budget Optimizer parity: trains LightGBM with the exact parameters and feature matrices the
TypeScript BudgetOptimizerTrainer used, and reports predictions and scikit-learn metrics.

stdin: {"train": {"X": [[...]], "y": [...]}, "validation": {...}, "feature_names": [...],
        "categorical": [indices], "models": {"main": params, "lower": params, "upper": params},
        "num_boost_round": n, "early_stopping_rounds": n}
stdout: {"main": {"validation": [...], "best_iteration": n}, "lower": ..., "upper": ..., "metrics": {...}}
"""
import json
import sys

import lightgbm as lgb
import numpy as np
from sklearn.metrics import mean_absolute_error, mean_absolute_percentage_error, mean_squared_error, r2_score


def matrix(rows):
    # JSON has no NaN: missing values arrive as null.
    return np.array([[np.nan if v is None else v for v in row] for row in rows], dtype=np.float64)


def main():
    doc = json.load(sys.stdin)
    X_train, y_train = matrix(doc["train"]["X"]), np.array(doc["train"]["y"], dtype=np.float64)
    X_val, y_val = matrix(doc["validation"]["X"]), np.array(doc["validation"]["y"], dtype=np.float64)
    out = {}
    for name, params in doc["models"].items():
        train_set = lgb.Dataset(X_train, label=y_train, feature_name=doc["feature_names"], categorical_feature=doc["categorical"])
        valid_set = lgb.Dataset(X_val, label=y_val, reference=train_set)
        booster = lgb.train(
            params,
            train_set,
            num_boost_round=doc["num_boost_round"],
            valid_sets=[valid_set],
            valid_names=["validation"],
            callbacks=[lgb.early_stopping(doc["early_stopping_rounds"], verbose=False)],
        )
        out[name] = {"validation": booster.predict(X_val).tolist(), "best_iteration": booster.best_iteration}
    p = np.array(out["main"]["validation"])
    out["metrics"] = {
        "rmse": float(np.sqrt(mean_squared_error(y_val, p))),
        "mae": float(mean_absolute_error(y_val, p)),
        "mape": float(mean_absolute_percentage_error(y_val, p)),
        "r2": float(r2_score(y_val, p)),
    }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
