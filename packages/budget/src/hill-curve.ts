/**
 * A smooth saturating response fitted to the step-shaped curve a tree model traces:
 * return(spend) = base + maxReturn * spend^shape / (halfSaturation^shape + spend^shape).
 * Trees are piecewise constant, so their own derivative is zero or infinite; the Hill curve (the
 * saturation curve of marketing-mix tools such as Robyn and Meridian) gives usable marginal returns.
 * Units: spend and halfSaturation in currency per period, base and maxReturn in currency per period.
 */
export interface HillCurve {
  /** Return at zero spend; 0 for curves from fitHillCurve, which fits through the origin. */
  base: number;
  maxReturn: number;
  halfSaturation: number;
  shape: number;
  /** Weighted R² of the fit against the traced points (1 = the smooth curve passes through them). */
  r2: number;
}

/** Expected return (currency per period) at `spend` (currency per period). */
export function hillValue(curve: HillCurve, spend: number): number {
  if (spend <= 0) return curve.base;
  const ratio = Math.pow(spend / curve.halfSaturation, curve.shape);
  return curve.base + (curve.maxReturn * ratio) / (1 + ratio);
}

/** d return / d spend (currency returned per extra currency spent) at `spend`. */
export function hillSlope(curve: HillCurve, spend: number): number {
  if (spend <= 0) return curve.shape === 1 ? curve.maxReturn / curve.halfSaturation : 0;
  const ratio = Math.pow(spend / curve.halfSaturation, curve.shape);
  return (curve.maxReturn * curve.shape * ratio) / (spend * (1 + ratio) * (1 + ratio));
}

/**
 * Weighted least squares of y = maxReturn * h with maxReturn >= 0 (the model is monotone in
 * spend). No intercept: a channel's return on spend is zero at zero spend, as in the Hill curves
 * of Robyn and Meridian. Anchoring the curve at the origin pins its shape down far better than a
 * free intercept, which trades off against shape over the short stretch of spend the data covers.
 */
function linearPart(h: Float64Array, y: ArrayLike<number>, w: ArrayLike<number>): { base: number; maxReturn: number; sse: number } {
  const n = h.length;
  let shy = 0;
  let shh = 0;
  for (let i = 0; i < n; i++) {
    shy += w[i]! * h[i]! * y[i]!;
    shh += w[i]! * h[i]! * h[i]!;
  }
  const maxReturn = shh > 0 ? Math.max(0, shy / shh) : 0;
  let sse = 0;
  for (let i = 0; i < n; i++) sse += w[i]! * (y[i]! - maxReturn * h[i]!) ** 2;
  return { base: 0, maxReturn, sse };
}

/**
 * Fits a Hill curve to traced points (spend ascending, currency per period) by weighted least
 * squares: a coarse grid over shape (0.5-4) and log half-saturation (a quarter of the smallest to
 * four times the largest spend), then a shrinking pattern search; base and maxReturn are solved
 * exactly at each step. `weights` (default equal) say how much each point is to be trusted.
 */
export function fitHillCurve(spend: ArrayLike<number>, predicted: ArrayLike<number>, weights?: ArrayLike<number>): HillCurve {
  const n = spend.length;
  const w = weights ?? new Float64Array(n).fill(1);
  const h = new Float64Array(n);
  const evaluate = (shape: number, logK: number) => {
    const k = Math.exp(logK);
    for (let i = 0; i < n; i++) {
      const ratio = Math.pow(spend[i]! / k, shape);
      h[i] = ratio / (1 + ratio);
    }
    return { shape, logK, ...linearPart(h, predicted, w) };
  };
  const lo = Math.log(Math.max(spend[0]!, 1e-9) / 4);
  const hi = Math.log(Math.max(spend[n - 1]!, 1e-9) * 4);
  let best = evaluate(1, (lo + hi) / 2);
  for (let shape = 0.5; shape <= 4.0001; shape += 0.25) {
    for (let j = 0; j <= 24; j++) {
      const candidate = evaluate(shape, lo + ((hi - lo) * j) / 24);
      if (candidate.sse < best.sse) best = candidate;
    }
  }
  let stepShape = 0.125;
  let stepLogK = (hi - lo) / 48;
  for (let round = 0; round < 300 && stepShape > 1e-4; round++) {
    let improved = false;
    for (const [ds, dk] of [[stepShape, 0], [-stepShape, 0], [0, stepLogK], [0, -stepLogK]] as const) {
      const shape = best.shape + ds;
      const logK = best.logK + dk;
      // Half-saturation stays within the coarse grid's range: beyond it the curve is a power law
      // that never saturates, which a short traced stretch cannot tell apart but which extrapolates badly.
      if (shape < 0.3 || shape > 6 || logK < lo || logK > hi) continue;
      const candidate = evaluate(shape, logK);
      if (candidate.sse < best.sse) {
        best = candidate;
        improved = true;
      }
    }
    if (!improved) {
      stepShape /= 2;
      stepLogK /= 2;
    }
  }
  let sw = 0;
  let mean = 0;
  for (let i = 0; i < n; i++) {
    sw += w[i]!;
    mean += w[i]! * predicted[i]!;
  }
  mean /= sw;
  let sst = 0;
  for (let i = 0; i < n; i++) sst += w[i]! * (predicted[i]! - mean) ** 2;
  // A flat trace (no variance, e.g. a grid entirely beyond the data) has nothing to explain: R² is 1
  // when the curve is flat too, 0 otherwise, instead of the ratio of two rounding errors.
  const flat = sst <= 1e-12 * sw * (mean * mean + 1);
  const r2 = flat ? (best.sse <= 1e-9 * sw * (mean * mean + 1) ? 1 : 0) : 1 - best.sse / sst;
  return { base: best.base, maxReturn: best.maxReturn, halfSaturation: Math.exp(best.logK), shape: best.shape, r2 };
}

/**
 * The largest spend in [low, high] (currency per period) whose slope is at least `level`, or `low`
 * when none is. Hill slopes rise then fall, so it lies on the falling side: scan, then bisect.
 */
export function largestSpendWithSlope(curve: HillCurve, level: number, low: number, high: number): number {
  const steps = 400;
  let last = -1;
  for (let i = steps; i >= 0; i--) {
    if (hillSlope(curve, low + ((high - low) * i) / steps) >= level) {
      last = i;
      break;
    }
  }
  if (last < 0) return low;
  if (last === steps) return high;
  let a = low + ((high - low) * last) / steps;
  let b = low + ((high - low) * (last + 1)) / steps;
  for (let i = 0; i < 60; i++) {
    const m = (a + b) / 2;
    if (hillSlope(curve, m) >= level) a = m;
    else b = m;
  }
  return a;
}
