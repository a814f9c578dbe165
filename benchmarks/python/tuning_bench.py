"""Optuna's side of benchmarks/tuning.bench.ts: the same objectives, seeds and trial counts.

usage: tuning_bench.py quality <objective> <first_seed> <n_seeds> <n_trials>
       tuning_bench.py mwu <file.json>   ({"x": [...], "y": [...]}: scipy's one-sided Mann-Whitney p, x greater)
Prints one JSON document.
"""
import json
import math
import sys
import time

import numpy as np
import optuna

optuna.logging.set_verbosity(optuna.logging.ERROR)

HARTMANN_ALPHA = [1.0, 1.2, 3.0, 3.2]
HARTMANN_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
HARTMANN_P = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991], [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]


def mixed(trial):
    x = trial.suggest_float("x", -5, 5)
    y = trial.suggest_float("y", -5, 5)
    lr = trial.suggest_float("lr", 1e-5, 1, log=True)
    n = trial.suggest_int("n", 1, 20)
    c = trial.suggest_categorical("c", ["a", "b", "c"])
    return (x - 2) ** 2 + (y + 1) ** 2 + (math.log10(lr) + 2) ** 2 + (n - 7) ** 2 / 10 + (1 if c != "b" else 0)


def branin(trial):
    x1 = trial.suggest_float("x1", -5, 10)
    x2 = trial.suggest_float("x2", 0, 15)
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


def hartmann6(trial):
    x = [trial.suggest_float(f"x{j}", 0, 1) for j in range(6)]
    total = 0.0
    for i in range(4):
        inner = sum(HARTMANN_A[i][j] * (x[j] - HARTMANN_P[i][j] * 1e-4) ** 2 for j in range(6))
        total += HARTMANN_ALPHA[i] * math.exp(-inner)
    return -total


OBJECTIVES = {"mixed": mixed, "branin": branin, "hartmann6": hartmann6}


def quality(name, first_seed, n_seeds, n_trials):
    objective = OBJECTIVES[name]
    out = []
    for seed in range(first_seed, first_seed + n_seeds):
        ends = []
        best = []

        def callback(study, trial):
            ends.append(time.process_time())
            value = trial.value if trial.value is not None else math.inf
            best.append(min(best[-1], value) if best else value)

        study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))
        start = time.process_time()
        study.optimize(objective, n_trials=n_trials, callbacks=[callback])
        gaps = np.diff([start] + ends) * 1000
        out.append({"seed": seed, "best": {str(k): best[k - 1] for k in (50, 100, 200) if k <= n_trials}, "ms_last10": float(np.mean(gaps[-10:])), "total_s": ends[-1] - start})
    return {"optuna": optuna.__version__, "runs": out}


def mwu(path):
    from scipy.stats import mannwhitneyu

    data = json.load(open(path))
    return {"p_greater": float(mannwhitneyu(data["x"], data["y"], alternative="greater").pvalue)}


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "quality":
        print(json.dumps(quality(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))))
    elif mode == "mwu":
        print(json.dumps(mwu(sys.argv[2])))
    else:
        raise SystemExit("unknown mode " + mode)
