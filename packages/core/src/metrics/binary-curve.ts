import { ParameterError } from '@kdap/errors';
import { binaryLabels, checkedInputs, finiteValues, type BinaryLabels, type Numbers } from './inputs';

/** Cumulative false/true positive (weights) at each distinct score, highest score first. */
export interface BinaryCurve {
  fps: Float64Array;
  tps: Float64Array;
  /** The distinct scores, decreasing: predicting positive for score >= thresholds[i] gives fps[i], tps[i]. */
  thresholds: Float64Array;
}

/**
 * scikit-learn's `_binary_clf_curve`: samples with weight 0 are dropped, scores are sorted
 * decreasing with the same tie order (stable ascending sort, then reversed) so the cumulative
 * sums add up in the same order.
 */
export function binaryCurve(metric: string, yTrue: BinaryLabels, yScore: Numbers, sampleWeight?: Numbers): BinaryCurve {
  let { truth: y, values: s, weights: w } = checkedInputs(metric, yTrue, binaryLabels, 'yScore', yScore, finiteValues, sampleWeight);
  if (w !== undefined) {
    const keep: number[] = [];
    for (let i = 0; i < w.length; i++) if (w[i] !== 0) keep.push(i);
    y = Float64Array.from(keep, (i) => y[i]!);
    s = Float64Array.from(keep, (i) => s[i]!);
    w = Float64Array.from(keep, (i) => w![i]!);
    if (keep.length === 0) throw new ParameterError('sampleWeight', `Every sample of ${metric} has weight 0.`);
  }
  const ascending = Array.from(s.keys()).sort((a, b) => s[a]! - s[b]! || a - b);
  const order = ascending.reverse();
  const fps: number[] = [];
  const tps: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    const weight = w ? w[i]! : 1;
    tp += y[i]! * weight;
    if (w) fp += (1 - y[i]!) * weight;
    const next = order[k + 1];
    if (next === undefined || s[next] !== s[i]) {
      tps.push(tp);
      // Unweighted, scikit-learn counts false positives as (rank + 1 - tps), not by summing.
      fps.push(w ? fp : k + 1 - tp);
      thresholds.push(s[i]!);
    }
  }
  return { fps: Float64Array.from(fps), tps: Float64Array.from(tps), thresholds: Float64Array.from(thresholds) };
}
