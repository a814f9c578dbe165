import { ParameterError, SchemaError, describeValue } from '../errors';
import type { Table } from '../table/table';
import { MISSING_CODE } from '../table/column';

/** A split of a table's rows into train and test (indices in ascending order). */
export interface TrainTestSplit {
  readonly train: Table;
  readonly test: Table;
  readonly trainIndices: Int32Array;
  readonly testIndices: Int32Array;
}

/** One fold of a cross-validation: row indices (ascending) to train on and to evaluate on. */
export interface Fold {
  readonly fold: number;
  readonly trainIndices: Int32Array;
  readonly testIndices: Int32Array;
}

/** Number of test items out of `total` for a fraction (0, 1) or a count; at least 1 on each side. */
export function testCount(testSize: unknown, total: number, caller: string, unit = 'rows'): number {
  const size = testSize ?? 0.25;
  let count: number;
  if (typeof size === 'number' && size > 0 && size < 1) count = Math.ceil(size * total);
  else if (typeof size === 'number' && Number.isInteger(size) && size >= 1) count = size;
  else {
    throw new ParameterError('testSize', `The 'testSize' option of ${caller} must be a fraction in (0, 1) or an integer count >= 1. Got ${describeValue(testSize)}.`);
  }
  if (count >= total) {
    throw new ParameterError('testSize', `The 'testSize' option of ${caller} leaves no ${unit} to train on: ${count} of ${total} ${unit} would be test ${unit}. Use a smaller testSize.`);
  }
  return count;
}

export function requireSeed(seed: unknown, caller: string): number {
  if (!Number.isInteger(seed)) {
    throw new ParameterError('seed', `The 'seed' option of ${caller} must be an integer (splits are always seeded). Got ${describeValue(seed)}.`);
  }
  return seed as number;
}

/** Builds the split from the chosen test rows. */
export function splitByTestMask(table: Table, isTest: Uint8Array): TrainTestSplit {
  const trainIndices: number[] = [];
  const testIndices: number[] = [];
  for (let row = 0; row < isTest.length; row += 1) (isTest[row] ? testIndices : trainIndices).push(row);
  const trainRows = Int32Array.from(trainIndices);
  const testRows = Int32Array.from(testIndices);
  return { train: table.take(trainRows), test: table.take(testRows), trainIndices: trainRows, testIndices: testRows };
}

/** Label of each row of a categorical or numeric column (as a string key); missing labels are refused. */
export function rowLabels(table: Table, column: string, caller: string, role: string): string[] {
  const source = table.column(column);
  const labels: string[] = new Array(table.rowCount);
  for (let row = 0; row < table.rowCount; row += 1) {
    let label: string | undefined;
    if (source.kind === 'categorical') {
      const code = source.codes[row] as number;
      label = code === MISSING_CODE ? undefined : (source.categories[code] as string);
    } else {
      const value = source.values[row] as number;
      label = Number.isNaN(value) ? undefined : String(value);
    }
    if (label === undefined) {
      throw new SchemaError(`${caller} cannot use '${column}' as the ${role}: row ${row} has no value. Drop or fill rows without a ${role} first.`, { column });
    }
    labels[row] = label;
  }
  return labels;
}
