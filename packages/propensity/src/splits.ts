import { SeededRandom } from '@kdap/preprocessing';

/** Row indices of the four named splits; no row is in two of them. */
export interface PropensitySplits {
  /** Rows the booster is fitted on (also the population of `percentile_rank`). */
  train: Int32Array;
  /** Rows early stopping watches (empty when the caller passes a validation table). */
  validation: Int32Array;
  /** Rows the calibrator is fitted on. */
  calibration: Int32Array;
  /** Rows the reported metrics and calibration report come from; nothing else sees them. */
  test: Int32Array;
  /** 'time' when a date column ordered the rows, else 'stratified'. */
  order: 'time' | 'stratified';
}

export interface SplitFractions {
  /** Share of all rows in the metric (test) set. */
  test: number;
  /** Share of the remaining rows for early stopping (0: none). */
  validation: number;
  /** Share of the remaining rows for calibration (0: none). */
  calibration: number;
}

/** Rows per part of `n`: each non-zero share gets at least one row. */
function count(share: number, n: number): number {
  return share <= 0 ? 0 : Math.max(1, Math.round(share * n));
}

/**
 * Splits rows into train / validation / calibration / test. With `dates`, rows are ordered by
 * date (ties by row) and the parts follow time: train oldest, then validation, calibration and
 * test newest (scores are used on customers after the training period). Without, each class is
 * shuffled (seeded) and dealt to the parts in proportion, so every part keeps the class balance.
 */
export function propensitySplits(y: Float64Array, fractions: SplitFractions, seed: number, dates?: ArrayLike<number>): PropensitySplits {
  const n = y.length;
  const parts = (rows: number[]) => {
    const m = rows.length;
    const test = count(fractions.test, m);
    const rest = m - test;
    const calibration = count(fractions.calibration, rest);
    const validation = count(fractions.validation, rest);
    const train = m - test - calibration - validation;
    return { train, validation, calibration, test };
  };
  const assign = (rows: number[], into: number[][]) => {
    const sizes = parts(rows);
    let k = 0;
    for (const [part, size] of [sizes.train, sizes.validation, sizes.calibration, sizes.test].entries()) {
      for (let j = 0; j < size; j++) into[part]!.push(rows[k++]!);
    }
  };
  const into: number[][] = [[], [], [], []];
  if (dates !== undefined) {
    const rows = Array.from({ length: n }, (_, i) => i);
    // Rows without a date go first (oldest): they can never be newer than the metric rows.
    const key = (i: number) => (Number.isNaN(dates[i]!) ? -Infinity : dates[i]!);
    rows.sort((a, b) => key(a) - key(b) || a - b);
    assign(rows, into);
  } else {
    const random = new SeededRandom(seed);
    for (const label of [0, 1]) {
      const rows: number[] = [];
      for (let i = 0; i < n; i++) if (y[i] === label) rows.push(i);
      const order = random.permutation(rows.length);
      assign(Array.from(order, (j) => rows[j]!), into);
    }
  }
  const sorted = (a: number[]) => Int32Array.from(a).sort();
  return { train: sorted(into[0]!), validation: sorted(into[1]!), calibration: sorted(into[2]!), test: sorted(into[3]!), order: dates !== undefined ? 'time' : 'stratified' };
}
