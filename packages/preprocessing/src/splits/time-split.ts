import { DataError, ParameterError, describeValue } from '../errors';
import type { Table } from '../table/table';
import { type TrainTestSplit, splitByTestMask, testCount } from './split-options';

/** Options of {@link timeSplit}: a cutoff instant, or the share of the latest distinct dates to test on. */
export interface TimeSplitOptions {
  /** Date column. */
  date: string;
  /** Rows at or after this instant (Date or epoch ms) are test rows. */
  cutoff?: Date | number;
  /** Fraction (0, 1) or number of the latest distinct dates that form the test part; default 0.25. */
  testSize?: number;
}

/**
 * A split by time: train strictly before the cutoff, test from it on, so no training row is
 * later than a test row. Rows on the same date never straddle the cutoff. Returns the cutoff (epoch ms).
 */
export function timeSplit(table: Table, options: TimeSplitOptions): TrainTestSplit & { cutoff: number } {
  const dates = table.date(options?.date).values;
  for (let row = 0; row < dates.length; row += 1) {
    if (Number.isNaN(dates[row] as number)) {
      throw new DataError(`timeSplit cannot place row ${row}: it has no '${options.date}'. Drop or fill rows without a date first.`, { column: options.date });
    }
  }
  let cutoff: number;
  if (options.cutoff !== undefined) {
    if (options.testSize !== undefined) {
      throw new ParameterError('cutoff', `timeSplit takes either 'cutoff' or 'testSize', not both. Got ${describeValue(options)}.`);
    }
    cutoff = options.cutoff instanceof Date ? options.cutoff.getTime() : options.cutoff;
    if (!Number.isFinite(cutoff)) {
      throw new ParameterError('cutoff', `The 'cutoff' option of timeSplit must be a valid Date or epoch milliseconds. Got ${describeValue(options.cutoff)}.`);
    }
  } else {
    const distinct = [...new Set(dates)].sort((a, b) => a - b);
    const count = testCount(options.testSize, distinct.length, 'timeSplit', 'distinct dates');
    cutoff = distinct[distinct.length - count] as number;
  }
  const isTest = Uint8Array.from(dates, (ms) => (ms >= cutoff ? 1 : 0));
  const split = splitByTestMask(table, isTest);
  if (split.trainIndices.length === 0 || split.testIndices.length === 0) {
    throw new DataError(
      `timeSplit with cutoff ${new Date(cutoff).toISOString()} leaves the ${split.trainIndices.length === 0 ? 'train' : 'test'} part empty. Pick a cutoff inside the data's date range.`,
      { column: options.date },
    );
  }
  return { ...split, cutoff };
}
