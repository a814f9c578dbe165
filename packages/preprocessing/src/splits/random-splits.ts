import { DataError } from '../errors';
import type { Table } from '../table/table';
import { SeededRandom } from '../random/seeded-random';
import { type TrainTestSplit, requireSeed, rowLabels, splitByTestMask, testCount } from './split-options';

/** Options of {@link trainTestSplit}. */
export interface RandomSplitOptions {
  /** Fraction (0, 1) or number of test rows; default 0.25. */
  testSize?: number;
  seed: number;
}

/** A seeded uniformly random train/test split of the rows. */
export function trainTestSplit(table: Table, options: RandomSplitOptions): TrainTestSplit {
  const seed = requireSeed(options?.seed, 'trainTestSplit');
  const count = testCount(options.testSize, table.rowCount, 'trainTestSplit');
  const order = new SeededRandom(seed).permutation(table.rowCount);
  const isTest = new Uint8Array(table.rowCount);
  for (let i = 0; i < count; i += 1) isTest[order[i] as number] = 1;
  return splitByTestMask(table, isTest);
}

/** Options of {@link stratifiedSplit}. */
export interface StratifiedSplitOptions extends RandomSplitOptions {
  /** Class column (categorical or numeric labels). */
  target: string;
}

/**
 * A seeded train/test split that keeps each class's share of rows in both parts (classification
 * targets such as `converted`): per class, the test share is rounded and the remainder given to
 * the classes with the largest fractional parts.
 */
export function stratifiedSplit(table: Table, options: StratifiedSplitOptions): TrainTestSplit {
  const seed = requireSeed(options?.seed, 'stratifiedSplit');
  const labels = rowLabels(table, options.target, 'stratifiedSplit', 'target');
  const count = testCount(options.testSize, table.rowCount, 'stratifiedSplit');
  const byClass = new Map<string, number[]>();
  labels.forEach((label, row) => {
    const rows = byClass.get(label);
    if (rows) rows.push(row);
    else byClass.set(label, [row]);
  });
  for (const [label, rows] of byClass) {
    if (rows.length < 2) {
      throw new DataError(
        `stratifiedSplit needs at least 2 rows of every class, but class '${label}' of '${options.target}' has ${rows.length}. Drop or merge rare classes, or use trainTestSplit.`,
        { column: options.target },
      );
    }
  }
  const classes = [...byClass.keys()].sort();
  const exact = classes.map((label) => ((byClass.get(label) as number[]).length * count) / table.rowCount);
  const perClass = exact.map(Math.floor);
  let remaining = count - perClass.reduce((a, b) => a + b, 0);
  const byFraction = exact.map((value, i) => [value - Math.floor(value), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of byFraction) {
    if (remaining === 0) break;
    perClass[i] = (perClass[i] as number) + 1;
    remaining -= 1;
  }
  const random = new SeededRandom(seed);
  const isTest = new Uint8Array(table.rowCount);
  classes.forEach((label, i) => {
    const rows = Int32Array.from(byClass.get(label) as number[]);
    random.shuffle(rows);
    for (let k = 0; k < (perClass[i] as number); k += 1) isTest[rows[k] as number] = 1;
  });
  return splitByTestMask(table, isTest);
}

/** Options of {@link groupSplit}. */
export interface GroupSplitOptions extends RandomSplitOptions {
  /** Column whose rows must stay together (e.g. customer_id); testSize counts groups. */
  group: string;
}

/** A seeded split in which every group (e.g. a customer) lands entirely in train or entirely in test. */
export function groupSplit(table: Table, options: GroupSplitOptions): TrainTestSplit {
  const seed = requireSeed(options?.seed, 'groupSplit');
  const labels = rowLabels(table, options.group, 'groupSplit', 'group');
  const groups = [...new Set(labels)].sort();
  const count = testCount(options.testSize, groups.length, 'groupSplit', 'groups');
  const order = new SeededRandom(seed).permutation(groups.length);
  const testGroups = new Set<string>();
  for (let i = 0; i < count; i += 1) testGroups.add(groups[order[i] as number] as string);
  const isTest = Uint8Array.from(labels, (label) => (testGroups.has(label) ? 1 : 0));
  return splitByTestMask(table, isTest);
}
