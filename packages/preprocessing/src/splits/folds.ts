import { DataError, ParameterError, describeValue } from '../errors';
import type { Table } from '../table/table';
import { SeededRandom } from '../random/seeded-random';
import { MS_PER_DAY } from '../table/dates';
import { type Fold, requireSeed, rowLabels } from './split-options';

/** Options of {@link kFold}. */
export interface KFoldOptions {
  /** Number of folds; default 5. */
  k?: number;
  seed: number;
  /** Keep each class's share in every fold (classification target column). */
  stratify?: string;
  /** Keep each group's rows in one fold (e.g. customer_id). */
  group?: string;
}

/**
 * Seeded k-fold cross-validation: every row is a test row in exactly one fold. Rows are dealt
 * round-robin after a seeded shuffle (per class when stratified; whole groups when grouped).
 */
export function kFold(table: Table, options: KFoldOptions): Fold[] {
  const seed = requireSeed(options?.seed, 'kFold');
  const k = options.k ?? 5;
  if (!Number.isInteger(k) || k < 2) throw new ParameterError('k', `The 'k' option of kFold must be an integer >= 2. Got ${describeValue(options.k)}.`);
  if (options.stratify !== undefined && options.group !== undefined) {
    throw new ParameterError('group', `kFold takes 'stratify' or 'group', not both. Got ${describeValue(options)}.`);
  }
  const n = table.rowCount;
  const random = new SeededRandom(seed);
  const foldOf = new Int32Array(n);
  if (options.group !== undefined) {
    const labels = rowLabels(table, options.group, 'kFold', 'group');
    const groups = [...new Set(labels)].sort();
    if (groups.length < k) {
      throw new DataError(`kFold needs at least k = ${k} groups in '${options.group}', but there are ${groups.length}. Use a smaller k.`, { column: options.group });
    }
    const order = random.permutation(groups.length);
    const foldOfGroup = new Map<string, number>();
    order.forEach((g, position) => foldOfGroup.set(groups[g] as string, position % k));
    labels.forEach((label, row) => (foldOf[row] = foldOfGroup.get(label) as number));
  } else {
    if (n < k) throw new DataError(`kFold needs at least k = ${k} rows, but the table has ${n}. Use a smaller k.`);
    const strata = options.stratify === undefined ? [Array.from({ length: n }, (_, i) => i)] : groupRowsByLabel(rowLabels(table, options.stratify, 'kFold', 'stratify target'));
    let dealt = 0;
    for (const rows of strata) {
      const shuffled = random.shuffle(Int32Array.from(rows));
      // Continue dealing where the previous class stopped, so fold sizes differ by at most one.
      shuffled.forEach((row) => (foldOf[row] = dealt++ % k));
    }
  }
  return Array.from({ length: k }, (_, fold) => {
    const trainIndices: number[] = [];
    const testIndices: number[] = [];
    for (let row = 0; row < n; row += 1) (foldOf[row] === fold ? testIndices : trainIndices).push(row);
    return { fold, trainIndices: Int32Array.from(trainIndices), testIndices: Int32Array.from(testIndices) };
  });
}

function groupRowsByLabel(labels: readonly string[]): number[][] {
  const byLabel = new Map<string, number[]>();
  labels.forEach((label, row) => {
    const rows = byLabel.get(label);
    if (rows) rows.push(row);
    else byLabel.set(label, [row]);
  });
  return [...byLabel.keys()].sort().map((label) => byLabel.get(label) as number[]);
}

/** Options of {@link timeSeriesFolds}. */
export interface TimeSeriesFoldOptions {
  /** Date column. */
  date: string;
  /** Number of folds; default 5. */
  folds?: number;
  /** Days left out between the end of training and the start of the test block (against lag leakage); default 0. */
  gapDays?: number;
}

/**
 * Expanding-window folds over time (like scikit-learn's TimeSeriesSplit, on distinct dates): the
 * distinct dates are cut into folds + 1 consecutive blocks; fold i tests on block i + 1 and
 * trains on every earlier date up to `gapDays` before the test block. No shuffling.
 */
export function timeSeriesFolds(table: Table, options: TimeSeriesFoldOptions): Fold[] {
  const dates = table.date(options?.date).values;
  const folds = options.folds ?? 5;
  const gapDays = options.gapDays ?? 0;
  if (!Number.isInteger(folds) || folds < 2) {
    throw new ParameterError('folds', `The 'folds' option of timeSeriesFolds must be an integer >= 2. Got ${describeValue(options.folds)}.`);
  }
  if (!Number.isInteger(gapDays) || gapDays < 0) {
    throw new ParameterError('gapDays', `The 'gapDays' option of timeSeriesFolds must be an integer >= 0 (days). Got ${describeValue(options.gapDays)}.`);
  }
  const distinct = [...new Set(dates)].filter((ms) => !Number.isNaN(ms)).sort((a, b) => a - b);
  if (distinct.length < folds + 1) {
    throw new DataError(`timeSeriesFolds needs at least folds + 1 = ${folds + 1} distinct dates in '${options.date}', but there are ${distinct.length}. Use fewer folds.`, {
      column: options.date,
    });
  }
  const blockSize = Math.floor(distinct.length / (folds + 1));
  const firstTestBlock = distinct.length - folds * blockSize;
  return Array.from({ length: folds }, (_, fold) => {
    const testStart = distinct[firstTestBlock + fold * blockSize] as number;
    const testEnd = fold === folds - 1 ? Infinity : (distinct[firstTestBlock + (fold + 1) * blockSize] as number);
    const trainEnd = testStart - gapDays * MS_PER_DAY;
    const trainIndices: number[] = [];
    const testIndices: number[] = [];
    for (let row = 0; row < dates.length; row += 1) {
      const ms = dates[row] as number;
      if (ms < trainEnd) trainIndices.push(row);
      else if (ms >= testStart && ms < testEnd) testIndices.push(row);
    }
    if (trainIndices.length === 0) {
      throw new DataError(`timeSeriesFolds fold ${fold} has no training rows: gapDays ${gapDays} covers all dates before its test block. Use a smaller gapDays.`, {
        column: options.date,
      });
    }
    return { fold, trainIndices: Int32Array.from(trainIndices), testIndices: Int32Array.from(testIndices) };
  });
}
