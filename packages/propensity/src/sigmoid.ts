import { DataError, ParameterError, describe } from '@kdap/errors';

/** The fitted state of a sigmoid (Platt) calibrator, as saved in a bundle. */
export interface SigmoidState {
  readonly method: 'sigmoid';
  /** calibrated = 1 / (1 + exp(a * logit(raw) + b)). */
  readonly a: number;
  readonly b: number;
}

/** Raw probabilities are clipped this far inside (0, 1) before taking their log-odds. */
const LOGIT_CLIP = 1e-15;

function logit(p: number): number {
  const q = Math.min(Math.max(p, LOGIT_CLIP), 1 - LOGIT_CLIP);
  return Math.log(q / (1 - q));
}

/**
 * Platt scaling on the model's log-odds: calibrated = 1 / (1 + exp(a * logit(raw) + b)), fitted
 * by Newton's method with backtracking (Lin, Lin & Weng 2007) on Platt's smoothed targets
 * (positives (N+ + 1) / (N+ + 2), negatives 1 / (N- + 2)), the objective scikit-learn's
 * `_sigmoid_calibration` minimises. Two parameters, so it needs far fewer rows than isotonic
 * regression; preferred when the calibration set is small.
 */
export class SigmoidCalibrator {
  readonly method = 'sigmoid' as const;
  readonly a: number;
  readonly b: number;

  private constructor(a: number, b: number) {
    this.a = a;
    this.b = b;
  }

  /**
   * Fits on raw probabilities and 0/1 labels.
   *
   * @throws ParameterError for mismatched lengths, values outside [0, 1] / not 0-1, or no rows.
   */
  static fit(scores: ArrayLike<number>, labels: ArrayLike<number>): SigmoidCalibrator {
    const owner = 'SigmoidCalibrator.fit';
    const n = scores.length;
    if (n === 0 || labels.length !== n) {
      throw new ParameterError('labels', `${owner} needs one 0/1 label per score and at least one row. Got ${n} scores and ${labels.length} labels.`);
    }
    const f = new Float64Array(n);
    let positives = 0;
    for (let i = 0; i < n; i++) {
      const p = scores[i]!;
      if (!(p >= 0 && p <= 1)) throw new ParameterError('scores', `The 'scores' argument of ${owner} must hold probabilities in [0, 1]. Got ${describe(p)} at index ${i}.`);
      const y = labels[i];
      if (y !== 0 && y !== 1) throw new ParameterError('labels', `The 'labels' argument of ${owner} must hold 0/1 labels. Got ${describe(y)} at index ${i}.`);
      f[i] = logit(p);
      positives += y;
    }
    const negatives = n - positives;
    const hi = (positives + 1) / (positives + 2);
    const lo = 1 / (negatives + 2);
    const t = Float64Array.from({ length: n }, (_, i) => (labels[i] === 1 ? hi : lo));

    // Objective: sum of cross-entropy between t and p = 1 / (1 + exp(a f + b)), computed stably.
    const objective = (a: number, b: number): number => {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const z = a * f[i]! + b;
        sum += z >= 0 ? (t[i]! * z + Math.log1p(Math.exp(-z))) : ((t[i]! - 1) * z + Math.log1p(Math.exp(z)));
      }
      return sum;
    };
    let a = 0;
    let b = Math.log((negatives + 1) / (positives + 1));
    let value = objective(a, b);
    const sigma = 1e-12;
    for (let iteration = 0; iteration < 100; iteration++) {
      let h11 = sigma;
      let h22 = sigma;
      let h21 = 0;
      let g1 = 0;
      let g2 = 0;
      for (let i = 0; i < n; i++) {
        const z = a * f[i]! + b;
        // p = P(y = 1) = 1 / (1 + exp(z)); q = 1 - p.
        const p = z >= 0 ? Math.exp(-z) / (1 + Math.exp(-z)) : 1 / (1 + Math.exp(z));
        const q = 1 - p;
        const d2 = p * q;
        h11 += f[i]! * f[i]! * d2;
        h22 += d2;
        h21 += f[i]! * d2;
        const d1 = t[i]! - p;
        g1 += f[i]! * d1;
        g2 += d1;
      }
      if (Math.abs(g1) < 1e-10 && Math.abs(g2) < 1e-10) break;
      const det = h11 * h22 - h21 * h21;
      const dA = -(h22 * g1 - h21 * g2) / det;
      const dB = -(-h21 * g1 + h11 * g2) / det;
      const gd = g1 * dA + g2 * dB;
      let step = 1;
      let improved = false;
      while (step >= 1e-10) {
        const na = a + step * dA;
        const nb = b + step * dB;
        const nv = objective(na, nb);
        if (nv < value + 1e-4 * step * gd) {
          a = na;
          b = nb;
          value = nv;
          improved = true;
          break;
        }
        step /= 2;
      }
      if (!improved) break;
    }
    return new SigmoidCalibrator(a, b);
  }

  static fromJSON(state: SigmoidState): SigmoidCalibrator {
    if (!Number.isFinite(state.a) || !Number.isFinite(state.b)) throw new ParameterError('state', `SigmoidCalibrator.fromJSON needs finite a and b. Got ${describe(state.a)} and ${describe(state.b)}.`);
    return new SigmoidCalibrator(state.a, state.b);
  }

  /** Calibrated probability per raw probability. @throws DataError at the first NaN score. */
  transform(scores: ArrayLike<number>): Float64Array {
    const out = new Float64Array(scores.length);
    for (let i = 0; i < scores.length; i++) {
      const raw = scores[i]!;
      if (Number.isNaN(raw)) throw new DataError(`SigmoidCalibrator.transform got NaN as the score of row ${i}; calibration needs a score for every row.`, { row: i });
      const z = this.a * logit(raw) + this.b;
      out[i] = z >= 0 ? Math.exp(-z) / (1 + Math.exp(-z)) : 1 / (1 + Math.exp(z));
    }
    return out;
  }

  toJSON(): SigmoidState {
    return { method: 'sigmoid', a: this.a, b: this.b };
  }
}
