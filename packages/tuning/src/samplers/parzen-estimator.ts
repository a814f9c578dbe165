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

/** One parameter's kernels, one per observation (+ the prior), in the transformed (log) space. */
type Kernels =
  | { kind: 'categorical'; logProbabilities: Float64Array[]; cumulative: Float64Array[] }
  | { kind: 'continuous'; mu: Float64Array; sigma: Float64Array; low: number; high: number; logNormalizer: Float64Array }
  | { kind: 'discrete'; mu: Float64Array; sigma: Float64Array; low: number; high: number; step: number; logAccept: Float64Array };

function isLog(d: Distribution): boolean {
  return d.kind !== 'categorical' && d.log;
}

/**
 * A mixture of products of truncated Gaussians (ranges) and smoothed histograms (choices): TPE's l(x) or
 * g(x). Bandwidths follow Optuna: univariate kernels take the larger gap to their sorted neighbours (the
 * range ends count as neighbours only with considerEndpoints), multivariate ones Scott's rule
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
    let low = d.low;
    let high = d.high;
    let step: number | null = d.step;
    const observed = isLog(d) ? values.map(Math.log) : [...values];
    if (isLog(d)) {
      low = Math.log(d.low);
      high = Math.log(d.high);
      if (step !== null) {
        // Optuna's log-int treatment: a continuous kernel on [log(low - step/2), log(high + step/2)], rounded after sampling.
        low = Math.log(d.low - step / 2);
        high = Math.log(d.high + step / 2);
        step = null;
      }
    }
    const { mu, sigma } = bandwidths(observed, low, high, step, p, this.names.length);
    if (step === null) {
      const logNormalizer = new Float64Array(mu.length);
      for (let k = 0; k < mu.length; k++) logNormalizer[k] = -logGaussMass((low - mu[k]!) / sigma[k]!, (high - mu[k]!) / sigma[k]!) - Math.log(sigma[k]!) - LOG_SQRT_2PI;
      return { kind: 'continuous', mu, sigma, low, high, logNormalizer };
    }
    const logAccept = new Float64Array(mu.length);
    for (let k = 0; k < mu.length; k++) logAccept[k] = logGaussMass((low - step / 2 - mu[k]!) / sigma[k]!, (high + step / 2 - mu[k]!) / sigma[k]!);
    return { kind: 'discrete', mu, sigma, low, high, step, logAccept };
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
          column[i] = truncNormPpf(rng.uniform(), (kernels.low - mu) / sigma, (kernels.high - mu) / sigma) * sigma + mu;
        } else {
          const { low, high, step } = kernels;
          const x = truncNormPpf(rng.uniform(), (low - step / 2 - mu) / sigma, (high + step / 2 - mu) / sigma) * sigma + mu;
          column[i] = Math.min(high, Math.max(low, low + Math.round((x - low) / step) * step));
        }
      }
      if (d.kind !== 'categorical') {
        if (isLog(d)) for (let i = 0; i < size; i++) column[i] = Math.exp(column[i]!);
        if (d.kind === 'int') for (let i = 0; i < size; i++) column[i] = Math.min(d.high, Math.max(d.low, d.low + Math.round((column[i]! - d.low) / d.step) * d.step));
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
      const raw = samples[name]!;
      let x = raw;
      if (isLog(d)) {
        x = new Float64Array(size);
        for (let i = 0; i < size; i++) x[i] = Math.log(raw[i]!);
      }
      if (kernels.kind === 'categorical') {
        for (let i = 0; i < size; i++) {
          const c = x[i]!;
          for (let k = 0; k < nKernels; k++) acc[i * nKernels + k]! += kernels.logProbabilities[k]![c]!;
        }
      } else if (kernels.kind === 'continuous') {
        const { mu, sigma, low, high, logNormalizer } = kernels;
        const inverseSigma = new Float64Array(nKernels);
        for (let k = 0; k < nKernels; k++) inverseSigma[k] = 1 / sigma[k]!;
        for (let i = 0; i < size; i++) {
          const xi = x[i]!;
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
        const { mu, sigma, low, high, step, logAccept } = kernels;
        // Grid draws repeat: one row of masses per distinct value.
        const rows = new Map<number, Float64Array>();
        for (let i = 0; i < size; i++) {
          const xi = x[i]!;
          let row = rows.get(xi);
          if (!row) {
            row = new Float64Array(nKernels);
            const lower = Math.max(xi - step / 2, low - step / 2);
            const upper = Math.min(xi + step / 2, high + step / 2);
            for (let k = 0; k < nKernels; k++) row[k] = logGaussMass((lower - mu[k]!) / sigma[k]!, (upper - mu[k]!) / sigma[k]!) - logAccept[k]!;
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
        // exp underflows to 0 below -745 anyway; skipping the call is the cheap part of a 200-kernel mixture.
        if (d > -745) sum += Math.exp(d);
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

// Exported for the tests that check Optuna's bandwidth rules on small cases.
export function bandwidths(
  observed: readonly number[],
  low: number,
  high: number,
  step: number | null,
  p: ParzenEstimatorParameters,
  nParams: number,
): { mu: Float64Array; sigma: Float64Array } {
  const stepOr0 = step ?? 0;
  const n = observed.length;
  const considerPrior = p.considerPrior || n === 0;
  const priorMu = 0.5 * (low + high);
  const width = high - low + stepOr0;
  let sigmas: number[];
  if (p.multivariate) {
    const sigma = 0.2 * Math.max(n, 1) ** (-1 / (nParams + 4)) * width;
    sigmas = observed.map(() => sigma);
  } else {
    const withPrior = considerPrior ? [...observed, priorMu] : [...observed];
    const order = withPrior.map((_, i) => i).sort((a, b) => withPrior[a]! - withPrior[b]!);
    const sorted = [low - stepOr0 / 2, ...order.map((i) => withPrior[i]!), high + stepOr0 / 2];
    const m = withPrior.length;
    const sortedSigmas = new Array<number>(m);
    for (let i = 0; i < m; i++) sortedSigmas[i] = Math.max(sorted[i + 1]! - sorted[i]!, sorted[i + 2]! - sorted[i + 1]!);
    if (!p.considerEndpoints && sorted.length >= 4) {
      sortedSigmas[0] = sorted[2]! - sorted[1]!;
      sortedSigmas[m - 1] = sorted[m]! - sorted[m - 1]!;
    }
    sigmas = new Array<number>(m);
    order.forEach((original, rank) => {
      sigmas[original] = sortedSigmas[rank]!;
    });
    sigmas = sigmas.slice(0, n);
  }
  const maxSigma = width;
  const minSigma = p.considerMagicClip ? width / Math.min(100, 1 + n + (considerPrior ? 1 : 0)) : 1e-12;
  const mu = new Float64Array(n + (considerPrior ? 1 : 0));
  const sigma = new Float64Array(mu.length);
  for (let i = 0; i < n; i++) {
    mu[i] = observed[i]!;
    sigma[i] = Math.min(maxSigma, Math.max(minSigma, sigmas[i]!));
  }
  if (considerPrior) {
    mu[n] = priorMu;
    sigma[n] = width;
  }
  return { mu, sigma };
}
