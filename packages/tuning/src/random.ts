import { randomInt } from 'node:crypto';
import { mersenne } from 'pure-rand/generator/mersenne';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { checkInt } from '@kdap/errors';

/**
 * The samplers' source of randomness: MT19937 from pure-rand, the same engine and pin as
 * @kdap/preprocessing's SeededRandom. Not that class itself: importing @kdap/preprocessing loads DuckDB
 * and Arrow (~340 modules, seconds) into every process that only wants to tune.
 */
export class TuningRandom {
  private readonly generator: RandomGenerator;

  /** `seed` undefined draws one from the OS, as Optuna does with seed=None. */
  constructor(owner: string, seed: number | undefined) {
    if (seed !== undefined) checkInt(owner, 'seed', seed, 0, 2 ** 32 - 1);
    this.generator = mersenne((seed ?? randomInt(0, 2 ** 31 - 1)) | 0);
  }

  /** Uniform in [0, 1), 53 random bits. */
  uniform(): number {
    return uniformFloat64(this.generator);
  }

  /** Uniform in [low, high). */
  between(low: number, high: number): number {
    return low + (high - low) * this.uniform();
  }
}
