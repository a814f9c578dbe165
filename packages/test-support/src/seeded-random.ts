import { SeededRandom as LibrarySeededRandom } from '@kdap/preprocessing';

/**
 * The tests' seeded generator: @kdap/preprocessing's SeededRandom (MT19937, the one the synthetic
 * data uses), with the two shorthands fixtures are written with. One engine for library and tests,
 * so a failing case reproduces exactly on the next run and nobody maintains a second generator.
 */
export class SeededRandom extends LibrarySeededRandom {
  /** Uniform in [0, 1) (the same draw as `uniform()`). */
  next(): number {
    return this.uniform();
  }

  /** `n` values, the i-th drawn by `draw(this, i)`. */
  array<T = number>(n: number, draw: (random: SeededRandom, index: number) => T): T[] {
    return Array.from({ length: n }, (_, i) => draw(this, i));
  }
}
