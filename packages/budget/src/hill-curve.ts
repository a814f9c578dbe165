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
 * Scratch space for `fitHillCurve`: a recommendation fits three curves per record, and a batch of
 * 1,000 records should not allocate per curve. One per caller (not shared across threads).
 */
export class HillFitScratch {
  logSpend = new Float64Array(0);
  h = new Float64Array(0);
  y = new Float64Array(0);
  w = new Float64Array(0);
  e = new Float64Array(0);
  readonly A = new Float64Array(9);
  readonly g = new Float64Array(3);

  ensure(n: number): void {
    if (this.h.length < n) {
      this.logSpend = new Float64Array(n);
      this.h = new Float64Array(n);
      this.y = new Float64Array(n);
      this.w = new Float64Array(n);
      this.e = new Float64Array(n);
    }
  }
}

const SHARED = new HillFitScratch();

/** The weighted SSE of the best maxReturn (>= 0) for h = 1 / (1 + e x scale), as sseAt in fitHillCurve computes it; fills h. */
function gridSse(e: Float64Array, h: Float64Array, Y: Float64Array, W: Float64Array, n: number, scale: number): number {
  let shy = 0;
  let shh = 0;
  for (let i = 0; i < n; i++) {
    const v = 1 / (1 + e[i]! * scale);
    h[i] = v;
    shy += W[i]! * v * Y[i]!;
    shh += W[i]! * v * v;
  }
  const m = shh > 0 ? Math.max(0, shy / shh) : 0;
  let sse = 0;
  for (let i = 0; i < n; i++) {
    const r = Y[i]! - m * h[i]!;
    sse += W[i]! * r * r;
  }
  return sse;
}
/** Shape and log half-saturation bounds: see the comment in `fitHillCurve`. */
const SHAPE_MIN = 0.3;
const SHAPE_MAX = 6;

/**
 * Fits a Hill curve through the origin to traced points (spend ascending, currency per period) by
 * weighted least squares. No intercept: a channel's return on spend is zero at zero spend, as in
 * the Hill curves of Robyn and Meridian; anchoring at the origin pins the shape down far better
 * than a free intercept over the short stretch of spend the data covers. For a given shape and
 * half-saturation the best maxReturn (>= 0: the model is monotone in spend) is exact (variable
 * projection); shape and log half-saturation start from the best of a coarse 5 x 7 grid and are
 * refined by Levenberg-Marquardt on log-spend (analytic Jacobian, about 10-30 steps).
 * `weights` (default equal) say how much each point is to be trusted.
 */
export function fitHillCurve(spend: ArrayLike<number>, predicted: ArrayLike<number>, weights?: ArrayLike<number>, scratch: HillFitScratch = SHARED): HillCurve {
  const n = spend.length;
  scratch.ensure(n);
  // Monomorphic typed copies: the loops below run about 50 times per fit.
  const { logSpend: L, h, y: Y, w: W } = scratch;
  for (let i = 0; i < n; i++) {
    L[i] = Math.log(Math.max(spend[i]!, 1e-12));
    Y[i] = predicted[i]!;
    W[i] = weights === undefined ? 1 : weights[i]!;
  }
  // Half-saturation stays within a quarter of the smallest to four times the largest spend: beyond
  // it the curve is a power law that never saturates, which a short traced stretch cannot tell
  // apart but which extrapolates badly.
  const lo = L[0]! - Math.log(4);
  const hi = L[n - 1]! + Math.log(4);

  /** Weighted SSE at (shape, logK) with the exact maxReturn; fills h. */
  let maxReturn = 0;
  const sseAt = (shape: number, logK: number): number => {
    let shy = 0;
    let shh = 0;
    for (let i = 0; i < n; i++) {
      // h = r / (1 + r) with r = (s/K)^shape = exp(shape (log s - log K)); exp(-x) overflowing to
      // Infinity still gives the right limit, 0.
      const v = 1 / (1 + Math.exp(-shape * (L[i]! - logK)));
      h[i] = v;
      shy += W[i]! * v * Y[i]!;
      shh += W[i]! * v * v;
    }
    maxReturn = shh > 0 ? Math.max(0, shy / shh) : 0;
    let sse = 0;
    for (let i = 0; i < n; i++) {
      const e = Y[i]! - maxReturn * h[i]!;
      sse += W[i]! * e * e;
    }
    return sse;
  };

  let bestShape = 1;
  let bestLogK = (lo + hi) / 2;
  let best = sseAt(bestShape, bestLogK);
  // The coarse grid only picks where Levenberg-Marquardt starts (the SSE there is recomputed
  // exactly below), so it factors exp(-shape (log s - log K)) into exp(-shape log s), once per
  // shape, times exp(shape log K): 5 x 50 + 35 exponentials instead of 35 x 50.
  const { e } = scratch;
  for (const shape of [0.6, 1, 1.6, 2.5, 4]) {
    for (let i = 0; i < n; i++) e[i] = Math.exp(-shape * L[i]!);
    for (let j = 0; j <= 6; j++) {
      const logK = lo + ((hi - lo) * j) / 6;
      const sse = gridSse(e, h, Y, W, n, Math.exp(shape * logK));
      if (sse < best) {
        best = sse;
        bestShape = shape;
        bestLogK = logK;
      }
    }
  }

  // Levenberg-Marquardt on (maxReturn, shape, logK) from the grid's best point; the coupling of
  // maxReturn with the shape is what a two-parameter step would miss.
  const sseFree = (m: number, shape: number, logK: number): number => {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const v = 1 / (1 + Math.exp(-shape * (L[i]! - logK)));
      h[i] = v;
      const e = Y[i]! - m * v;
      total += W[i]! * e * e;
    }
    return total;
  };
  let sse = sseAt(bestShape, bestLogK);
  let m = maxReturn;
  let lambda = 1e-3;
  const { A, g } = scratch;
  for (let iter = 0; iter < 100; iter++) {
    A.fill(0);
    g.fill(0);
    for (let i = 0; i < n; i++) {
      const v = h[i]!;
      const d = v * (1 - v) * m;
      const j0 = v; // d(m h)/d m
      const j1 = d * (L[i]! - bestLogK); // d(m h)/d shape
      const j2 = -d * bestShape; // d(m h)/d logK
      const e = Y[i]! - m * v;
      const wi = W[i]!;
      A[0]! += wi * j0 * j0;
      A[1]! += wi * j0 * j1;
      A[2]! += wi * j0 * j2;
      A[4]! += wi * j1 * j1;
      A[5]! += wi * j1 * j2;
      A[8]! += wi * j2 * j2;
      g[0]! += wi * j0 * e;
      g[1]! += wi * j1 * e;
      g[2]! += wi * j2 * e;
    }
    if (!(A[0]! > 0)) break;
    let accepted = false;
    for (let tries = 0; tries < 10; tries++) {
      const delta = solve3(A, g, lambda);
      if (delta === undefined) {
        lambda *= 10;
        continue;
      }
      const mt = Math.max(0, m + delta[0]);
      const shape = Math.min(SHAPE_MAX, Math.max(SHAPE_MIN, bestShape + delta[1]));
      const logK = Math.min(hi, Math.max(lo, bestLogK + delta[2]));
      const trial = sseFree(mt, shape, logK);
      if (trial < sse) {
        const gain = sse - trial;
        m = mt;
        bestShape = shape;
        bestLogK = logK;
        sse = trial;
        lambda = Math.max(lambda / 5, 1e-12);
        accepted = true;
        if (gain <= 1e-14 * sse) iter = Infinity;
        break;
      }
      lambda *= 8;
    }
    if (!accepted) break;
    // h now holds the accepted point's values (sseFree filled it last).
  }
  sse = sseAt(bestShape, bestLogK); // maxReturn re-solved exactly at the solution

  let sw = 0;
  let mean = 0;
  for (let i = 0; i < n; i++) {
    sw += W[i]!;
    mean += W[i]! * Y[i]!;
  }
  mean /= sw;
  let sst = 0;
  for (let i = 0; i < n; i++) sst += W[i]! * (Y[i]! - mean) ** 2;
  // A flat trace (no variance, e.g. a grid entirely beyond the data) has nothing to explain: R² is 1
  // when the curve is flat too, 0 otherwise, instead of the ratio of two rounding errors.
  const flat = sst <= 1e-12 * sw * (mean * mean + 1);
  const r2 = flat ? (sse <= 1e-9 * sw * (mean * mean + 1) ? 1 : 0) : 1 - sse / sst;
  return { base: 0, maxReturn, halfSaturation: Math.exp(bestLogK), shape: bestShape, r2 };
}

/** Solves (A + lambda diag(A)) x = g for the symmetric 3x3 A (upper triangle, row-major); undefined when singular. */
function solve3(A: Float64Array, g: Float64Array, lambda: number): [number, number, number] | undefined {
  const a = A[0]! * (1 + lambda);
  const b = A[1]!;
  const c = A[2]!;
  const d = A[4]! * (1 + lambda) + 1e-300;
  const e = A[5]!;
  const f = A[8]! * (1 + lambda) + 1e-300;
  // Cramer's rule on [[a b c] [b d e] [c e f]].
  const det = a * (d * f - e * e) - b * (b * f - e * c) + c * (b * e - d * c);
  if (!(Math.abs(det) > 0) || !Number.isFinite(det)) return undefined;
  const [x, y, z] = [g[0]!, g[1]!, g[2]!];
  const dx = x * (d * f - e * e) - b * (y * f - e * z) + c * (y * e - d * z);
  const dy = a * (y * f - e * z) - x * (b * f - e * c) + c * (b * z - y * c);
  const dz = a * (d * z - y * e) - b * (b * z - y * c) + x * (b * e - d * c);
  return [dx / det, dy / det, dz / det];
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
