/**
 * Objectives the tuning tests and benchmarks search (their Python twins are in
 * benchmarks/python/tuning_bench.py). Typed by the suggest methods they call, so this package needs
 * no dependency on @kdap/tuning.
 */
export interface SuggestingTrial {
  suggestFloat(name: string, low: number, high: number, options?: { log?: boolean; step?: number }): number;
  suggestInt(name: string, low: number, high: number, options?: { log?: boolean; step?: number }): number;
  suggestCategorical<T extends string>(name: string, choices: readonly T[]): T;
}

/**
 * Five parameters of every kind (two floats, a log-scale float, an int, a categorical); minimum 0
 * at x = 2, y = -1, lr = 0.01, n = 7, c = 'b'.
 */
export function mixedObjective(trial: SuggestingTrial): number {
  const x = trial.suggestFloat('x', -5, 5);
  const y = trial.suggestFloat('y', -5, 5);
  const lr = trial.suggestFloat('lr', 1e-5, 1, { log: true });
  const n = trial.suggestInt('n', 1, 20);
  const c = trial.suggestCategorical('c', ['a', 'b', 'c']);
  return (x - 2) ** 2 + (y + 1) ** 2 + (Math.log10(lr) + 2) ** 2 + (n - 7) ** 2 / 10 + (c !== 'b' ? 1 : 0);
}
