import { checkInt, checkKnownOptions, checkNumber, invalidParameter } from '@kdap/errors';
import { isSingle, sameDistribution, type Distribution } from '../distributions';
import { TuningRandom } from '../random';
import { lastStep, type Direction, type FrozenTrial } from '../trial-state';
import { ParzenEstimator, type ParzenEstimatorParameters } from './parzen-estimator';
import { RandomSampler } from './random-sampler';
import type { Sampler, StudyView } from './sampler';

/** Options of TPESampler; every default is Optuna's (the version pinned in benchmarks/python/requirements.txt). */
export interface TPESamplerOptions {
  /** Add a prior kernel (centre of the range, sigma = the range) to both densities. Default true. */
  considerPrior?: boolean;
  /** Weight of the prior kernel relative to an observation's (1 each). Default 1. */
  priorWeight?: number;
  /** Clip bandwidths to [range / min(100, 1 + n_kernels), range]. Default true. */
  considerMagicClip?: boolean;
  /** Let the range ends widen the outermost kernels' bandwidths. Default false. */
  considerEndpoints?: boolean;
  /** Trials drawn at random before TPE starts (counts COMPLETE and PRUNED trials of the study). Default 10. */
  nStartupTrials?: number;
  /** Candidates drawn from l(x) per decision; the one maximising l(x)/g(x) wins. Default 24. */
  nEiCandidates?: number;
  /** n finished trials -> how many form the "good" group l(x). Default min(ceil(0.1 n), 25). */
  gamma?: (n: number) => number;
  /** n observations -> kernel weights, oldest first. Default: 1 each below 25, else a ramp from 1/n up to 1 then 25 ones. */
  weights?: (n: number) => number[];
  /** Seed (integer >= 0) of this sampler and of its startup random sampler; undefined draws one from the OS. */
  seed?: number;
  /** Model the parameters jointly (product kernels over the space every finished trial shares). Default false. */
  multivariate?: boolean;
}

const KNOWN = ['considerPrior', 'priorWeight', 'considerMagicClip', 'considerEndpoints', 'nStartupTrials', 'nEiCandidates', 'gamma', 'weights', 'seed', 'multivariate'];

/** Optuna's default_gamma: 10% of the finished trials, at most 25. */
export function defaultGamma(n: number): number {
  return Math.min(Math.ceil(0.1 * n), 25);
}

/** Optuna's default_weights: equal below 25 observations, else the older ones ramp down linearly from 1 to 1/n. */
export function defaultWeights(n: number): number[] {
  if (n === 0) return [];
  if (n < 25) return new Array<number>(n).fill(1);
  const rampLength = n - 25;
  const ramp = Array.from({ length: rampLength }, (_, i) => (rampLength === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (rampLength - 1)));
  return [...ramp, ...new Array<number>(25).fill(1)];
}

/** A pruned trial's rank key: later steps first, then the better last intermediate value (NaN last). */
function prunedKey(trial: FrozenTrial, direction: Direction): [number, number] {
  const step = lastStep(trial);
  if (step === undefined) return [1, 0];
  const value = trial.intermediateValues.get(step)!;
  if (Number.isNaN(value)) return [-step, Infinity];
  return [-step, direction === 'minimize' ? value : -value];
}

/**
 * Optuna's split: the best `nBelow` COMPLETE trials are "good"; if there are fewer, the best PRUNED ones
 * (those that got furthest, then by their last value) fill up. Both groups are returned in trial order,
 * which the weights' ramp relies on; `trials` must be in trial order. Ties go to the earlier trial (Optuna's
 * stable sort).
 */
export function splitTrials(trials: readonly FrozenTrial[], direction: Direction, nBelow: number): [FrozenTrial[], FrozenTrial[]] {
  const sign = direction === 'minimize' ? 1 : -1;
  let nCompleteTrials = 0;
  const pruned: FrozenTrial[] = [];
  for (const t of trials) {
    if (t.state === 'COMPLETE') nCompleteTrials++;
    else if (t.state === 'PRUNED') pruned.push(t);
  }
  // The nComplete-th best value: trials better than it are good, and the earliest of those equal to it fill up.
  const keys = new Float64Array(nCompleteTrials);
  let i = 0;
  for (const t of trials) if (t.state === 'COMPLETE') keys[i++] = sign * t.value!;
  const nComplete = Math.min(nBelow, nCompleteTrials);
  let threshold = Infinity;
  let equalSlots = 0;
  if (nComplete > 0) {
    keys.sort();
    threshold = keys[nComplete - 1]!;
    let better = 0;
    while (better < nComplete && keys[better]! < threshold) better++;
    equalSlots = nComplete - better;
  }
  const nPruned = Math.min(Math.max(0, nBelow - nComplete), pruned.length);
  let goodPruned: Set<FrozenTrial> | undefined;
  if (nPruned > 0) {
    const rank = new Map(pruned.map((t) => [t, prunedKey(t, direction)]));
    const sortedPruned = [...pruned].sort((a, b) => {
      const ka = rank.get(a)!;
      const kb = rank.get(b)!;
      return ka[0] !== kb[0] ? ka[0] - kb[0] : ka[1] === kb[1] ? 0 : ka[1] < kb[1] ? -1 : 1;
    });
    goodPruned = new Set(sortedPruned.slice(0, nPruned));
  }
  const below: FrozenTrial[] = [];
  const above: FrozenTrial[] = [];
  for (const t of trials) {
    if (t.state === 'COMPLETE') {
      const key = sign * t.value!;
      if (nComplete > 0 && (key < threshold || (key === threshold && equalSlots-- > 0))) below.push(t);
      else above.push(t);
    } else if (t.state === 'PRUNED') {
      if (goodPruned?.has(t)) below.push(t);
      else above.push(t);
    }
  }
  return [below, above];
}

/**
 * Tree-structured Parzen Estimator (Bergstra et al. 2011) with Optuna's semantics: after `nStartupTrials`
 * random trials, split finished trials into good (l) and bad (g) by gamma, fit a Parzen estimator to
 * each, draw `nEiCandidates` from l and keep the one with the largest log l(x) - log g(x).
 */
export class TPESampler implements Sampler {
  private readonly parameters: ParzenEstimatorParameters;
  private readonly nStartupTrials: number;
  private readonly nEiCandidates: number;
  private readonly gamma: (n: number) => number;
  private readonly rng: TuningRandom;
  private readonly randomSampler: RandomSampler;
  private readonly multivariate: boolean;
  // Finished trials never change, so the split depends only on which ones exist: cache it per (study, count).
  private splitCache: { study: StudyView; count: number; direction: Direction; below: FrozenTrial[]; above: FrozenTrial[] } | undefined;
  // The finished trials as the running trial's first decision saw them (Optuna caches them per trial too): one
  // look-up per trial, not one per parameter.
  private trialsCache: { study: StudyView; trial: FrozenTrial; trials: readonly FrozenTrial[] } | undefined;

  constructor(options: TPESamplerOptions = {}) {
    checkKnownOptions('TPESampler', options, KNOWN);
    const o = { considerPrior: true, priorWeight: 1, considerMagicClip: true, considerEndpoints: false, nStartupTrials: 10, nEiCandidates: 24, multivariate: false, ...options };
    for (const flag of ['considerPrior', 'considerMagicClip', 'considerEndpoints', 'multivariate'] as const) {
      if (typeof o[flag] !== 'boolean') invalidParameter('TPESampler', flag, 'a boolean', o[flag], 'option');
    }
    checkNumber('TPESampler', 'priorWeight', o.priorWeight, { min: Number.MIN_VALUE });
    checkInt('TPESampler', 'nStartupTrials', o.nStartupTrials, 0);
    checkInt('TPESampler', 'nEiCandidates', o.nEiCandidates, 1);
    if (o.gamma !== undefined && typeof o.gamma !== 'function') invalidParameter('TPESampler', 'gamma', 'a function (n trials) => n good trials', o.gamma, 'option');
    if (o.weights !== undefined && typeof o.weights !== 'function') invalidParameter('TPESampler', 'weights', 'a function (n) => n weights', o.weights, 'option');
    this.parameters = {
      considerPrior: o.considerPrior,
      priorWeight: o.priorWeight,
      considerMagicClip: o.considerMagicClip,
      considerEndpoints: o.considerEndpoints,
      weights: o.weights ?? memoizedDefaultWeights(),
      multivariate: o.multivariate,
      pureWeights: o.weights === undefined,
    };
    this.nStartupTrials = o.nStartupTrials;
    this.nEiCandidates = o.nEiCandidates;
    this.gamma = o.gamma ?? defaultGamma;
    this.multivariate = o.multivariate;
    this.rng = new TuningRandom('TPESampler', o.seed);
    this.randomSampler = new RandomSampler(o.seed === undefined ? {} : { seed: o.seed });
  }

  inferRelativeSearchSpace(study: StudyView): Record<string, Distribution> {
    if (!this.multivariate) return {};
    // Optuna's IntersectionSearchSpace(include_pruned=True): names every finished trial shares with one distribution.
    let space: Record<string, Distribution> | undefined;
    for (const trial of study.getTrials(['COMPLETE', 'PRUNED'])) {
      if (space === undefined) {
        space = { ...trial.distributions };
        continue;
      }
      for (const [name, d] of Object.entries(space)) {
        const other = trial.distributions[name];
        if (other === undefined || !sameDistribution(other, d)) delete space[name];
      }
    }
    const out: Record<string, Distribution> = {};
    for (const name of Object.keys(space ?? {}).sort()) if (!isSingle(space![name]!)) out[name] = space![name]!;
    return out;
  }

  sampleRelative(study: StudyView, trial: FrozenTrial, searchSpace: Record<string, Distribution>): Record<string, number> {
    if (Object.keys(searchSpace).length === 0) return {};
    const trials = this.finishedTrials(study, trial);
    if (trials.length < this.nStartupTrials) return {};
    return this.sample(study, trials, searchSpace);
  }

  sampleIndependent(study: StudyView, trial: FrozenTrial, name: string, distribution: Distribution): number {
    const trials = this.finishedTrials(study, trial);
    if (trials.length < this.nStartupTrials) return this.randomSampler.sampleIndependent(study, trial, name, distribution);
    return this.sample(study, trials, { [name]: distribution })[name]!;
  }

  private finishedTrials(study: StudyView, trial: FrozenTrial): readonly FrozenTrial[] {
    const cached = this.trialsCache;
    if (cached && cached.study === study && cached.trial === trial) return cached.trials;
    const trials = study.getTrials(['COMPLETE', 'PRUNED']);
    this.trialsCache = { study, trial, trials };
    return trials;
  }

  private split(study: StudyView, trials: readonly FrozenTrial[]): [FrozenTrial[], FrozenTrial[]] {
    const cached = this.splitCache;
    if (cached && cached.study === study && cached.count === trials.length && cached.direction === study.direction) return [cached.below, cached.above];
    const [below, above] = splitTrials(trials, study.direction, this.gamma(trials.length));
    this.splitCache = { study, count: trials.length, direction: study.direction, below, above };
    return [below, above];
  }

  private sample(study: StudyView, trials: readonly FrozenTrial[], space: Record<string, Distribution>): Record<string, number> {
    const [below, above] = this.split(study, trials);
    const estimatorBelow = new ParzenEstimator(observationsOf(below, space), space, this.parameters);
    const estimatorAbove = new ParzenEstimator(observationsOf(above, space), space, this.parameters);
    const candidates = estimatorBelow.sample(this.rng, this.nEiCandidates);
    const logL = estimatorBelow.logPdf(candidates);
    const logG = estimatorAbove.logPdf(candidates);
    let best = 0;
    let bestScore = -Infinity;
    for (let i = 0; i < logL.length; i++) {
      const score = logL[i]! - logG[i]!;
      if (score > bestScore) {
        bestScore = score;
        best = i;
      }
    }
    const out: Record<string, number> = {};
    for (const name of Object.keys(space)) out[name] = candidates[name]![best]!;
    return out;
  }
}

/** Internal values of the trials that have every parameter of the space (Optuna skips the others). */
function observationsOf(trials: readonly FrozenTrial[], space: Record<string, Distribution>): Record<string, Float64Array> {
  const names = Object.keys(space);
  const out: Record<string, Float64Array> = {};
  if (names.length === 1) {
    // Univariate (the default): one pass, no intermediate list.
    const name = names[0]!;
    const column = new Float64Array(trials.length);
    let n = 0;
    for (const trial of trials) {
      const value = trial.internalParams[name];
      if (value !== undefined) column[n++] = value;
    }
    out[name] = n === trials.length ? column : column.slice(0, n);
    return out;
  }
  const usable = trials.filter((trial) => names.every((name) => trial.internalParams[name] !== undefined));
  for (const name of names) out[name] = Float64Array.from(usable, (trial) => trial.internalParams[name]!);
  return out;
}

/** defaultWeights with its answers kept (a study asks for the same few n at every decision); callers copy them. */
function memoizedDefaultWeights(): (n: number) => number[] {
  const cache = new Map<number, number[]>();
  return (n) => {
    let weights = cache.get(n);
    if (weights === undefined) {
      if (cache.size >= 64) cache.clear();
      weights = defaultWeights(n);
      cache.set(n, weights);
    }
    return weights;
  };
}
