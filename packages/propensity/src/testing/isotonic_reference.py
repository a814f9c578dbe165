"""scikit-learn's IsotonicRegression(out_of_bounds='clip') on JSON cases from stdin (parity tests)."""
import json
import sys

import numpy as np
from sklearn.isotonic import IsotonicRegression


def main() -> None:
    cases = json.load(sys.stdin)
    out = []
    for case in cases:
        x = np.asarray(case["x"], dtype=np.float64)
        y = np.asarray(case["y"], dtype=np.float64)
        w = None if case.get("w") is None else np.asarray(case["w"], dtype=np.float64)
        model = IsotonicRegression(out_of_bounds="clip").fit(x, y, sample_weight=w)
        predicted = model.predict(np.asarray(case["query"], dtype=np.float64))
        out.append(
            {
                "predicted": predicted.tolist(),
                "x_thresholds": model.X_thresholds_.tolist(),
                "y_thresholds": model.y_thresholds_.tolist(),
            }
        )
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
