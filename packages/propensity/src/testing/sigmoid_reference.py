"""scikit-learn's Platt fit (_sigmoid_calibration) on the log-odds of JSON cases from stdin."""
import json
import sys

import numpy as np
from scipy.special import expit, logit
from sklearn.calibration import _sigmoid_calibration


def main() -> None:
    out = []
    for case in json.load(sys.stdin):
        p = np.clip(np.asarray(case["p"], dtype=np.float64), 1e-15, 1 - 1e-15)
        a, b = _sigmoid_calibration(logit(p), np.asarray(case["y"], dtype=np.float64))
        query = np.clip(np.asarray(case["query"], dtype=np.float64), 1e-15, 1 - 1e-15)
        out.append({"a": float(a), "b": float(b), "predicted": expit(-(a * logit(query) + b)).tolist()})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
