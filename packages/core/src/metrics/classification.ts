import { binaryConfusion, type BinaryConfusion } from './confusion';
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
  return ratiosOf(binaryConfusion('precisionScore', yTrue, yPred, options.sampleWeight), options.zeroDivision).precision;
}

/** Recall tp / (tp + fn) of 0/1 predictions (scikit-learn `recall_score`, binary). */
export function recallScore(yTrue: BinaryLabels, yPred: BinaryLabels, options: ZeroDivisionOptions = {}): number {
  return ratiosOf(binaryConfusion('recallScore', yTrue, yPred, options.sampleWeight), options.zeroDivision).recall;
}

/** F1 = 2 tp / (2 tp + fp + fn) of 0/1 predictions (scikit-learn `f1_score`, binary). */
export function f1Score(yTrue: BinaryLabels, yPred: BinaryLabels, options: ZeroDivisionOptions = {}): number {
  return ratiosOf(binaryConfusion('f1Score', yTrue, yPred, options.sampleWeight), options.zeroDivision).f1;
}

/** Precision, recall and F1 of one confusion matrix (what the three scores above compute from it). */
export function ratiosOf(c: BinaryConfusion, zeroDivision = 0): { precision: number; recall: number; f1: number } {
  const actual = c.truePositives + c.falseNegatives;
  const predicted = c.truePositives + c.falsePositives;
  return {
    precision: ratio(c.truePositives, predicted, zeroDivision),
    recall: ratio(c.truePositives, actual, zeroDivision),
    f1: ratio(2 * c.truePositives, actual + predicted, zeroDivision),
  };
}
