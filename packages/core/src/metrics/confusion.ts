import { binaryLabels, checkedInputs, type BinaryLabels, type Numbers } from './inputs';

/** Weighted counts of a binary confusion matrix (plain counts without weights). */
export interface BinaryConfusion {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  trueNegatives: number;
}

/**
 * Counts as scikit-learn's `multilabel_confusion_matrix` forms them: per-class weighted sums of
 * predictions and truths, with false positives/negatives as differences, so weighted results
 * round the same way.
 */
export function binaryConfusion(metric: string, yTrue: BinaryLabels, yPred: BinaryLabels, sampleWeight?: Numbers): BinaryConfusion {
  const { truth: t, values: p, weights: w } = checkedInputs(metric, yTrue, binaryLabels, 'yPred', yPred, binaryLabels, sampleWeight);
  let tp = 0;
  let predicted = 0;
  let actual = 0;
  let total = 0;
  for (let i = 0; i < t.length; i++) {
    const weight = w ? w[i]! : 1;
    if (t[i] === 1 && p[i] === 1) tp += weight;
    if (p[i] === 1) predicted += weight;
    if (t[i] === 1) actual += weight;
    total += weight;
  }
  const fp = predicted - tp;
  const fn = actual - tp;
  return { truePositives: tp, falsePositives: fp, falseNegatives: fn, trueNegatives: total - tp - fp - fn };
}

/** Turns scores into 0/1 predictions: positive when score >= threshold. */
export function labelsAtThreshold(scores: Numbers, threshold: number): Uint8Array {
  const out = new Uint8Array(scores.length);
  for (let i = 0; i < scores.length; i++) out[i] = scores[i]! >= threshold ? 1 : 0;
  return out;
}
