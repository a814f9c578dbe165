import type { Distribution } from '../distributions';
import { expNonPositive } from '../exp-non-positive';
import { logGaussMass, truncNormPpfOfMass } from '../gaussian';
import type { TuningRandom } from '../random';

/** The knobs of the Parzen estimator, with Optuna's meaning (see TPESamplerOptions). */
export interface ParzenEstimatorParameters {
  considerPrior: boolean;
  priorWeight: number;
  considerMagicClip: boolean;
  considerEndpoints: boolean;
  weights: (n: number) => number[];
  multivariate: boolean;
  /**
   * Whether `weights` always gives the same answer for the same n (TPESampler's default does): then the mixture's
   * normalized log weights are computed once per n and shared by every estimator built with these parameters.
   */
  pureWeights?: boolean;
}

interface MixtureWeights {
  logWeights: Float64Array;
  cumulativeWeights: Float64Array;
}

const mixtureWeightsCache = new WeakMap<ParzenEstimatorParameters, Map<number, MixtureWeights>>();

/** The normalized weights of n observations' kernels and the prior's (read-only: they may be shared). */
function mixtureWeights(n: number, parameters: ParzenEstimatorParameters): MixtureWeights {
  let cache = parameters.pureWeights ? mixtureWeightsCache.get(parameters) : undefined;
  if (parameters.pureWeights && cache === undefined) {
    cache = new Map();
    mixtureWeightsCache.set(parameters, cache);
  }
  const cached = cache?.get(n);
  if (cached) return cached;
  let weights: number[];
  if (n === 0) {
    weights = [1];
  } else {
    weights = parameters.weights(n).slice(0, n);
    if (parameters.considerPrior) weights.push(parameters.priorWeight);
  }
  let total = 0;
  for (let i = 0; i < weights.length; i++) total += weights[i]!;
  const logWeights = new Float64Array(weights.length);
  const cumulativeWeights = new Float64Array(weights.length);
  let running = 0;
  for (let i = 0; i < weights.length; i++) {
    logWeights[i] = Math.log(weights[i]! / total);
    running += weights[i]! / total;
    cumulativeWeights[i] = running;
  }
  const out = { logWeights, cumulativeWeights };
  if (cache) {
    if (cache.size >= 64) cache.clear();
    cache.set(n, out);
  }
  return out;
}

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
/**
 * A mixture term e^-60 (8.8e-27) times the largest one changes the sum of up to 10^10 such terms by less than
 * double precision's 1.1e-16: such terms are skipped.
 */
const NEGLIGIBLE_LOG = 60;

/**
 * One parameter's kernels, one per observation (+ the prior), in the transformed (log) space. Everything a kernel
 * needs per candidate that does not depend on the candidate is computed once here (1/sigma, log sigma, the log
 * mass inside the range), with the same operations as before, so the densities are bit-identical.
 */
type Kernels =
  | {
      kind: 'categorical';
      nChoices: number;
      /** Kernel k's smoothed histogram is row rowOf[k]: kernels that saw the same choice share one. */
      rowOf: Int32Array;
      /** Rows of log probabilities, nChoices each. */
      logProbabilities: Float64Array;
      cumulative: Float64Array;
    }
  | {
      kind: 'continuous';
      mu: Float64Array;
      sigma: Float64Array;
      inverseSigma: Float64Array;
      low: number;
      high: number;
      /** log of each kernel's mass inside [low, high]. */
      logMass: Float64Array;
      logNormalizer: Float64Array;
    }
  | {
      kind: 'discrete';
      mu: Float64Array;
      sigma: Float64Array;
      logSigma: Float64Array;
      /** The grid's first and last points (external values). */
      low: number;
      high: number;
      step: number;
      /** Whether the kernels live in log space (log integers). */
      log: boolean;
      /** The kernels' truncation bounds in kernel space: the grid widened by half a step, then logged for log grids. */
      lowEdge: number;
      highEdge: number;
      logAccept: Float64Array;
      /** Kernels with the same centre and bandwidth (ties are common on a grid) share a group: their masses are equal. */
      groupOf: Int32Array;
      nGroups: number;
      /** One kernel of each group. */
      groupFirst: Int32Array;
    };

function isLog(d: Distribution): boolean {
  return d.kind !== 'categorical' && d.log;
}

/**
 * Scratch buffers, grown on demand and shared by every estimator (none of their uses overlap): an estimator is
 * rebuilt per parameter and decision, and allocating its temporaries (typed arrays live outside the JS heap)
 * cost as much as filling them.
 */
const scratch = { terms: new Float64Array(0), observed: new Float64Array(0), sorted: new Float64Array(0), sigmas: new Float64Array(0), taken: new Int32Array(0), rank: new Int32Array(0) };

function scratchF64(key: 'terms' | 'observed' | 'sorted' | 'sigmas', size: number): Float64Array {
  if (scratch[key].length < size) scratch[key] = new Float64Array(Math.max(size, 2 * scratch[key].length));
  return scratch[key];
}

function scratchI32(key: 'taken' | 'rank', size: number): Int32Array {
  if (scratch[key].length < size) scratch[key] = new Int32Array(Math.max(size, 2 * scratch[key].length));
  return scratch[key];
}

/**
 * A mixture of products of truncated Gaussians (ranges) and smoothed histograms (choices): TPE's l(x) or
 * g(x). Bandwidths follow Optuna 4.9: univariate kernels take the larger gap to their sorted neighbouring
 * observations (not the prior's centre; the range ends only with considerEndpoints), multivariate ones Scott's rule
 * 0.2 * n^(-1/(d+4)) * range; then clipped to [range / min(100, 1 + n + prior), range] ("magic clip").
 * The prior is one more kernel centred on the range with the whole range as its sigma.
 */
export class ParzenEstimator {
  private readonly names: string[];
  private readonly kernels: Kernels[];
  private readonly logWeights: Float64Array;
  private readonly cumulativeWeights: Float64Array;

  constructor(
    observations: Record<string, ArrayLike<number>>,
    private readonly space: Record<string, Distribution>,
    parameters: ParzenEstimatorParameters,
  ) {
    this.names = Object.keys(space);
    const n = this.names.length === 0 ? 0 : observations[this.names[0]!]!.length;
    ({ logWeights: this.logWeights, cumulativeWeights: this.cumulativeWeights } = mixtureWeights(n, parameters));
    this.kernels = this.names.map((name) => this.kernelsOf(observations[name]!, space[name]!, parameters));
  }

  private kernelsOf(values: ArrayLike<number>, d: Distribution, p: ParzenEstimatorParameters): Kernels {
    if (d.kind === 'categorical') return categoricalKernels(values, d.choices.length, p);
    const log = isLog(d);
    const n = values.length;
    const observed = scratchF64('observed', n).subarray(0, n);
    for (let i = 0; i < n; i++) observed[i] = log ? Math.log(values[i]!) : values[i]!;
    const m = n + (p.considerPrior || n === 0 ? 1 : 0);
    if (d.step === null) {
      const low = log ? Math.log(d.low) : d.low;
      const high = log ? Math.log(d.high) : d.high;
      const block = new Float64Array(5 * m);
      const [mu, sigma, inverseSigma, logMass, logNormalizer] = [0, 1, 2, 3, 4].map((i) => block.subarray(i * m, (i + 1) * m)) as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
      bandwidths(observed, low, high, p, this.names.length, { mu, sigma });
      // Dense observations share the magic clip's bandwidth: its log is taken once.
      let clipped = NaN;
      let logClipped = NaN;
      for (let k = 0; k < m; k++) {
        const s = sigma[k]!;
        inverseSigma[k] = 1 / s;
        logMass[k] = logGaussMass((low - mu[k]!) / s, (high - mu[k]!) / s);
        if (s !== clipped) {
          clipped = s;
          logClipped = Math.log(s);
        }
        logNormalizer[k] = -logMass[k]! - logClipped - LOG_SQRT_2PI;
      }
      return { kind: 'continuous', mu, sigma, inverseSigma, low, high, logMass, logNormalizer };
    }
    // Grids (integers, stepped floats, log integers) as Optuna 4.9: kernels truncated to the grid widened by half
    // a step at each end (in log space for log integers), each grid point weighted by the mass of its cell.
    const step = d.step;
    const lowEdge = log ? Math.log(d.low - step / 2) : d.low - step / 2;
    const highEdge = log ? Math.log(d.high + step / 2) : d.high + step / 2;
    const block = new Float64Array(4 * m);
    const [mu, sigma, logAccept, logSigma] = [0, 1, 2, 3].map((i) => block.subarray(i * m, (i + 1) * m)) as [Float64Array, Float64Array, Float64Array, Float64Array];
    bandwidths(observed, lowEdge, highEdge, p, this.names.length, { mu, sigma });
    const { groupOf, nGroups, groupFirst } = kernelGroups(mu, sigma);
    for (let g = 0; g < nGroups; g++) {
      const k = groupFirst[g]!;
      logAccept[k] = logGaussMass((lowEdge - mu[k]!) / sigma[k]!, (highEdge - mu[k]!) / sigma[k]!);
      logSigma[k] = Math.log(sigma[k]!);
    }
    for (let k = 0; k < m; k++) {
      const first = groupFirst[groupOf[k]!]!;
      logAccept[k] = logAccept[first]!;
      logSigma[k] = logSigma[first]!;
    }
    return { kind: 'discrete', mu, sigma, logSigma, low: d.low, high: d.high, step, log, lowEdge, highEdge, logAccept, groupOf, nGroups, groupFirst };
  }

  /** `size` joint draws, in internal form (ranges as values, choices as indices). */
  sample(rng: TuningRandom, size: number): Record<string, Float64Array> {
    const active = new Int32Array(size);
    const cumulativeWeights = this.cumulativeWeights;
    const last = cumulativeWeights.length - 1;
    for (let i = 0; i < size; i++) {
      // The first kernel whose cumulative weight exceeds u (the last one if rounding leaves u above them all).
      const u = rng.uniform();
      let lo = 0;
      let hi = last;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cumulativeWeights[mid]! <= u) lo = mid + 1;
        else hi = mid;
      }
      active[i] = lo;
    }
    const out: Record<string, Float64Array> = {};
    for (let j = 0; j < this.names.length; j++) {
      const name = this.names[j]!;
      const kernels = this.kernels[j]!;
      const column = new Float64Array(size);
      if (kernels.kind === 'categorical') {
        const { nChoices, rowOf, cumulative } = kernels;
        for (let i = 0; i < size; i++) {
          const row = rowOf[active[i]!]! * nChoices;
          const u = rng.uniform();
          let c = 0;
          while (c < nChoices - 1 && cumulative[row + c]! < u) c++;
          column[i] = c;
        }
      } else if (kernels.kind === 'continuous') {
        const { mu, sigma, low, high, logMass } = kernels;
        const log = isLog(this.space[name]!);
        for (let i = 0; i < size; i++) {
          const k = active[i]!;
          const x = truncNormPpfOfMass(rng.uniform(), (low - mu[k]!) / sigma[k]!, (high - mu[k]!) / sigma[k]!, logMass[k]!) * sigma[k]! + mu[k]!;
          column[i] = log ? Math.exp(x) : x;
        }
      } else {
        const { mu, sigma, low, high, step, lowEdge, highEdge, logAccept } = kernels;
        for (let i = 0; i < size; i++) {
          const k = active[i]!;
          const z = truncNormPpfOfMass(rng.uniform(), (lowEdge - mu[k]!) / sigma[k]!, (highEdge - mu[k]!) / sigma[k]!, logAccept[k]!) * sigma[k]! + mu[k]!;
          const x = kernels.log ? Math.exp(z) : z;
          column[i] = Math.min(high, Math.max(low, low + Math.round((x - low) / step) * step));
        }
      }
      out[name] = column;
    }
    return out;
  }

  /** log density (mass for grids and choices) of each joint draw. */
  logPdf(samples: Record<string, Float64Array>): Float64Array {
    if (this.names.length === 1) {
      const name = this.names[0]!;
      const only = this.kernels[0]!;
      if (only.kind === 'continuous') return this.logPdfContinuous(only, samples[name]!, isLog(this.space[name]!));
      return this.logPdfOfDistinct(name, samples[name]!);
    }
    return this.logPdfJoint(samples);
  }

  /**
   * One grid or categorical parameter alone: its draws repeat (24 candidates over a few choices or grid points),
   * and a draw's density depends on its value only, so each distinct value is scored once.
   */
  private logPdfOfDistinct(name: string, x: Float64Array): Float64Array {
    const slot = new Map<number, number>();
    const distinct: number[] = [];
    const index = new Int32Array(x.length);
    for (let i = 0; i < x.length; i++) {
      let s = slot.get(x[i]!);
      if (s === undefined) {
        s = distinct.length;
        distinct.push(x[i]!);
        slot.set(x[i]!, s);
      }
      index[i] = s;
    }
    const only = this.kernels[0]!;
    const values = distinct.length === x.length ? x : Float64Array.from(distinct);
    const scored = only.kind === 'discrete' ? this.logPdfGrid(only, values) : only.kind === 'categorical' ? this.logPdfCategorical(only, values) : this.logPdfJoint({ [name]: values });
    if (values === x) return scored;
    const out = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) out[i] = scored[index[i]!]!;
    return out;
  }

  /**
   * Each kernel's weight, summed per group of kernels that share a distribution (a grid's groups, a categorical's
   * rows): alone, a parameter's mixture is a sum over those groups with these weights, 60 terms instead of 175.
   */
  private groupLogWeights(groupOf: Int32Array, nGroups: number): Float64Array {
    const weights = new Float64Array(nGroups);
    for (let k = 0; k < groupOf.length; k++) weights[groupOf[k]!]! += expNonPositive(Math.max(this.logWeights[k]!, -708));
    for (let g = 0; g < nGroups; g++) weights[g] = Math.log(weights[g]!);
    return weights;
  }

  /**
   * log mass of each (distinct) grid value for a grid parameter alone: per group of equal kernels, its summed weight
   * times the mass of the value's cell. A group whose weighted mass is bounded below the best one's by NEGLIGIBLE_LOG
   * adds nothing in double precision, so its mass is not computed; the prior (sigma = the whole range, last kernel)
   * is scored first as the baseline far groups cannot reach.
   */
  private logPdfGrid(kernels: Extract<Kernels, { kind: 'discrete' }>, x: Float64Array): Float64Array {
    const { mu, sigma, logSigma, step, log, lowEdge, highEdge, logAccept, groupOf, nGroups, groupFirst } = kernels;
    const groupLogWeight = this.groupLogWeights(groupOf, nGroups);
    const baseline = groupOf[mu.length - 1]!;
    const terms = scratchF64('terms', nGroups);
    const out = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const xi = x[i]!;
      const lower = Math.max(log ? Math.log(xi - step / 2) : xi - step / 2, lowEdge);
      const upper = Math.min(log ? Math.log(xi + step / 2) : xi + step / 2, highEdge);
      const logCell = Math.log(upper - lower);
      const cell = (k: number) => logGaussMass((lower - mu[k]!) / sigma[k]!, (upper - mu[k]!) / sigma[k]!) - logAccept[k]!;
      let best = groupLogWeight[baseline]! + cell(groupFirst[baseline]!);
      terms[baseline] = best;
      for (let g = 0; g < nGroups; g++) {
        if (g === baseline) continue;
        const k = groupFirst[g]!;
        const m = mu[k]!;
        const zNear = m < lower ? (lower - m) / sigma[k]! : m > upper ? (m - upper) / sigma[k]! : 0;
        // mass <= cell width * the density at the cell's nearest point
        const bound = groupLogWeight[g]! + logCell - logSigma[k]! - LOG_SQRT_2PI - 0.5 * zNear * zNear - logAccept[k]!;
        if (bound < best - NEGLIGIBLE_LOG) {
          terms[g] = -Infinity;
        } else {
          const term = groupLogWeight[g]! + cell(k);
          terms[g] = term;
          if (term > best) best = term;
        }
      }
      out[i] = logSumExpBelow(terms, nGroups, best);
    }
    return out;
  }

  /** log probability of each (distinct) choice for a categorical parameter alone: a sum over its few rows. */
  private logPdfCategorical(kernels: Extract<Kernels, { kind: 'categorical' }>, x: Float64Array): Float64Array {
    const { nChoices, rowOf, logProbabilities } = kernels;
    const nRows = logProbabilities.length / nChoices;
    const rowLogWeight = this.groupLogWeights(rowOf, nRows);
    const terms = scratchF64('terms', nRows);
    const out = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) {
      let max = -Infinity;
      for (let r = 0; r < nRows; r++) {
        terms[r] = rowLogWeight[r]! + logProbabilities[r * nChoices + x[i]!]!;
        if (terms[r]! > max) max = terms[r]!;
      }
      out[i] = max === -Infinity ? -Infinity : logSumExpBelow(terms, nRows, max);
    }
    return out;
  }

  /** The general path: every parameter's log kernel terms summed per (draw, kernel), then log-sum-exp per draw. */
  private logPdfJoint(samples: Record<string, Float64Array>): Float64Array {
    const size = samples[this.names[0]!]!.length;
    const nKernels = this.logWeights.length;
    const acc = scratchF64('terms', size * nKernels);
    for (let i = 0; i < size; i++) acc.set(this.logWeights, i * nKernels);
    for (let j = 0; j < this.names.length; j++) {
      const kernels = this.kernels[j]!;
      const x = samples[this.names[j]!]!;
      if (kernels.kind === 'categorical') {
        const { nChoices, rowOf, logProbabilities } = kernels;
        for (let i = 0; i < size; i++) {
          const c = x[i]!;
          const row = i * nKernels;
          for (let k = 0; k < nKernels; k++) acc[row + k]! += logProbabilities[rowOf[k]! * nChoices + c]!;
        }
      } else if (kernels.kind === 'continuous') {
        const { mu, inverseSigma, low, high, logNormalizer } = kernels;
        const log = isLog(this.space[this.names[j]!]!);
        for (let i = 0; i < size; i++) {
          const xi = log ? Math.log(x[i]!) : x[i]!;
          const row = i * nKernels;
          if (xi < low || xi > high) {
            for (let k = 0; k < nKernels; k++) acc[row + k] = -Infinity;
            continue;
          }
          for (let k = 0; k < nKernels; k++) {
            const z = (xi - mu[k]!) * inverseSigma[k]!;
            acc[row + k]! += logNormalizer[k]! - 0.5 * z * z;
          }
        }
      } else {
        addGridMasses(kernels, x, acc, size);
      }
    }
    const out = new Float64Array(size);
    for (let i = 0; i < size; i++) {
      const row = i * nKernels;
      let max = -Infinity;
      for (let k = 0; k < nKernels; k++) if (acc[row + k]! > max) max = acc[row + k]!;
      if (max === -Infinity) {
        out[i] = -Infinity;
        continue;
      }
      let sum = 0;
      for (let k = 0; k < nKernels; k++) {
        const d = acc[row + k]! - max;
        // The sum is >= 1 (the max's own term): terms below e^-60 cannot change it, and skipping their exp is most of the saving.
        if (d > -NEGLIGIBLE_LOG) sum += expNonPositive(d);
      }
      out[i] = Math.log(sum) + max;
    }
    return out;
  }

  /**
   * logPdf of one continuous parameter alone (univariate TPE's every float decision), in one pass per candidate:
   * each term is shifted by the largest log weight + normalizer of the mixture (a bound on every term, so no pass
   * for the maximum is needed) and summed in linear space. Terms more than 708 below the bound are summed as e^-708;
   * a candidate whose sum falls below 1e-280 (only possible without the prior, whose wide kernel keeps every sum
   * near 1) is summed again the exact way, relative to its own largest term.
   */
  private logPdfContinuous(kernels: Extract<Kernels, { kind: 'continuous' }>, x: Float64Array, log: boolean): Float64Array {
    const { mu, inverseSigma, low, high, logNormalizer } = kernels;
    const logWeights = this.logWeights;
    const nKernels = logWeights.length;
    const shifted = scratchF64('terms', nKernels);
    let bound = -Infinity;
    for (let k = 0; k < nKernels; k++) bound = Math.max(bound, logWeights[k]! + logNormalizer[k]!);
    for (let k = 0; k < nKernels; k++) shifted[k] = logWeights[k]! + logNormalizer[k]! - bound;
    const out = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const xi = log ? Math.log(x[i]!) : x[i]!;
      if (xi < low || xi > high || bound === -Infinity) {
        out[i] = -Infinity;
        continue;
      }
      let sum = 0;
      for (let k = 0; k < nKernels; k++) {
        const z = (xi - mu[k]!) * inverseSigma[k]!;
        sum += expNonPositive(Math.max(shifted[k]! - 0.5 * z * z, -708));
      }
      out[i] = sum > 1e-280 ? Math.log(sum) + bound : logSumExpFar(xi, mu, inverseSigma, shifted, nKernels) + bound;
    }
    return out;
  }
}

/** log sum_k e^(shifted_k - z_k^2 / 2) relative to its largest term, for a draw far from every kernel. */
function logSumExpFar(xi: number, mu: Float64Array, inverseSigma: Float64Array, shifted: Float64Array, nKernels: number): number {
  let max = -Infinity;
  for (let k = 0; k < nKernels; k++) {
    const z = (xi - mu[k]!) * inverseSigma[k]!;
    max = Math.max(max, shifted[k]! - 0.5 * z * z);
  }
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let k = 0; k < nKernels; k++) {
    const z = (xi - mu[k]!) * inverseSigma[k]!;
    const d = shifted[k]! - 0.5 * z * z - max;
    if (d > -NEGLIGIBLE_LOG) sum += expNonPositive(d);
  }
  return Math.log(sum) + max;
}

/** log sum_k e^terms[k] given max = the largest term (finite); terms below max - NEGLIGIBLE_LOG are skipped. */
function logSumExpBelow(terms: Float64Array, n: number, max: number): number {
  let sum = 0;
  for (let k = 0; k < n; k++) {
    const d = terms[k]! - max;
    if (d > -NEGLIGIBLE_LOG) sum += expNonPositive(d);
  }
  return Math.log(sum) + max;
}

/** Adds each grid draw's log mass under every kernel to its row of `acc` (several parameters: the joint path). */
function addGridMasses(kernels: Extract<Kernels, { kind: 'discrete' }>, x: Float64Array, acc: Float64Array, size: number): void {
  const { mu, sigma, step, log, lowEdge, highEdge, logAccept, groupOf, nGroups } = kernels;
  const nKernels = mu.length;
  // Grid draws repeat: one row of masses per distinct value.
  const rows = new Map<number, Float64Array>();
  const groupCells = new Float64Array(nGroups);
  for (let i = 0; i < size; i++) {
    const xi = x[i]!;
    let cells = rows.get(xi);
    if (cells === undefined) {
      cells = new Float64Array(nKernels);
      const lower = Math.max(log ? Math.log(xi - step / 2) : xi - step / 2, lowEdge);
      const upper = Math.min(log ? Math.log(xi + step / 2) : xi + step / 2, highEdge);
      groupCells.fill(NaN);
      for (let k = 0; k < nKernels; k++) {
        const g = groupOf[k]!;
        let value = groupCells[g]!;
        if (Number.isNaN(value)) {
          value = logGaussMass((lower - mu[k]!) / sigma[k]!, (upper - mu[k]!) / sigma[k]!) - logAccept[k]!;
          groupCells[g] = value;
        }
        cells[k] = value;
      }
      rows.set(xi, cells);
    }
    const row = i * nKernels;
    for (let k = 0; k < nKernels; k++) acc[row + k]! += cells[k]!;
  }
}

/** Groups of kernels with equal (mu, sigma): kernels sorted by mu, then runs of equal pairs. */
function kernelGroups(mu: Float64Array, sigma: Float64Array): { groupOf: Int32Array; nGroups: number; groupFirst: Int32Array } {
  const n = mu.length;
  const sorted = Float64Array.from(mu).sort();
  const rank = rankInSorted(mu, sorted, new Int32Array(n));
  const order = new Int32Array(n);
  for (let k = 0; k < n; k++) order[rank[k]!] = k;
  const groupOf = new Int32Array(n);
  const groupFirst = new Int32Array(n);
  let nGroups = 0;
  for (let r = 0; r < n; r++) {
    const k = order[r]!;
    const previous = r > 0 ? order[r - 1]! : -1;
    if (previous >= 0 && mu[previous] === mu[k] && sigma[previous] === sigma[k]) {
      groupOf[k] = groupOf[previous]!;
    } else {
      groupFirst[nGroups] = k;
      groupOf[k] = nGroups++;
    }
  }
  return { groupOf, nGroups, groupFirst: groupFirst.subarray(0, nGroups) };
}

/**
 * Kernels over choices: each observation adds 1 to its choice over priorWeight / n_kernels everywhere; the prior
 * kernel is that base alone. Kernels that saw the same choice have the same histogram, computed once.
 */
function categoricalKernels(values: ArrayLike<number>, nChoices: number, p: ParzenEstimatorParameters): Kernels {
  const n = values.length;
  if (n === 0) {
    const logProbabilities = new Float64Array(nChoices).fill(Math.log(1 / nChoices));
    return { kind: 'categorical', nChoices, rowOf: new Int32Array(1), logProbabilities, cumulative: cumulativeOf(logProbabilities, 1, nChoices) };
  }
  const nKernels = n + (p.considerPrior ? 1 : 0);
  const base = p.priorWeight / nKernels;
  // Row nChoices is the prior's; rows of choices nobody observed stay unused.
  const rowIndex = new Int32Array(nChoices + 1).fill(-1);
  const rowOf = new Int32Array(nKernels);
  const rowChoice: number[] = [];
  for (let k = 0; k < nKernels; k++) {
    const key = k < n ? values[k]! : nChoices;
    if (rowIndex[key] === -1) {
      rowIndex[key] = rowChoice.length;
      rowChoice.push(key);
    }
    rowOf[k] = rowIndex[key]!;
  }
  const logProbabilities = new Float64Array(rowChoice.length * nChoices);
  for (let r = 0; r < rowChoice.length; r++) {
    const row = logProbabilities.subarray(r * nChoices, (r + 1) * nChoices).fill(base);
    if (rowChoice[r]! < nChoices) row[rowChoice[r]!]! += 1;
    let sum = 0;
    for (let c = 0; c < nChoices; c++) sum += row[c]!;
    for (let c = 0; c < nChoices; c++) row[c] = Math.log(row[c]! / sum);
  }
  return { kind: 'categorical', nChoices, rowOf, logProbabilities, cumulative: cumulativeOf(logProbabilities, rowChoice.length, nChoices) };
}

/** Each row's cumulative probabilities (the last forced to 1). */
function cumulativeOf(logRows: Float64Array, nRows: number, nChoices: number): Float64Array {
  const out = new Float64Array(nRows * nChoices);
  for (let r = 0; r < nRows; r++) {
    let running = 0;
    for (let c = 0; c < nChoices; c++) {
      running += Math.exp(logRows[r * nChoices + c]!);
      out[r * nChoices + c] = running;
    }
    out[r * nChoices + nChoices - 1] = 1;
  }
  return out;
}

/**
 * Kernel centres and bandwidths over [low, high] (kernel space; grids already widened by half a step), Optuna
 * 4.9's rules: univariate bandwidths are the larger gap to the sorted neighbours among the observations alone
 * (the prior's centre is not one of them; the range ends count only with considerEndpoints), multivariate ones
 * Scott's rule; then the magic clip. The prior kernel comes last: centre of the range, sigma the whole range.
 */
export function bandwidths(
  observed: ArrayLike<number>,
  low: number,
  high: number,
  p: ParzenEstimatorParameters,
  nParams: number,
  into?: { mu: Float64Array; sigma: Float64Array },
): { mu: Float64Array; sigma: Float64Array } {
  const n = observed.length;
  const considerPrior = p.considerPrior || n === 0;
  const width = high - low;
  const sigmas = scratchF64('sigmas', n);
  if (p.multivariate) {
    const sigma = 0.2 * Math.max(n, 1) ** (-1 / (nParams + 4)) * width;
    sigmas.fill(sigma, 0, n);
  } else if (n > 0) {
    // sorted = [low, the observations in ascending order, high]; equal observations keep their original order
    // (a stable sort), which decides which of them gets the gap on its left and which the one on its right.
    const sorted = scratchF64('sorted', n + 2).subarray(0, n + 2);
    sorted[0] = low;
    sorted.set(observed, 1);
    sorted.subarray(1, n + 1).sort();
    sorted[n + 1] = high;
    const rankOf = rankInSorted(observed, sorted.subarray(1, n + 1), scratchI32('rank', n));
    for (let i = 0; i < n; i++) {
      const r = rankOf[i]!;
      let gap: number;
      if (!p.considerEndpoints && n >= 2 && r === 0) gap = sorted[2]! - sorted[1]!;
      else if (!p.considerEndpoints && n >= 2 && r === n - 1) gap = sorted[n]! - sorted[n - 1]!;
      else gap = Math.max(sorted[r + 1]! - sorted[r]!, sorted[r + 2]! - sorted[r + 1]!);
      sigmas[i] = gap;
    }
  }
  const minSigma = p.considerMagicClip ? width / Math.min(100, 1 + n + (considerPrior ? 1 : 0)) : 1e-12;
  const m = n + (considerPrior ? 1 : 0);
  const mu = into?.mu ?? new Float64Array(m);
  const sigma = into?.sigma ?? new Float64Array(m);
  for (let i = 0; i < n; i++) {
    mu[i] = observed[i]!;
    sigma[i] = Math.min(width, Math.max(minSigma, sigmas[i]!));
  }
  if (considerPrior) {
    mu[n] = 0.5 * (low + high);
    sigma[n] = width;
  }
  return { mu, sigma };
}

/**
 * Each observation's position in `sorted` (its values in ascending order); equal values take consecutive
 * positions in the order they were observed, as a stable sort of the indices would give.
 */
function rankInSorted(observed: ArrayLike<number>, sorted: Float64Array, rank: Int32Array): Int32Array {
  const n = sorted.length;
  const taken = scratchI32('taken', n).fill(0, 0, n);
  for (let i = 0; i < n; i++) {
    const v = observed[i]!;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    rank[i] = lo + taken[lo]!++;
  }
  return rank;
}
