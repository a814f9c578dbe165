"""Budget Optimizer end to end in Python (pandas + lightgbm), the same steps as the TypeScript
BudgetOptimizerTrainer: read the data, encode categoricals, estimate carry-over per channel
(Spearman over decays 0-0.9), add effective spend, train return + lower/upper quantile models
with early stopping on the last 20% of days, save the three models and the state.

argv: data.csv params.json out_dir   stdout: {"total_s": seconds, "best_iteration": n}
"""
import json
import os
import sys
import time

import lightgbm as lgb
import numpy as np
import pandas as pd


def main():
    csv, params_file, out_dir = sys.argv[1:4]
    doc = json.load(open(params_file))
    t0 = time.perf_counter()
    df = pd.read_csv(csv, parse_dates=["date"])
    numerical, categorical = doc["numerical"], doc["categorical"]
    for c in categorical:
        df[c] = pd.Categorical(df[c], categories=sorted(df[c].dropna().unique()))
    decays, effective = {}, np.full(len(df), np.nan)
    for channel, group in df.sort_values("date", kind="stable").groupby("channel_id", observed=True):
        spend, ret = group["current_spend"].to_numpy(), group["return"].rank().to_numpy()
        best = (0.0, -np.inf, None)
        for decay in np.arange(46) * 0.02:
            stock = np.empty(len(spend))
            carried = spend[0] / (1 - decay)
            stock[0] = carried
            for i in range(1, len(spend)):
                carried = spend[i] + decay * carried
                stock[i] = carried
            score = np.corrcoef(pd.Series(stock).rank().to_numpy(), ret)[0, 1]
            if score > best[1] + 1e-12:
                best = (decay, score, stock)
        decays[channel] = best[0]
        effective[group.index.to_numpy()] = best[2]
    df["effective_spend"] = effective
    features = numerical + categorical
    X = np.column_stack([df[c].cat.codes.replace(-1, np.nan).to_numpy(float) if c in categorical else df[c].to_numpy(float) for c in features])
    y = df["return"].to_numpy(float)
    cut = doc["train_rows"]
    cat_idx = [features.index(c) for c in categorical]
    os.makedirs(out_dir, exist_ok=True)
    best_iteration = None
    for name in ["main", "lower", "upper"]:
        train_set = lgb.Dataset(X[:cut], label=y[:cut], feature_name=features, categorical_feature=cat_idx)
        valid_set = lgb.Dataset(X[cut:], label=y[cut:], reference=train_set)
        booster = lgb.train(doc["models"][name], train_set, num_boost_round=doc["num_boost_round"], valid_sets=[valid_set],
                            callbacks=[lgb.early_stopping(doc["early_stopping_rounds"], verbose=False)])
        booster.save_model(os.path.join(out_dir, f"model_{name}.txt"))
        if name == "main":
            best_iteration = booster.best_iteration
    json.dump({"decays": decays}, open(os.path.join(out_dir, "state.json"), "w"))
    print(json.dumps({"total_s": time.perf_counter() - t0, "best_iteration": best_iteration}))


if __name__ == "__main__":
    main()
