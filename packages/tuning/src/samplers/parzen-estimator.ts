import type { Distribution } from '../distributions';
import { logGaussMass, normLogPdf, truncNormPpf } from '../gaussian';
import type { TuningRandom } from '../random';

/** The knobs of the Parzen estimator, with Optuna's meaning (see TPESamplerOptions). */
export interface ParzenEstimatorParameters {
  considerPrior: boolean;
  priorWeight: number;
  considerMagicClip: boolean;
  considerEndpoints: boolean;
  weights: (n: number) => number[];
  multivariate: boolean;
}

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
/**
 * A mixture term e^-60 (8.8e-27) times the largest one changes the sum of up to 10^10 such terms by less than
 * double precision's 1.1e-16: such terms are skipped.
 */
const NEGLIGIBLE_LOG = 60;

/** One parameter's kernels, one per observation (+ the prior), in the transformed (log) space. */
type Kernels =
  | { kind: 'categorical'; logProbabilities: Float64Array[]; cumulative: Float64Array[] }
  | { kind: 'continuous'; mu: Float64Array; sigma: Float64Array; low: number; high: number; logNormalizer: Float64Array }
  | {
      kind: 'discrete';
      mu: Float64Array;
      sigma: Float64Array;
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
    };

function isLog(d: Distribution): boolean {
  return d.kind !== 'categorical' && d.log;
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
    observations: Record<string, readonly number[]>,
    private readonly space: Record<string, Distribution>,
    parameters: ParzenEstimatorParameters,
  ) {
    this.names = Object.keys(space);
    const n = this.names.length === 0 ? 0 : observations[this.names[0]!]!.length;
    let weights: number[];
    if (n === 0) {
      weights = [1];
    } else {
      weights = parameters.weights(n).slice(0, n);
      if (parameters.considerPrior) weights.push(parameters.priorWeight);
    }
    let total = 0;
    for (const w of weights) total += w;
    this.logWeights = new Float64Array(weights.length);
    this.cumulativeWeights = new Float64Array(weights.length);
    let running = 0;
    for (let i = 0; i < weights.length; i++) {
      this.logWeights[i] = Math.log(weights[i]! / total);
      running += weights[i]! / total;
      this.cumulativeWeights[i] = running;
    }
    this.kernels = this.names.map((name) => this.kernelsOf(observations[name]!, space[name]!, parameters));
  }

  private kernelsOf(values: readonly number[], d: Distribution, p: ParzenEstimatorParameters): Kernels {
    if (d.kind === 'categorical') {
      const nChoices = d.choices.length;
      if (values.length === 0) {
        const row = new Float64Array(nChoices).fill(Math.log(1 / nChoices));
        return { kind: 'categorical', logProbabilities: [row], cumulative: [cumulativeOf(row)] };
      }
      const nKernels = values.length + (p.considerPrior ? 1 : 0);
      const rows: Float64Array[] = [];
      for (let k = 0; k < nKernels; k++) {
        const row = new Float64Array(nChoices).fill(p.priorWeight / nKernels);
        if (k < values.length) row[values[k]!]! += 1;
        const sum = row.reduce((a, b) => a + b, 0);
        for (let c = 0; c < nChoices; c++) row[c] = Math.log(row[c]! / sum);
        rows.push(row);
      }
      return { kind: 'categorical', logProbabilities: rows, cumulative: rows.map(cumulativeOf) };
    }
    const log = isLog(d);
    const observed = log ? values.map(Math.log) : [...values];
    if (d.step === null) {
      const low = log ? Math.log(d.low) : d.low;
      const high = log ? Math.log(d.high) : d.high;
      const { mu, sigma } = bandwidths(observed, low, high, p, this.names.length);
      const logNormalizer = new Float64Array(mu.length);
      for (let k = 0; k < mu.length; k++) logNormalizer[k] = -logGaussMass((low - mu[k]!) / sigma[k]!, (high - mu[k]!) / sigma[k]!) - Math.log(sigma[k]!) - LOG_SQRT_2PI;
      return { kind: 'continuous', mu, sigma, low, high, logNormalizer };
    }
    // Grids (integers, stepped floats, log integers) as Optuna 4.9: kernels truncated to the grid widened by half
    // a step at each end (in log space for log integers), each grid point weighted by the mass of its cell.
    const step = d.step;
    const lowEdge = log ? Math.log(d.low - step / 2) : d.low - step / 2;
    const highEdge = log ? Math.log(d.high + step / 2) : d.high + step / 2;
    const { mu, sigma } = bandwidths(observed, lowEdge, highEdge, p, this.names.length);
    const logAccept = new Float64Array(mu.length);
    for (let k = 0; k < mu.length; k++) logAccept[k] = logGaussMass((lowEdge - mu[k]!) / sigma[k]!, (highEdge - mu[k]!) / sigma[k]!);
    return { kind: 'discrete', mu, sigma, low: d.low, high: d.high, step, log, lowEdge, highEdge, logAccept };
  }

  /** `size` joint draws, in internal form (ranges as values, choices as indices). */
  sample(rng: TuningRandom, size: number): Record<string, Float64Array> {
    const active = new Int32Array(size);
    const last = this.cumulativeWeights.length - 1;
    for (let i = 0; i < size; i++) {
      const u = rng.uniform();
      let k = 0;
      while (k < last && this.cumulativeWeights[k]! <= u) k++;
      active[i] = k;
    }
    const out: Record<string, Float64Array> = {};
    this.names.forEach((name, j) => {
      const kernels = this.kernels[j]!;
      const d = this.space[name]!;
      const column = new Float64Array(size);
      for (let i = 0; i < size; i++) {
        const k = active[i]!;
        if (kernels.kind === 'categorical') {
          const cumulative = kernels.cumulative[k]!;
          const u = rng.uniform();
          let c = 0;
          while (c < cumulative.length - 1 && cumulative[c]! < u) c++;
          column[i] = c;
          continue;
        }
        const mu = kernels.mu[k]!;
        const sigma = kernels.sigma[k]!;
        if (kernels.kind === 'continuous') {
          const x = truncNormPpf(rng.uniform(), (kernels.low - mu) / sigma, (kernels.high - mu) / sigma) * sigma + mu;
          column[i] = isLog(d) ? Math.exp(x) : x;
        } else {
          const { low, high, step, lowEdge, highEdge } = kernels;
          const z = truncNormPpf(rng.uniform(), (lowEdge - mu) / sigma, (highEdge - mu) / sigma) * sigma + mu;
          const x = kernels.log ? Math.exp(z) : z;
          column[i] = Math.min(high, Math.max(low, low + Math.round((x - low) / step) * step));
        }
      }
      out[name] = column;
    });
    return out;
  }

  /** log density (mass for grids and choices) of each joint draw. */
  logPdf(samples: Record<string, Float64Array>): Float64Array {
    const size = samples[this.names[0]!]!.length;
    const nKernels = this.logWeights.length;
    const acc = new Float64Array(size * nKernels);
    for (let i = 0; i < size; i++) acc.set(this.logWeights, i * nKernels);
    for (let j = 0; j < this.names.length; j++) {
      const name = this.names[j]!;
      const kernels = this.kernels[j]!;
      const d = this.space[name]!;
      const x = samples[name]!;
      if (kernels.kind === 'categorical') {
        for (let i = 0; i < size; i++) {
          const c = x[i]!;
          for (let k = 0; k < nKernels; k++) acc[i * nKernels + k]! += kernels.logProbabilities[k]![c]!;
        }
      } else if (kernels.kind === 'continuous') {
        const { mu, sigma, low, high, logNormalizer } = kernels;
        const inverseSigma = new Float64Array(nKernels);
        for (let k = 0; k < nKernels; k++) inverseSigma[k] = 1 / sigma[k]!;
        const log = isLog(d);
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
        const { mu, sigma, step, log, lowEdge, highEdge, logAccept } = kernels;
        const logWeights = this.logWeights;
        // One parameter alone (TPE's default, univariate): a kernel whose weighted mass is bounded below the best
        // one's by NEGLIGIBLE_LOG adds nothing to the mixture in double precision, so its mass is not computed.
        const skipFar = this.names.length === 1;
        const logSigma = new Float64Array(nKernels);
        for (let k = 0; k < nKernels; k++) logSigma[k] = Math.log(sigma[k]!);
        // Grid draws repeat: one row of masses per distinct value.
        const rows = new Map<number, Float64Array>();
        for (let i = 0; i < size; i++) {
          const xi = x[i]!;
          let row = rows.get(xi);
          if (!row) {
            const cells = new Float64Array(nKernels);
            row = cells;
            const lower = Math.max(log ? Math.log(xi - step / 2) : xi - step / 2, lowEdge);
            const upper = Math.min(log ? Math.log(xi + step / 2) : xi + step / 2, highEdge);
            let best = -Infinity;
            const exact = (k: number) => {
              cells[k] = logGaussMass((lower - mu[k]!) / sigma[k]!, (upper - mu[k]!) / sigma[k]!) - logAccept[k]!;
              best = Math.max(best, cells[k]! + logWeights[k]!);
            };
            if (!skipFar) {
              for (let k = 0; k < nKernels; k++) exact(k);
            } else {
              // The last kernel is the prior (sigma = the whole range) when there is one: a baseline far kernels cannot reach.
              exact(nKernels - 1);
              const logCell = Math.log(upper - lower);
              for (let k = 0; k < nKernels - 1; k++) {
                const m = mu[k]!;
                const zNear = m < lower ? (lower - m) / sigma[k]! : m > upper ? (m - upper) / sigma[k]! : 0;
                // mass <= cell width * the density at the cell's nearest point
                const bound = logWeights[k]! + logCell - logSigma[k]! - LOG_SQRT_2PI - 0.5 * zNear * zNear - logAccept[k]!;
                if (bound < best - NEGLIGIBLE_LOG) cells[k] = -Infinity;
                else exact(k);
              }
            }
            rows.set(xi, row);
          }
          for (let k = 0; k < nKernels; k++) acc[i * nKernels + k]! += row[k]!;
        }
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
        if (d > -NEGLIGIBLE_LOG) sum += Math.exp(d);
      }
      out[i] = Math.log(sum) + max;
    }
    return out;
  }
}

function cumulativeOf(logRow: Float64Array): Float64Array {
  const out = new Float64Array(logRow.length);
  let running = 0;
  for (let c = 0; c < logRow.length; c++) {
    running += Math.exp(logRow[c]!);
    out[c] = running;
  }
  out[out.length - 1] = 1;
  return out;
}

/**
 * Kernel centres and bandwidths over [low, high] (kernel space; grids already widened by half a step), Optuna
 * 4.9's rules: univariate bandwidths are the larger gap to the sorted neighbours among the observations alone
 * (the prior's centre is not one of them; the range ends count only with considerEndpoints), multivariate ones
 * Scott's rule; then the magic clip. The prior kernel comes last: centre of the range, sigma the whole range.
 */
export function bandwidths(observed: readonly number[], low: number, high: number, p: ParzenEstimatorParameters, nParams: number): { mu: Float64Array; sigma: Float64Array } {
  const n = observed.length;
  const considerPrior = p.considerPrior || n === 0;
  const width = high - low;
  let sigmas: number[];
  if (p.multivariate) {
    const sigma = 0.2 * Math.max(n, 1) ** (-1 / (nParams + 4)) * width;
    sigmas = observed.map(() => sigma);
  } else {
    const order = observed.map((_, i) => i).sort((a, b) => observed[a]! - observed[b]!);
    const sorted = [low, ...order.map((i) => observed[i]!), high];
    const sortedSigmas = new Array<number>(n);
    for (let i = 0; i < n; i++) sortedSigmas[i] = Math.max(sorted[i + 1]! - sorted[i]!, sorted[i + 2]! - sorted[i + 1]!);
    if (!p.considerEndpoints && sorted.length >= 4) {
      sortedSigmas[0] = sorted[2]! - sorted[1]!;
      sortedSigmas[n - 1] = sorted[n]! - sorted[n - 1]!;
    }
    sigmas = new Array<number>(n);
    order.forEach((original, rank) => {
      sigmas[original] = sortedSigmas[rank]!;
    });
  }
  const minSigma = p.considerMagicClip ? width / Math.min(100, 1 + n + (considerPrior ? 1 : 0)) : 1e-12;
  const mu = new Float64Array(n + (considerPrior ? 1 : 0));
  const sigma = new Float64Array(mu.length);
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
