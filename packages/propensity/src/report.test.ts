import { calibrationCurve } from '@kdap/core';
import { SeededRandom } from '@kdap/preprocessing';
import { calibrationReport, calibrationSlope, gainsTable, propensityMetrics, qualityGrade, reliabilityBins, wilsonInterval } from './report';

function calibratedSample(n: number, seed: number, sharpen = 1): { labels: Float64Array; scores: Float64Array } {
  const random = new SeededRandom(seed);
  const labels = new Float64Array(n);
  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const logOdds = random.normal(-1, 1.5);
    const p = 1 / (1 + Math.exp(-logOdds));
    labels[i] = random.uniform() < p ? 1 : 0;
    scores[i] = 1 / (1 + Math.exp(-sharpen * logOdds));
  }
  return { labels, scores };
}

describe('calibration report', () => {
  it("bins like scikit-learn's calibration_curve (core's calibrationCurve), with Wilson intervals", () => {
    const { labels, scores } = calibratedSample(5000, 7);
    scores[0] = 0.3; // on an inner edge: the lower bin
    const bins = reliabilityBins(labels, scores, 10);
    const curve = calibrationCurve(labels, scores, { nBins: 10 });
    expect(bins.map((b) => b.count)).toEqual(Array.from(curve.counts));
    bins.forEach((b, k) => {
      expect(b.observed_rate).toBeCloseTo(curve.probTrue[k]!, 12);
      expect(b.mean_predicted).toBeCloseTo(curve.probPred[k]!, 12);
      expect(b.wilson_lower).toBeLessThanOrEqual(b.observed_rate);
      expect(b.wilson_upper).toBeGreaterThanOrEqual(b.observed_rate);
    });
    const [lo, hi] = wilsonInterval(5, 10);
    expect(lo).toBeCloseTo(0.2366, 4);
    expect(hi).toBeCloseTo(0.7634, 4);
  });

  it('finds slope ~1 for calibrated scores and ~0.5 for scores twice too extreme', () => {
    const calibrated = calibratedSample(20000, 11);
    expect(calibrationSlope(calibrated.labels, calibrated.scores)!.slope).toBeCloseTo(1, 1);
    const extreme = calibratedSample(20000, 11, 2);
    expect(calibrationSlope(extreme.labels, extreme.scores)!.slope).toBeCloseTo(0.5, 1);
    expect(calibrationSlope([1, 1, 1], [0.2, 0.5, 0.9])).toBeNull();
  });

  it('builds a decile gains table whose gains reach 1 and whose lift falls with the decile', () => {
    const { labels, scores } = calibratedSample(10000, 3);
    const gains = gainsTable(labels, scores);
    expect(gains).toHaveLength(10);
    expect(gains.reduce((s, g) => s + g.count, 0)).toBe(10000);
    expect(gains[9]!.cumulative_gain).toBeCloseTo(1, 12);
    expect(gains[9]!.cumulative_lift).toBeCloseTo(1, 12);
    expect(gains[0]!.lift).toBeGreaterThan(2);
    expect(gains[0]!.lift).toBeGreaterThan(gains[9]!.lift);
  });

  it('ranks tied scores in row order across decile boundaries (few distinct scores, as isotonic calibration gives)', () => {
    const random = new SeededRandom(11);
    for (const n of [1, 7, 10, 23, 1000]) {
      const levels = [0.1, 0.35, 0.35 + 1e-12, 0.6, 0.9, -0];
      const scores = Float64Array.from({ length: n }, () => levels[random.integer(levels.length)]!);
      const labels = Float64Array.from({ length: n }, () => (random.uniform() < 0.4 ? 1 : 0));
      // The definition: a stable sort by score, highest first; each decile's rows in that order.
      const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
      const gains = gainsTable(labels, scores);
      let seen = 0;
      for (const row of gains) {
        const rows = order.slice(seen, seen + row.count);
        seen += row.count;
        expect(row.positives).toBe(rows.reduce((s, i) => s + labels[i]!, 0));
        expect(row.mean_score).toBe(rows.reduce((s, i) => s + scores[i]!, 0) / row.count);
      }
      expect(seen).toBe(n);
    }
  });

  it('grades AUC by the documented bands and reports ECE, Brier and the grade', () => {
    expect([0.55, 0.65, 0.75, 0.85, 0.95, null].map(qualityGrade)).toEqual(['poor', 'fair', 'good', 'very good', 'check for leakage', 'undefined']);
    const { labels, scores } = calibratedSample(20000, 5);
    const report = calibrationReport(labels, scores);
    expect(report.ece).toBeLessThan(0.02);
    expect(report.brier).toBeGreaterThan(0);
    expect(report.quality_grade).toBe(qualityGrade(report.auc_roc));
    const single = calibrationReport([0, 0, 0], [0.1, 0.2, 0.3]);
    expect(single.auc_roc).toBeNull();
    expect(single.quality_grade).toBe('undefined');
    expect(JSON.parse(JSON.stringify(single)).calibration_slope).toBeNull();
  });

  it('reports metrics at a fixed threshold or at the max-F1 threshold, before and after calibration', () => {
    const { labels, scores } = calibratedSample(2000, 9);
    const raw = scores.map((p) => Math.min(1, p * 1.3));
    const fixed = propensityMetrics(labels, raw, scores, 0.5);
    expect(fixed.threshold).toBe(0.5);
    const best = propensityMetrics(labels, raw, scores, 'max_f1');
    expect(best.f1).toBeGreaterThanOrEqual(fixed.f1!);
    expect(Object.keys(best).sort()).toEqual(
      ['auc_pr', 'auc_roc', 'auc_roc_uncalibrated', 'brier', 'brier_uncalibrated', 'f1', 'log_loss', 'log_loss_uncalibrated', 'precision', 'recall', 'threshold'].sort(),
    );
  });
});
