import { binaryConfusion } from './confusion';
import type { BinaryLabels } from './inputs';
import type { WeightOptions } from './regression';

export interface ZeroDivisionOptions extends WeightOptions {
  /**
   * The value when the ratio is 0/0 (no predicted positives for precision, no actual positives
   * for recall, neither for F1). scikit-learn's default 'warn' gives 0, which is our default too;
   * pass 1 or NaN for its other choices.
   */
  zeroDivision?: 0 | 1 | number;
}

function ratio(numerator: number, denominator: number, zeroDivision: number): number {
  return denominator === 0 ? zeroDivision : numerator / denominator;
}

/** Precision tp / (tp + fp) of 0/1 predictions (scikit-learn `precision_score`, binary). */
export function precisionScore(yTrue: BinaryLabels, yPred: BinaryLabels, options: ZeroDivisionOptions = {}): number {
  const c = binaryConfusion('precisionScore', yTrue, yPred, options.sampleWeight);
  return ratio(c.truePositives, c.truePositives + c.falsePositives, options.zeroDivision ?? 0);
}

/** Recall tp / (tp + fn) of 0/1 predictions (scikit-learn `recall_score`, binary). */
export function recallScore(yTrue: BinaryLabels, yPred: BinaryLabels, options: ZeroDivisionOptions = {}): number {
  const c = binaryConfusion('recallScore', yTrue, yPred, options.sampleWeight);
  return ratio(c.truePositives, c.truePositives + c.falseNegatives, options.zeroDivision ?? 0);
}

/** F1 = 2 tp / (2 tp + fp + fn) of 0/1 predictions (scikit-learn `f1_score`, binary). */
export function f1Score(yTrue: BinaryLabels, yPred: BinaryLabels, options: ZeroDivisionOptions = {}): number {
  const c = binaryConfusion('f1Score', yTrue, yPred, options.sampleWeight);
  const actual = c.truePositives + c.falseNegatives;
  const predicted = c.truePositives + c.falsePositives;
  return ratio(2 * c.truePositives, actual + predicted, options.zeroDivision ?? 0);
}
