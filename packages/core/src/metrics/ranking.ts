import { DataError } from '@kdap/errors';
import { binaryCurve, type BinaryCurve } from './binary-curve';
import { binaryLabels, type BinaryLabels, type Numbers } from './inputs';
import type { WeightOptions } from './regression';
import { pairwiseSum } from './sum';

/**
 * Area under the ROC curve (scikit-learn `roc_auc_score`, binary): tied scores count half, as the
 * trapezoid between their points does. Undefined with a single class in `yTrue` (DataError).
 */
export function rocAucScore(yTrue: BinaryLabels, yScore: Numbers, options: WeightOptions = {}): number {
  const labels = binaryLabels('rocAucScore', 'yTrue', yTrue);
  if (!labels.includes(0) || !labels.includes(1)) {
    throw new DataError(
      `ROC AUC (rocAucScore) is not defined when yTrue holds a single class (all ${labels[0]}). Evaluate on data with both classes.`,
    );
  }
  return rocAucFromCurve(binaryCurve('rocAucScore', labels, yScore, options.sampleWeight));
}

/** The ROC AUC of a binary curve with both classes (see rocAucScore). */
export function rocAucFromCurve(curve: BinaryCurve): number {
  let { fps, tps } = curve;
  // scikit-learn drops collinear points (drop_intermediate=True); the area is the same, and doing
  // the same keeps the floating-point sum the same.
  if (fps.length > 2) {
    const keep: number[] = [0];
    for (let i = 1; i < fps.length - 1; i++) {
      const d2f = fps[i + 1]! - fps[i]! - (fps[i]! - fps[i - 1]!);
      const d2t = tps[i + 1]! - tps[i]! - (tps[i]! - tps[i - 1]!);
      if (d2f !== 0 || d2t !== 0) keep.push(i);
    }
    keep.push(fps.length - 1);
    fps = Float64Array.from(keep, (i) => fps[i]!);
    tps = Float64Array.from(keep, (i) => tps[i]!);
  }
  const fpTotal = fps[fps.length - 1]!;
  const tpTotal = tps[tps.length - 1]!;
  // Weights can leave one class with no mass; scikit-learn returns NaN then.
  if (fpTotal <= 0 || tpTotal <= 0) return Number.NaN;
  const n = fps.length + 1;
  const fpr = new Float64Array(n);
  const tpr = new Float64Array(n);
  for (let i = 0; i < fps.length; i++) {
    fpr[i + 1] = fps[i]! / fpTotal;
    tpr[i + 1] = tps[i]! / tpTotal;
  }
  const strips = new Float64Array(n - 1);
  for (let i = 0; i < n - 1; i++) strips[i] = ((fpr[i + 1]! - fpr[i]!) * (tpr[i + 1]! + tpr[i]!)) / 2;
  return pairwiseSum(strips);
}

/** Precision and recall at each distinct threshold, scikit-learn `precision_recall_curve` order (recall decreasing, then the (1, 0) end point). */
export function precisionRecallCurve(
  yTrue: BinaryLabels,
  yScore: Numbers,
  options: WeightOptions = {},
): { precision: Float64Array; recall: Float64Array; thresholds: Float64Array } {
  return curve('precisionRecallCurve', yTrue, yScore, options);
}

function curve(metric: string, yTrue: BinaryLabels, yScore: Numbers, options: WeightOptions) {
  return precisionRecallOf(binaryCurve(metric, yTrue, yScore, options.sampleWeight));
}

function precisionRecallOf({ fps, tps, thresholds }: BinaryCurve) {
  const n = tps.length;
  const precision = new Float64Array(n + 1);
  const recall = new Float64Array(n + 1);
  const tpTotal = tps[n - 1]!;
  for (let i = 0; i < n; i++) {
    const predicted = tps[i]! + fps[i]!;
    precision[n - 1 - i] = predicted !== 0 ? tps[i]! / predicted : 0;
    // No positives at all: scikit-learn sets recall to 1 everywhere (and warns).
    recall[n - 1 - i] = tpTotal === 0 ? 1 : tps[i]! / tpTotal;
  }
  precision[n] = 1;
  recall[n] = 0;
  return { precision, recall, thresholds: thresholds.slice().reverse() };
}

/**
 * Average precision (scikit-learn `average_precision_score`): the step-function area under the
 * precision-recall curve, sum over thresholds of (R_n - R_{n-1}) * P_n, without interpolation.
 * With no positive sample it is 0 (scikit-learn warns), with no negative sample 1.
 */
export function averagePrecisionScore(yTrue: BinaryLabels, yScore: Numbers, options: WeightOptions = {}): number {
  return averagePrecisionFromCurve(binaryCurve('averagePrecisionScore', yTrue, yScore, options.sampleWeight));
}

/** The average precision of a binary curve (see averagePrecisionScore). */
export function averagePrecisionFromCurve(binary: BinaryCurve): number {
  const { precision, recall } = precisionRecallOf(binary);
  const terms = new Float64Array(recall.length - 1);
  for (let i = 0; i < terms.length; i++) terms[i] = (recall[i + 1]! - recall[i]!) * precision[i]!;
  return -pairwiseSum(terms);
}
