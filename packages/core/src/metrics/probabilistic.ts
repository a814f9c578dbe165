import { ParameterError } from '@kdap/errors';
import { binaryLabels, checkedInputs, probabilities, type BinaryLabels, type Numbers } from './inputs';
import type { WeightOptions } from './regression';
import { average, pairwiseSum } from './sum';

export interface LogLossOptions extends WeightOptions {
  /** Mean loss per sample (default) or, with false, the (weighted) sum. */
  normalize?: boolean;
}

/**
 * Binary cross-entropy in nats (scikit-learn `log_loss` with `labels=[0, 1]`). As scikit-learn
 * 1.5 does, probabilities are clipped to [eps, 1 - eps] with eps = 2.22e-16 (float64 machine
 * epsilon) after forming 1 - p, so a confident wrong answer costs about 36 nats, not infinity.
 * A single class in `yTrue` is allowed because the labels are known to be {0, 1}.
 */
export function logLoss(yTrue: BinaryLabels, yProb: Numbers, options: LogLossOptions = {}): number {
  const metric = 'logLoss';
  const { truth: y, values: p, weights: w } = checkedInputs(metric, yTrue, binaryLabels, 'yProb', yProb, probabilities, options.sampleWeight);
  const eps = Number.EPSILON;
  const clip = (v: number) => Math.min(Math.max(v, eps), 1 - eps);
  const loss = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) loss[i] = y[i] === 1 ? -Math.log(clip(p[i]!)) : -Math.log(clip(1 - p[i]!));
  if (options.normalize === false) {
    if (!w) return pairwiseSum(loss);
    let dot = 0;
    for (let i = 0; i < loss.length; i++) dot += loss[i]! * w[i]!;
    return dot;
  }
  if (w && pairwiseSum(w) === 0) throw new ParameterError('sampleWeight', `The 'sampleWeight' option of ${metric} must not sum to 0.`);
  return average(loss, w);
}

/** Brier score: mean squared difference between the 0/1 outcome and its probability (scikit-learn `brier_score_loss`). */
export function brierScoreLoss(yTrue: BinaryLabels, yProb: Numbers, options: WeightOptions = {}): number {
  const metric = 'brierScoreLoss';
  const { truth: y, values: p, weights: w } = checkedInputs(metric, yTrue, binaryLabels, 'yProb', yProb, probabilities, options.sampleWeight);
  if (w && pairwiseSum(w) === 0) throw new ParameterError('sampleWeight', `The 'sampleWeight' option of ${metric} must not sum to 0.`);
  const sq = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) sq[i] = (y[i]! - p[i]!) ** 2;
  return average(sq, w);
}
