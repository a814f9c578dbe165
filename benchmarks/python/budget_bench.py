"""Budget Optimizer end to end in Python (pandas + lightgbm), the same steps as the TypeScript
BudgetOptimizerTrainer: read the data, encode categoricals, estimate carry-over per channel
(Spearman over decays 0-0.9, coarse then fine), add effective spend, train return + lower/upper quantile models
on one training and one validation Dataset with early stopping on the last 20% of days, compute the return model's metrics on the training and
validation rows (as the trainers report them), save the three models and the state.

argv: data.csv params.json out_dir
stdout: {"total_s": seconds, "lightgbm_s": seconds inside lgb.Dataset/lgb.train/save_model, "best_iteration": n}
"""
import json
import os
import sys
import time

import lightgbm as lgb
import numpy as np
import pandas as pd
from scipy.signal import lfilter


def adstock(spend, decay):
    """spend + decay x previous adstock, the first period following a steady history."""
    return lfilter([1.0], [1.0, -decay], spend, zi=[decay * spend[0] / (1 - decay)])[0]


def regression_metrics(y, p):
    err = p - y
    nonzero = y != 0
    return {"rmse": float(np.sqrt(np.mean(err ** 2))), "mae": float(np.mean(np.abs(err))),
            "mape": float(np.mean(np.abs(err[nonzero] / y[nonzero]))),
            "r2": float(1 - np.sum(err ** 2) / np.sum((y - y.mean()) ** 2))}


def main():
    csv, params_file, out_dir = sys.argv[1:4]
    doc = json.load(open(params_file))
    t0 = time.perf_counter()
    df = pd.read_csv(csv, parse_dates=["date"])
    numerical, categorical = doc["numerical"], doc["categorical"]
    for c in categorical:
        df[c] = pd.Categorical(df[c], categories=sorted(df[c].dropna().unique()))
    # As the TypeScript trainer: decays estimated on the training rows only; validation rows get
    # their own adstock with those decays, starting from a steady history.
    cut = doc["train_rows"]
    decays, effective = {}, np.full(len(df), np.nan)
    ordered = df.sort_values("date", kind="stable")
    for part in (ordered[ordered.index < cut], ordered[ordered.index >= cut]):
        for channel, group in part.groupby("channel_id", observed=True):
            spend = group["current_spend"].to_numpy(float)
            if channel not in decays:
                returns = group["return"].rank(method="min").to_numpy()
                best = [0.0, -np.inf]

                def consider(decay):
                    score = np.corrcoef(pd.Series(adstock(spend, decay)).rank(method="min").to_numpy(), returns)[0, 1]
                    if score > best[1] + 1e-12 or (abs(score - best[1]) <= 1e-12 and decay < best[0]):
                        best[:] = [decay, score]

                # Coarse steps of 0.1, then steps of 0.02 around the best, as the TypeScript trainer.
                for step in range(10):
                    consider(step / 10)
                centre = best[0]
                for step in range(-4, 5):
                    decay = round(centre + step * 0.02, 2)
                    if 0 <= decay <= 0.9 and decay != centre:
                        consider(decay)
                decays[channel] = best[0]
            effective[group.index.to_numpy()] = adstock(spend, decays[channel])
    df["effective_spend"] = effective
    features = numerical + categorical
    X = np.column_stack([df[c].cat.codes.replace(-1, np.nan).to_numpy(float) if c in categorical else df[c].to_numpy(float) for c in features])
    y = df["return"].to_numpy(float)
    cat_idx = [features.index(c) for c in categorical]
    os.makedirs(out_dir, exist_ok=True)
    best_iteration = None
    t_lgb = time.perf_counter()
    # One training and one validation Dataset for the three models, as the TypeScript trainer: binned
    # once, by the first lgb.train (the models differ only in objective and alpha, not binning).
    train_set = lgb.Dataset(X[:cut], label=y[:cut], feature_name=features, categorical_feature=cat_idx)
    valid_set = lgb.Dataset(X[cut:], label=y[cut:], reference=train_set)
    for name in ["main", "lower", "upper"]:
        booster = lgb.train(doc["models"][name], train_set, num_boost_round=doc["num_boost_round"], valid_sets=[valid_set],
                            callbacks=[lgb.early_stopping(doc["early_stopping_rounds"], verbose=False)])
        booster.save_model(os.path.join(out_dir, f"model_{name}.txt"))
        if name == "main":
            best_iteration = booster.best_iteration
            # As the trainers report them: RMSE, MAE, MAPE, R² on the training and validation rows.
            metrics = {part: regression_metrics(y[rows], booster.predict(X[rows], num_iteration=best_iteration))
                       for part, rows in (("train", slice(None, cut)), ("validation", slice(cut, None)))}
    lightgbm_s = time.perf_counter() - t_lgb
    json.dump({"decays": decays, "metrics": metrics}, open(os.path.join(out_dir, "state.json"), "w"))
    print(json.dumps({"total_s": time.perf_counter() - t0, "lightgbm_s": lightgbm_s, "best_iteration": best_iteration}))


if __name__ == "__main__":
    main()
