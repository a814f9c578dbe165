import { SeededRandom } from './seeded-random';

export interface TabularProblem {
  rows: number;
  cols: number;
  /** Row-major features; about 2% NaN (missing) in the first three columns. */
  x: Float32Array;
  /** Binary target (about 20% positive). */
  yBinary: Float32Array;
  /** Continuous target. */
  yRegression: Float32Array;
}

/** A synthetic tabular problem with nonlinear signal, interactions and missing values (gradient-boosting tests and benchmarks). */
export function tabularProblem(rows: number, cols: number, seed: number): TabularProblem {
  const rng = new SeededRandom(seed);
  const x = new Float32Array(rows * cols);
  const yBinary = new Float32Array(rows);
  const yRegression = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const row = x.subarray(r * cols, (r + 1) * cols);
    for (let c = 0; c < cols; c++) row[c] = rng.normal();
    const f = (c: number) => row[c % cols]!;
    const signal = 1.2 * f(0) - 0.8 * f(1) + 0.6 * f(2) * f(3) + Math.sin(2 * f(4)) + 0.3 * Math.abs(f(5));
    yRegression[r] = signal + 0.5 * rng.normal();
    yBinary[r] = 1 / (1 + Math.exp(-(signal - 1.8 + 0.7 * rng.normal()))) > 0.5 ? 1 : 0;
    for (let c = 0; c < Math.min(3, cols); c++) if (rng.next() < 0.02) row[c] = NaN;
  }
  return { rows, cols, x, yBinary, yRegression };
}
