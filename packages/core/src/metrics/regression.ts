import { ParameterError } from '@kdap/errors';
import { checkedInputs, finiteValues, type Numbers } from './inputs';
import { average, pairwiseSum } from './sum';

/** Options every weighted metric takes. */
export interface WeightOptions {
  /** One non-negative weight per sample, as scikit-learn's `sample_weight`. */
  sampleWeight?: Numbers;
}

function prepare(metric: string, yTrue: Numbers, yPred: Numbers, options: WeightOptions) {
  const { truth: t, values: p, weights: w } = checkedInputs(metric, yTrue, finiteValues, 'yPred', yPred, finiteValues, options.sampleWeight);
  if (w !== undefined && pairwiseSum(w) === 0) throw new ParameterError('sampleWeight', `The 'sampleWeight' option of ${metric} must not sum to 0.`);
  return { t, p, w };
}

function squaredError(metric: string, yTrue: Numbers, yPred: Numbers, options: WeightOptions): number {
  const { t, p, w } = prepare(metric, yTrue, yPred, options);
  const sq = new Float64Array(t.length);
  for (let i = 0; i < t.length; i++) sq[i] = (t[i]! - p[i]!) ** 2;
  return average(sq, w);
}

/** Mean squared error, in squared target units (scikit-learn `mean_squared_error`). */
export function meanSquaredError(yTrue: Numbers, yPred: Numbers, options: WeightOptions = {}): number {
  return squaredError('meanSquaredError', yTrue, yPred, options);
}

/** Root mean squared error, in target units (scikit-learn `root_mean_squared_error`). */
export function rootMeanSquaredError(yTrue: Numbers, yPred: Numbers, options: WeightOptions = {}): number {
  return Math.sqrt(squaredError('rootMeanSquaredError', yTrue, yPred, options));
}

/** Mean absolute error, in target units (scikit-learn `mean_absolute_error`). */
export function meanAbsoluteError(yTrue: Numbers, yPred: Numbers, options: WeightOptions = {}): number {
  const { t, p, w } = prepare('meanAbsoluteError', yTrue, yPred, options);
  const abs = new Float64Array(t.length);
  for (let i = 0; i < t.length; i++) abs[i] = Math.abs(p[i]! - t[i]!);
  return average(abs, w);
}

/**
 * Mean absolute percentage error as a fraction (0.1 = 10 %), exactly scikit-learn's
 * `mean_absolute_percentage_error`: |pred - true| / max(|true|, eps) with eps = 2.22e-16.
 *
 * Zero targets are not skipped: a zero target with a non-zero prediction contributes
 * |pred| / 2.22e-16, so the result becomes enormous. That is deliberate parity (a model that
 * misses zero returns must not look good); filter zero targets first if that is not what you want.
 */
export function meanAbsolutePercentageError(yTrue: Numbers, yPred: Numbers, options: WeightOptions = {}): number {
  const { t, p, w } = prepare('meanAbsolutePercentageError', yTrue, yPred, options);
  const ratio = new Float64Array(t.length);
  for (let i = 0; i < t.length; i++) ratio[i] = Math.abs(p[i]! - t[i]!) / Math.max(Math.abs(t[i]!), Number.EPSILON);
  return average(ratio, w);
}

/**
 * Coefficient of determination (scikit-learn `r2_score`, `force_finite=True`): 1 for a perfect
 * fit; for a constant target, 1 if the predictions are exact and 0 otherwise; NaN with fewer than
 * two samples (as scikit-learn, which warns).
 */
export function r2Score(yTrue: Numbers, yPred: Numbers, options: WeightOptions = {}): number {
  const { t, p, w } = prepare('r2Score', yTrue, yPred, options);
  if (t.length < 2) return Number.NaN;
  const mean = average(t, w);
  const num = new Float64Array(t.length);
  const den = new Float64Array(t.length);
  for (let i = 0; i < t.length; i++) {
    const weight = w ? w[i]! : 1;
    num[i] = weight * (t[i]! - p[i]!) ** 2;
    den[i] = weight * (t[i]! - mean) ** 2;
  }
  const numerator = pairwiseSum(num);
  const denominator = pairwiseSum(den);
  if (numerator === 0) return 1;
  if (denominator === 0) return 0;
  return 1 - numerator / denominator;
}
