import { binaryCurve } from './binary-curve';
import type { BinaryLabels, Numbers } from './inputs';
import type { WeightOptions } from './regression';

/** The threshold with the best F1 and the scores there. */
export interface ChosenThreshold {
  /** Predict positive when score >= threshold. */
  threshold: number;
  f1: number;
  precision: number;
  recall: number;
}

/**
 * Chooses the decision threshold that maximises F1 over every distinct score (predicting positive
 * when score >= threshold). Ties go to the higher threshold, which flags fewer customers.
 */
export function chooseThreshold(yTrue: BinaryLabels, yScore: Numbers, options: WeightOptions = {}): ChosenThreshold {
  const { fps, tps, thresholds } = binaryCurve('chooseThreshold', yTrue, yScore, options.sampleWeight);
  const positives = tps[tps.length - 1]!;
  let best: ChosenThreshold = { threshold: thresholds[0]!, f1: -1, precision: 0, recall: 0 };
  for (let i = 0; i < thresholds.length; i++) {
    const tp = tps[i]!;
    const denominator = positives + tp + fps[i]!;
    const f1 = denominator === 0 ? 0 : (2 * tp) / denominator;
    if (f1 > best.f1) {
      best = { threshold: thresholds[i]!, f1, precision: tp + fps[i]! === 0 ? 0 : tp / (tp + fps[i]!), recall: positives === 0 ? 0 : tp / positives };
    }
  }
  return best;
}
