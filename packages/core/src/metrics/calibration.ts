import { ParameterError } from '@kdap/errors';
import { binaryLabels, probabilities, sameLength, type BinaryLabels, type Numbers } from './inputs';
import { searchSortedLeft } from './search-sorted';

export interface CalibrationCurveOptions {
  /** Number of bins (default 5, as scikit-learn). */
  nBins?: number;
  /** 'uniform' bins of equal width on [0, 1], or 'quantile' bins holding equal numbers of samples. */
  strategy?: 'uniform' | 'quantile';
}

/** Per non-empty bin: observed fraction of positives and mean predicted probability. */
export interface CalibrationCurve {
  probTrue: Float64Array;
  probPred: Float64Array;
  /** Samples per returned bin. */
  counts: Float64Array;
}

/** NumPy's `linspace(0, 1, n + 1)`: i * (1 / n), with the last edge exactly 1. */
function uniformEdges(nBins: number): Float64Array {
  const step = 1 / nBins;
  const edges = Float64Array.from({ length: nBins + 1 }, (_, i) => i * step);
  edges[nBins] = 1;
  return edges;
}

/** NumPy's `percentile(values, q * 100)` with linear interpolation, for each edge q in [0, 1]. */
function quantileEdges(values: Float64Array, nBins: number): Float64Array {
  const sorted = values.slice().sort();
  const n = sorted.length;
  return uniformEdges(nBins).map((q) => {
    const virtual = (n - 1) * ((q * 100) / 100);
    if (virtual >= n - 1) return sorted[n - 1]!;
    const below = Math.floor(virtual);
    const gamma = virtual - below;
    const a = sorted[below]!;
    const b = sorted[below + 1]!;
    const diff = b - a;
    // NumPy interpolates from the nearer end to stay monotone.
    return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
  });
}

/**
 * Reliability diagram data (scikit-learn `calibration.calibration_curve`). A probability equal to
 * an inner bin edge falls in the lower bin (NumPy `searchsorted`, side 'left'). Empty bins are left
 * out, as scikit-learn does.
 */
export function calibrationCurve(yTrue: BinaryLabels, yProb: Numbers, options: CalibrationCurveOptions = {}): CalibrationCurve {
  const metric = 'calibrationCurve';
  sameLength(metric, yTrue, yProb, ['yTrue', 'yProb']);
  const nBins = options.nBins ?? 5;
  if (!Number.isInteger(nBins) || nBins < 1) throw new ParameterError('nBins', `The 'nBins' option of ${metric} must be an integer >= 1. Got ${nBins}.`);
  const strategy = options.strategy ?? 'uniform';
  if (strategy !== 'uniform' && strategy !== 'quantile') {
    throw new ParameterError('strategy', `The 'strategy' option of ${metric} must be 'uniform' or 'quantile'. Got '${String(strategy)}'.`);
  }
  const y = binaryLabels(metric, 'yTrue', yTrue);
  const p = probabilities(metric, 'yProb', yProb);
  const edges = strategy === 'uniform' ? uniformEdges(nBins) : quantileEdges(p, nBins);
  const inner = edges.subarray(1, edges.length - 1);
  const sums = new Float64Array(edges.length);
  const trues = new Float64Array(edges.length);
  const totals = new Float64Array(edges.length);
  for (let i = 0; i < p.length; i++) {
    const bin = searchSortedLeft(inner, p[i]!);
    sums[bin]! += p[i]!;
    trues[bin]! += y[i]!;
    totals[bin]! += 1;
  }
  const probTrue: number[] = [];
  const probPred: number[] = [];
  const counts: number[] = [];
  for (let b = 0; b < edges.length; b++) {
    if (totals[b] === 0) continue;
    probTrue.push(trues[b]! / totals[b]!);
    probPred.push(sums[b]! / totals[b]!);
    counts.push(totals[b]!);
  }
  return { probTrue: Float64Array.from(probTrue), probPred: Float64Array.from(probPred), counts: Float64Array.from(counts) };
}
