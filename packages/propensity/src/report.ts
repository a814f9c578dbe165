import { brierScoreLoss, chooseThreshold, classificationMetrics, logLoss, rocAucScore, sortScoresInPlace } from '@kdap/core';
import { ParameterError, describe } from '@kdap/errors';

/** Two-sided 95% normal quantile, for Wilson intervals. */
const Z95 = 1.959963984540054;

/** One reliability bin of the calibration report. */
export interface ReliabilityBin {
  /** Score range of the bin: (lower, upper], the first bin [0, upper]. */
  lower: number;
  upper: number;
  /** Customers in the bin. */
  count: number;
  /** Mean calibrated score of the bin (probability). */
  mean_predicted: number;
  /** Observed conversion rate of the bin (probability). */
  observed_rate: number;
  /** 95% Wilson score interval of the observed rate. */
  wilson_lower: number;
  wilson_upper: number;
}

/** One row of the decile gains/lift table (decile 1 = the 10% highest scores). */
export interface GainsRow {
  decile: number;
  count: number;
  positives: number;
  /** Observed conversion rate in the decile. */
  response_rate: number;
  /** Mean calibrated score in the decile. */
  mean_score: number;
  /** Share of all converters found in deciles 1..d (0-1). */
  cumulative_gain: number;
  /** Decile response rate / overall rate. */
  lift: number;
  /** Cumulative response rate of deciles 1..d / overall rate. */
  cumulative_lift: number;
}

/** AUC bands of the quality grade (documented in docs/propensity.md). */
export type QualityGrade = 'poor' | 'fair' | 'good' | 'very good' | 'check for leakage' | 'undefined';

/** The calibration report on held-out rows, saved in the bundle (`state/calibration_report.json`). */
export interface CalibrationReport {
  /** Held-out customers the report is computed on. */
  rows: number;
  positives: number;
  bins: ReliabilityBin[];
  /** Expected calibration error: sum over bins of share x |observed - predicted|. */
  ece: number;
  brier: number;
  /**
   * Slope and intercept of a logistic regression of the outcome on the calibrated log-odds
   * (1 and 0 when perfectly calibrated; slope < 1 means scores are too extreme). Null when a
   * single class makes them undefined.
   */
  calibration_slope: number | null;
  calibration_intercept: number | null;
  /** ROC AUC of the calibrated scores; null with a single class. */
  auc_roc: number | null;
  /** < 0.6 poor, 0.6-0.7 fair, 0.7-0.8 good, 0.8-0.9 very good, >= 0.9 check for leakage. */
  quality_grade: QualityGrade;
  gains: GainsRow[];
}

/** The grade of an AUC (see `CalibrationReport.quality_grade`). */
export function qualityGrade(auc: number | null): QualityGrade {
  if (auc === null || Number.isNaN(auc)) return 'undefined';
  if (auc < 0.6) return 'poor';
  if (auc < 0.7) return 'fair';
  if (auc < 0.8) return 'good';
  if (auc < 0.9) return 'very good';
  return 'check for leakage';
}

/** 95% Wilson score interval of `positives` out of `n`. */
export function wilsonInterval(positives: number, n: number, z = Z95): [number, number] {
  if (n === 0) return [0, 1];
  const p = positives / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  return [Math.max(0, center - half), Math.min(1, center + half)];
}

function checkInputs(owner: string, labels: ArrayLike<number>, scores: ArrayLike<number>): void {
  if (labels.length !== scores.length) {
    throw new ParameterError('scores', `${owner} needs one score per label. Got ${labels.length} labels and ${scores.length} scores.`);
  }
  for (let i = 0; i < scores.length; i++) {
    const p = scores[i]!;
    if (!(p >= 0 && p <= 1)) throw new ParameterError('scores', `${owner} needs probabilities in [0, 1]. Got ${describe(p)} at index ${i}.`);
    const y = labels[i];
    if (y !== 0 && y !== 1) throw new ParameterError('labels', `${owner} needs 0/1 labels. Got ${describe(y)} at index ${i}.`);
  }
}

/**
 * Reliability bins of equal width on [0, 1] (a score on an inner edge falls in the lower bin, as
 * scikit-learn's `calibration_curve` does); empty bins are left out.
 */
export function reliabilityBins(labels: ArrayLike<number>, scores: ArrayLike<number>, nBins = 10): ReliabilityBin[] {
  checkInputs('reliabilityBins', labels, scores);
  const counts = new Float64Array(nBins);
  const sums = new Float64Array(nBins);
  const trues = new Float64Array(nBins);
  const step = 1 / nBins;
  for (let i = 0; i < scores.length; i++) {
    const p = scores[i]!;
    // First inner edge >= p (searchsorted left over edges 1..nBins-1).
    let bin = 0;
    while (bin < nBins - 1 && (bin + 1) * step < p) bin++;
    counts[bin]! += 1;
    sums[bin]! += p;
    trues[bin]! += labels[i]!;
  }
  const bins: ReliabilityBin[] = [];
  for (let b = 0; b < nBins; b++) {
    const n = counts[b]!;
    if (n === 0) continue;
    const [wilsonLower, wilsonUpper] = wilsonInterval(trues[b]!, n);
    bins.push({
      lower: b * step,
      upper: b === nBins - 1 ? 1 : (b + 1) * step,
      count: n,
      mean_predicted: sums[b]! / n,
      observed_rate: trues[b]! / n,
      wilson_lower: wilsonLower,
      wilson_upper: wilsonUpper,
    });
  }
  return bins;
}

/**
 * Logistic regression of the outcome on logit(score) with an intercept (Cox's calibration
 * slope), by Newton's method. Null when it is undefined (a single class, or separable data).
 */
export function calibrationSlope(labels: ArrayLike<number>, scores: ArrayLike<number>): { slope: number; intercept: number } | null {
  const n = labels.length;
  let positives = 0;
  for (let i = 0; i < n; i++) positives += labels[i]!;
  if (positives === 0 || positives === n) return null;
  const eps = 1e-12;
  const f = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = Math.min(Math.max(scores[i]!, eps), 1 - eps);
    f[i] = Math.log(p / (1 - p));
  }
  let slope = 1;
  let intercept = 0;
  for (let iteration = 0; iteration < 50; iteration++) {
    let g0 = 0;
    let g1 = 0;
    let h00 = 0;
    let h01 = 0;
    let h11 = 0;
    for (let i = 0; i < n; i++) {
      const z = intercept + slope * f[i]!;
      // One exp per row and iteration (the same value the two calls gave).
      let p: number;
      if (z >= 0) {
        p = 1 / (1 + Math.exp(-z));
      } else {
        const e = Math.exp(z);
        p = e / (1 + e);
      }
      const r = labels[i]! - p;
      const w = p * (1 - p);
      g0 += r;
      g1 += r * f[i]!;
      h00 += w;
      h01 += w * f[i]!;
      h11 += w * f[i]! * f[i]!;
    }
    const det = h00 * h11 - h01 * h01;
    if (!(det > 0)) return null;
    const d0 = (h11 * g0 - h01 * g1) / det;
    const d1 = (-h01 * g0 + h00 * g1) / det;
    intercept += d0;
    slope += d1;
    if (!Number.isFinite(slope) || !Number.isFinite(intercept)) return null;
    if (Math.abs(d0) < 1e-10 && Math.abs(d1) < 1e-10) break;
  }
  return { slope, intercept };
}

/**
 * Decile gains and lift: customers ranked by score, highest first (ties in row order), cut into
 * ten groups whose sizes differ by at most one.
 */
export function gainsTable(labels: ArrayLike<number>, scores: ArrayLike<number>, groups = 10): GainsRow[] {
  checkInputs('gainsTable', labels, scores);
  const n = scores.length;
  if (n === 0) return [];
  const order = rankByScore(scores);
  let total = 0;
  for (let i = 0; i < n; i++) total += labels[i]!;
  const overall = total / n;
  const rows: GainsRow[] = [];
  let cumulativeCount = 0;
  let cumulativePositives = 0;
  for (let d = 0; d < groups; d++) {
    const start = Math.floor((d * n) / groups);
    const end = Math.floor(((d + 1) * n) / groups);
    if (end === start) continue;
    let positives = 0;
    let sum = 0;
    for (let k = start; k < end; k++) {
      positives += labels[order[k]!]!;
      sum += scores[order[k]!]!;
    }
    const count = end - start;
    cumulativeCount += count;
    cumulativePositives += positives;
    const rate = positives / count;
    rows.push({
      decile: d + 1,
      count,
      positives,
      response_rate: rate,
      mean_score: sum / count,
      cumulative_gain: total === 0 ? 0 : cumulativePositives / total,
      lift: overall === 0 ? 0 : rate / overall,
      cumulative_lift: overall === 0 ? 0 : cumulativePositives / cumulativeCount / overall,
    });
  }
  return rows;
}

/**
 * Row indices by score, highest first, ties in row order: the order of a stable comparator sort,
 * built as a counting sort over the distinct scores (typed arrays; calibrated scores have few
 * distinct values). The boxed comparator sort took 0.05 s of a 200,000-customer fit.
 */
function rankByScore(scores: ArrayLike<number>): Int32Array {
  const n = scores.length;
  const sorted = sortScoresInPlace(Float64Array.from(scores));
  const distinct: number[] = [];
  // Decreasing; -0 and 0 are one score, as the comparator saw them.
  for (let i = n - 1; i >= 0; i--) if (distinct.length === 0 || sorted[i] !== distinct[distinct.length - 1]) distinct.push(sorted[i]!);
  const group = new Int32Array(n);
  const starts = new Int32Array(distinct.length + 1);
  for (let i = 0; i < n; i++) {
    const s = scores[i]!;
    let lo = 0;
    let hi = distinct.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (distinct[mid]! > s) lo = mid + 1;
      else hi = mid;
    }
    group[i] = lo;
    starts[lo + 1]!++;
  }
  for (let g = 1; g < starts.length; g++) starts[g]! += starts[g - 1]!;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[starts[group[i]!]!++] = i;
  return order;
}

/** The calibration report of calibrated scores on held-out rows. */
export function calibrationReport(labels: ArrayLike<number>, scores: ArrayLike<number>, options: { bins?: number } = {}): CalibrationReport {
  checkInputs('calibrationReport', labels, scores);
  const n = labels.length;
  if (n === 0) throw new ParameterError('labels', 'calibrationReport needs at least one held-out row. Got 0.');
  const bins = reliabilityBins(labels, scores, options.bins ?? 10);
  let ece = 0;
  for (const bin of bins) ece += (bin.count / n) * Math.abs(bin.observed_rate - bin.mean_predicted);
  let positives = 0;
  let brier = 0;
  for (let i = 0; i < n; i++) {
    positives += labels[i]!;
    brier += (labels[i]! - scores[i]!) ** 2;
  }
  const both = positives > 0 && positives < n;
  const auc = both ? rocAucScore(labels, scores) : null;
  const slope = calibrationSlope(labels, scores);
  return {
    rows: n,
    positives,
    bins,
    ece,
    brier: brier / n,
    calibration_slope: slope?.slope ?? null,
    calibration_intercept: slope?.intercept ?? null,
    auc_roc: auc,
    quality_grade: qualityGrade(auc),
    gains: gainsTable(labels, scores),
  };
}

/**
 * The Propensity Scorer's metrics on held-out rows (Python names): AUC-ROC, AUC-PR, F1,
 * precision, recall at `threshold` (a number, or 'max_f1' to choose the F1-maximising score),
 * log loss (nats) and Brier of the calibrated scores, plus log loss, Brier and AUC-ROC of the
 * uncalibrated booster output (suffix `_uncalibrated`).
 */
export function propensityMetrics(labels: ArrayLike<number>, raw: ArrayLike<number>, calibrated: ArrayLike<number>, threshold: number | 'max_f1'): Record<string, number> {
  const chosen = threshold === 'max_f1' ? chooseThreshold(labels, calibrated).threshold : threshold;
  const after = classificationMetrics(labels, calibrated, { threshold: chosen });
  // Of the raw scores only these three are reported: no average precision, F1, ... to compute (one sort less).
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i]!;
  const bothClasses = positives > 0 && positives < labels.length;
  return {
    ...after,
    auc_roc_uncalibrated: bothClasses ? rocAucScore(labels, raw) : Number.NaN,
    log_loss_uncalibrated: logLoss(labels, raw),
    brier_uncalibrated: brierScoreLoss(labels, raw),
  };
}
