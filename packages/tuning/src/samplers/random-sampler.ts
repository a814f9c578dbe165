import { checkKnownOptions } from '@kdap/errors';
import type { Distribution } from '../distributions';
import { TuningRandom } from '../random';
import type { FrozenTrial } from '../trial-state';
import type { Sampler, StudyView } from './sampler';

/** Options of RandomSampler. */
export interface RandomSamplerOptions {
  /** Seed of the generator (integer >= 0); undefined draws one from the OS. */
  seed?: number;
}

/**
 * Draws one internal value uniformly: ranges in their (log) space, grids by rounding a draw widened by half a step
 * on each side (so end points are as likely as the others), choices uniformly (Optuna's RandomSampler).
 */
export function sampleUniform(rng: TuningRandom, d: Distribution): number {
  if (d.kind === 'categorical') return Math.min(d.choices.length - 1, Math.floor(rng.uniform() * d.choices.length));
  if (d.kind === 'float' && d.step === null) {
    if (!d.log) return Math.min(d.high, rng.between(d.low, d.high));
    return Math.min(d.high, Math.max(d.low, Math.exp(rng.between(Math.log(d.low), Math.log(d.high)))));
  }
  const step = d.step ?? 1;
  if (d.kind === 'int' && d.log) {
    const x = Math.exp(rng.between(Math.log(d.low - 0.5), Math.log(d.high + 0.5)));
    return Math.min(d.high, Math.max(d.low, Math.round(x)));
  }
  const x = rng.between(d.low - step / 2, d.high + step / 2);
  const snapped = d.low + Math.round((x - d.low) / step) * step;
  return Math.min(d.high, Math.max(d.low, snapped));
}

/** Independent uniform sampling: the baseline, and TPE's first `nStartupTrials` trials. */
export class RandomSampler implements Sampler {
  private readonly rng: TuningRandom;

  constructor(options: RandomSamplerOptions = {}) {
    checkKnownOptions('RandomSampler', options, ['seed']);
    this.rng = new TuningRandom('RandomSampler', options.seed);
  }

  inferRelativeSearchSpace(): Record<string, Distribution> {
    return {};
  }

  sampleRelative(): Record<string, number> {
    return {};
  }

  sampleIndependent(_study: StudyView, _trial: FrozenTrial, _name: string, distribution: Distribution): number {
    return sampleUniform(this.rng, distribution);
  }
}
