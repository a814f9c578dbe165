"""Optuna + lightgbm's side of benchmarks/tuning-budget.bench.ts: tune the Budget Optimizer's three LightGBM
models (return, lower and upper quantile) over the same search space, on the same feature matrices the
TypeScript trainer's boosters saw, with the same base parameters, rounds and early stopping, TPE(seed) and
MedianPruner(n_warmup_steps=10) on the return model's per-round validation RMSE (as @kdap/tuning's tune()).

argv: params.json (matrices as raw float64 files next to it)
stdout: {"optuna": version, "wall_s": seconds of the study, "best_value": rmse, "best_params": {...},
         "n_complete": n, "n_pruned": n}
With "evaluate": [params, ...] in params.json (the YAML's names), no study runs: each parameter set trains the
return model as a trial would, unpruned, and stdout is {"rmse": [validation RMSE per set]} (the benchmark's
check that both sides' training paths give one parameter set the same metric).
"""
import json
import math
import os
import sys
import time

import lightgbm as lgb
import numpy as np
import optuna

optuna.logging.set_verbosity(optuna.logging.ERROR)

# The YAML's scikit-learn names -> the LightGBM names the trainer passes (packages/budget/src/lightgbm-params.ts).
LIGHTGBM_NAME = {"num_leaves": "num_leaves", "learning_rate": "learning_rate", "min_child_samples": "min_data_in_leaf",
                 "subsample": "bagging_fraction", "colsample_bytree": "feature_fraction", "reg_alpha": "lambda_l1",
                 "reg_lambda": "lambda_l2", "max_depth": "max_depth", "subsample_freq": "bagging_freq"}


def matrix(doc, folder, name):
    part = doc[name]
    return np.fromfile(os.path.join(folder, part["file"]), dtype=np.float64).reshape(part["rows"], part["cols"])


def suggest(trial, name, d):
    if d["type"] == "categorical":
        return trial.suggest_categorical(name, d["choices"])
    kwargs = {k: d[k] for k in ("log", "step") if d.get(k) is not None}
    if d["type"] == "int":
        return trial.suggest_int(name, d["low"], d["high"], **kwargs)
    return trial.suggest_float(name, d["low"], d["high"], **kwargs)


def main():
    params_file = sys.argv[1]
    folder = os.path.dirname(params_file)
    doc = json.load(open(params_file))
    X_train, X_valid = matrix(doc, folder, "train"), matrix(doc, folder, "validation")
    y_train = np.fromfile(os.path.join(folder, doc["y_train"]), dtype=np.float64)
    y_valid = np.fromfile(os.path.join(folder, doc["y_validation"]), dtype=np.float64)
    features, cat_idx = doc["feature_names"], doc["categorical_indices"]

    def fit(name, chosen, extra_callbacks=()):
        """Trains one of the three models on the chosen (LightGBM-named) parameters; the return model's validation RMSE."""
        params = {**doc["models"][name], **chosen}
        train_set = lgb.Dataset(X_train, label=y_train, feature_name=features, categorical_feature=cat_idx)
        valid_set = lgb.Dataset(X_valid, label=y_valid, reference=train_set)
        callbacks = [lgb.early_stopping(doc["early_stopping_rounds"], verbose=False), *extra_callbacks]
        booster = lgb.train({**params, "metric": "rmse"} if name == "main" else params, train_set,
                            num_boost_round=doc["num_boost_round"], valid_sets=[valid_set], callbacks=callbacks)
        if name != "main":
            return None
        p = booster.predict(X_valid, num_iteration=booster.best_iteration)
        return float(np.sqrt(np.mean((p - y_valid) ** 2)))

    if "evaluate" in doc:
        print(json.dumps({"rmse": [fit("main", {LIGHTGBM_NAME[k]: v for k, v in chosen.items()}) for chosen in doc["evaluate"]]}))
        return

    def objective(trial):
        chosen = {LIGHTGBM_NAME[name]: suggest(trial, name, d) for name, d in doc["search_space"].items()}

        def prune(env):
            # env.evaluation_result_list: [(data_name, metric, value, higher_better)], the validation RMSE
            rmse = env.evaluation_result_list[0][2]
            trial.report(rmse, env.iteration + 1)
            if trial.should_prune():
                raise optuna.TrialPruned()

        value = fit("main", chosen, [prune])
        fit("lower", chosen)
        fit("upper", chosen)
        return value

    study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=doc["seed"]),
                                pruner=optuna.pruners.MedianPruner(n_warmup_steps=10))
    t0 = time.perf_counter()
    study.optimize(objective, n_trials=doc["n_trials"])
    wall = time.perf_counter() - t0
    states = [t.state for t in study.trials]
    print(json.dumps({"optuna": optuna.__version__, "wall_s": wall, "best_value": study.best_value,
                      "best_params": study.best_params,
                      "n_complete": sum(s == optuna.trial.TrialState.COMPLETE for s in states),
                      "n_pruned": sum(s == optuna.trial.TrialState.PRUNED for s in states)}))


if __name__ == "__main__":
    main()
