import { expectKdapError, SeededRandom } from '@kdap/test-support';
import { binaryCurve } from './binary-curve';
import { anomalyMetrics } from './anomaly';
import { calibrationCurve } from './calibration';
import { labelsAtThreshold } from './confusion';
import { logLoss } from './probabilistic';
import { averagePrecisionScore, rocAucScore } from './ranking';
import { meanAbsoluteError, meanAbsolutePercentageError, r2Score, rootMeanSquaredError } from './regression';
import { classificationMetrics, regressionMetrics } from './report';
import { searchSortedLeft } from './search-sorted';
import { pairwiseSum } from './sum';
import { chooseThreshold } from './threshold';

describe('chooseThreshold', () => {
  it('picks the score with the best F1 (hand-derived)', () => {
    // Scores high to low: 0.9(1) 0.8(1) 0.7(0) 0.6(1) 0.2(0); 3 positives.
    // t=0.9: tp1 fp0 -> F1 2/4=0.5; t=0.8: tp2 fp0 -> 4/5=0.8; t=0.7: tp2 fp1 -> 4/6;
    // t=0.6: tp3 fp1 -> 6/7=0.857; t=0.2: tp3 fp2 -> 6/8.
    const chosen = chooseThreshold([1, 1, 0, 1, 0], [0.9, 0.8, 0.7, 0.6, 0.2]);
    expect(chosen).toEqual({ threshold: 0.6, f1: 6 / 7, precision: 3 / 4, recall: 1 });
  });

  it('prefers the higher threshold on a tie', () => {
    // t=0.8: tp1 fp0, 2 positives -> 2/3; t=0.4: tp2 fp2 -> 4/6 = 2/3 too.
    expect(chooseThreshold([1, 0, 0, 1], [0.8, 0.6, 0.5, 0.4]).threshold).toBe(0.8);
  });
});

describe('searchSortedLeft', () => {
  it("finds NumPy's searchsorted(side='left') index: the first of equal values, the end past the last", () => {
    const sorted = Float64Array.from([1, 2, 2, 2, 5]);
    expect([0, 1, 2, 3, 5, 6].map((v) => searchSortedLeft(sorted, v))).toEqual([0, 0, 1, 4, 4, 5]);
    expect(searchSortedLeft([], 3)).toBe(0);
    expect(searchSortedLeft([0.1, 0.2, 0.3], Number.NEGATIVE_INFINITY)).toBe(0);
  });
});

describe('labelsAtThreshold', () => {
  it('counts a score equal to the threshold as positive', () => {
    expect(Array.from(labelsAtThreshold([0.49, 0.5, 0.51], 0.5))).toEqual([0, 1, 1]);
  });
});

describe('anomalyMetrics', () => {
  it('gives the detected rate without labels and precision/recall/F1 with them (hand-derived)', () => {
    expect(anomalyMetrics([1, 0, 0, 1])).toEqual({ detected_anomaly_rate: 0.5 });
    // flags 1 1 0 0 0, labels 1 0 1 0 0: tp 1, fp 1, fn 1.
    expect(anomalyMetrics([1, 1, 0, 0, 0], [1, 0, 1, 0, 0])).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5, detected_anomaly_rate: 0.4 });
  });
});

describe('reports', () => {
  it('regressionMetrics uses the Python names (hand-derived)', () => {
    // errors 1, -1, 2 on targets 2, 4, 8: mse 2, mae 4/3, mape (1/2 + 1/4 + 2/8) / 3 = 1/3.
    const m = regressionMetrics([2, 4, 8], [3, 3, 10]);
    expect(m.rmse).toBeCloseTo(Math.sqrt(2), 15);
    expect(m.mae).toBeCloseTo(4 / 3, 15);
    expect(m.mape).toBeCloseTo(1 / 3, 15);
    // mean 14/3; SS_tot = (8/3)^2 + (2/3)^2 + (10/3)^2 = 168/9; SS_res = 6.
    expect(m.r2).toBeCloseTo(1 - 6 / (168 / 9), 15);
  });

  it('classificationMetrics reports NaN AUC for a single class instead of throwing', () => {
    const m = classificationMetrics([0, 0, 0], [0.1, 0.7, 0.2]);
    expect(m.auc_roc).toBeNaN();
    expect(m.precision).toBe(0);
    expect(m.threshold).toBe(0.5);
  });
});

describe('hand-derived values', () => {
  it('ROC AUC counts a tie between a positive and a negative as half', () => {
    // Pairs (pos, neg): (0.8,0.3) win, (0.8,0.5) win, (0.5,0.3) win, (0.5,0.5) tie -> 3.5 / 4.
    expect(rocAucScore([1, 1, 0, 0], [0.8, 0.5, 0.5, 0.3])).toBe(0.875);
  });

  it('log loss clips a confident wrong answer to -ln(eps) nats', () => {
    expect(logLoss([1], [0])).toBe(-Math.log(Number.EPSILON));
  });

  it('MAPE divides by eps for a zero target', () => {
    expect(meanAbsolutePercentageError([0], [1])).toBe(1 / Number.EPSILON);
  });

  it('calibrationCurve leaves out empty bins and puts an edge value in the lower bin', () => {
    const curve = calibrationCurve([0, 1, 1], [0.2, 0.2, 0.9], { nBins: 5 });
    expect(Array.from(curve.probTrue)).toEqual([0.5, 1]);
    expect(Array.from(curve.probPred)).toEqual([0.2, 0.9]);
    expect(Array.from(curve.counts)).toEqual([2, 1]);
  });
});

describe('bad input', () => {
  it('names the argument and the problem', () => {
    expect(expectKdapError(() => rootMeanSquaredError([1, 2], [1]), 'ERR_KDAP_PARAMETER')).toMatchObject({ parameter: 'yPred' });
    expect(() => rootMeanSquaredError([1, 2], [1])).toThrow(
      "The 'yTrue' and 'yPred' arguments of rootMeanSquaredError must have the same length. Got 2 and 1.",
    );
    expect(() => rootMeanSquaredError([1, Number.NaN], [1, 2])).toThrow("The 'yTrue' argument of rootMeanSquaredError must hold finite numbers. Got NaN at index 1.");
    expect(() => rocAucScore([0, 2], [0.1, 0.2])).toThrow("The 'yTrue' argument of rocAucScore must hold binary labels (0/1 or booleans). Got 2 at index 1.");
    // Typed labels take a faster check; a bad one is reported the same way.
    expect(() => rocAucScore(Float64Array.from([0, 1, 0.5]), [0.1, 0.2, 0.3])).toThrow("The 'yTrue' argument of rocAucScore must hold binary labels (0/1 or booleans). Got 0.5 at index 2.");
    expect(() => classificationMetrics(Float64Array.from([1, Number.NaN]), [0.1, 0.2])).toThrow("The 'yTrue' argument of classificationMetrics must hold binary labels (0/1 or booleans). Got NaN at index 1.");
    expect(() => rocAucScore(Uint8Array.from([0, 1, 3]), [0.1, 0.2, 0.3])).toThrow("Got 3 at index 2.");
    expect(rocAucScore(Uint8Array.from([0, 1, 1, 0]), [0.1, 0.8, 0.4, 0.3])).toBe(rocAucScore([0, 1, 1, 0], [0.1, 0.8, 0.4, 0.3]));
    expect(() => averagePrecisionScore([0, 1], [0.1])).toThrow("The 'yTrue' and 'yScore' arguments of averagePrecisionScore must have the same length. Got 2 and 1.");
    expect(() => logLoss([0, 1], [0.5, 1.5])).toThrow("The 'yProb' argument of logLoss must hold probabilities in [0, 1]. Got 1.5 at index 1.");
    expect(() => meanAbsoluteError([1, 2], [1, 2], { sampleWeight: [1, -1] })).toThrow(
      "The 'sampleWeight' option of meanAbsoluteError must hold weights >= 0. Got -1 at index 1.",
    );
    expect(() => r2Score([1, 2], [1, 2], { sampleWeight: [0, 0] })).toThrow("The 'sampleWeight' option of r2Score must not sum to 0.");
    expect(() => rootMeanSquaredError([], [])).toThrow('rootMeanSquaredError needs at least one sample. Got none.');
    expect(() => calibrationCurve([0, 1], [0.1, 0.2], { nBins: 0 })).toThrow("The 'nBins' option of calibrationCurve must be an integer >= 1. Got 0.");
  });
});

describe('binaryCurve', () => {
  it('counts the same without weights as with weights of 1 (heavy ties, -0 and 0, one class)', () => {
    const rng = new SeededRandom(20261206);
    for (let trial = 0; trial < 20; trial++) {
      const n = 1 + rng.integer(300);
      const y = rng.array(n, (r) => (trial === 3 ? 1 : r.next() < 0.3 ? 1 : 0));
      const s = rng.array(n, (r) => (r.next() < 0.1 ? -0 : Math.round(r.next() * 8) / 8 - 0.25));
      const unweighted = binaryCurve('test', y, s);
      const ones = binaryCurve('test', y, s, new Array<number>(n).fill(1));
      expect(Array.from(unweighted.tps)).toEqual(Array.from(ones.tps));
      expect(Array.from(unweighted.fps)).toEqual(Array.from(ones.fps));
      expect(Array.from(unweighted.thresholds, (t) => t + 0)).toEqual(Array.from(ones.thresholds, (t) => t + 0));
      expect(unweighted.tps[unweighted.tps.length - 1]! + unweighted.fps[unweighted.fps.length - 1]!).toBe(n);
    }
  });

  it('is the hand-derived curve on a small example', () => {
    // Scores high to low: 0.9(1) 0.5(0) 0.5(1) 0.2(0).
    const curve = binaryCurve('test', [1, 0, 1, 0], [0.9, 0.5, 0.5, 0.2]);
    expect(Array.from(curve.thresholds)).toEqual([0.9, 0.5, 0.2]);
    expect(Array.from(curve.tps)).toEqual([1, 2, 2]);
    expect(Array.from(curve.fps)).toEqual([0, 1, 2]);
  });
});

describe('pairwiseSum', () => {
  /** NumPy's pairwise pattern written plainly: eight partial sums per block of up to 128 values. */
  function reference(values: number[], start = 0, end = values.length): number {
    const n = end - start;
    if (n < 8) return values.slice(start, end).reduce((s, v) => s + v, 0);
    if (n <= 128) {
      const r = values.slice(start, start + 8);
      const blocked = n - (n % 8);
      for (let i = 8; i < blocked; i += 8) for (let j = 0; j < 8; j++) r[j]! += values[start + i + j]!;
      let s = r[0]! + r[1]! + (r[2]! + r[3]!) + (r[4]! + r[5]! + (r[6]! + r[7]!));
      for (let i = blocked; i < n; i++) s += values[start + i]!;
      return s;
    }
    let half = Math.floor(n / 2);
    half -= half % 8;
    return reference(values, start, start + half) + reference(values, start + half, end);
  }

  it('adds in NumPy order, to the last bit, at every length', () => {
    const random = new SeededRandom(5);
    for (const n of [0, 1, 7, 8, 9, 15, 16, 127, 128, 129, 200, 1000, 4099, 100003]) {
      const values = Array.from({ length: n }, () => (random.uniform() - 0.3) * 10 ** Math.floor(random.uniform() * 12));
      expect(pairwiseSum(Float64Array.from(values))).toBe(reference(values));
      if (n > 10) expect(pairwiseSum(values, 3, n - 2)).toBe(reference(values, 3, n - 2));
    }
  });
});
