import { DataError, ParameterError } from '../errors';
import { Table } from '../table/table';
import { SeededRandom } from '../random/seeded-random';
import { MS_PER_DAY } from '../table/dates';
import { groupSplit, stratifiedSplit, trainTestSplit } from './random-splits';
import { timeSplit } from './time-split';
import { kFold, timeSeriesFolds } from './folds';

const START = Date.UTC(2024, 0, 1);
const random = new SeededRandom(9);
const table = Table.fromRecords(
  Array.from({ length: 1000 }, (_, i) => ({
    row: i,
    customer_id: `c${random.integer(120)}`,
    converted: random.uniform() < 0.1 ? 1 : 0,
    date: new Date(START + random.integer(200) * MS_PER_DAY),
  })),
);

function expectPartition(trainIndices: Int32Array, testIndices: Int32Array, n: number): void {
  const all = [...trainIndices, ...testIndices].sort((a, b) => a - b);
  expect(all).toEqual(Array.from({ length: n }, (_, i) => i));
}

const share = (t: Table) => Array.from(t.numeric('converted').values).reduce((a, b) => a + b, 0) / t.rowCount;

describe('splits', () => {
  it('trainTestSplit partitions the rows, is seeded, and sizes the test part', () => {
    const split = trainTestSplit(table, { testSize: 0.2, seed: 1 });
    expect(split.test.rowCount).toBe(200);
    expectPartition(split.trainIndices, split.testIndices, 1000);
    expect(Array.from(split.test.numeric('row').values)).toEqual(Array.from(split.testIndices));
    expect(trainTestSplit(table, { testSize: 0.2, seed: 1 }).testIndices).toEqual(split.testIndices);
    expect(trainTestSplit(table, { testSize: 0.2, seed: 2 }).testIndices).not.toEqual(split.testIndices);
    expect(trainTestSplit(table, { testSize: 37, seed: 1 }).test.rowCount).toBe(37);
  });

  it('stratifiedSplit keeps the class share in both parts', () => {
    const split = stratifiedSplit(table, { target: 'converted', testSize: 0.3, seed: 4 });
    expectPartition(split.trainIndices, split.testIndices, 1000);
    expect(split.test.rowCount).toBe(300);
    const positives = share(table) * 1000;
    // Largest-remainder allocation: the test part holds round(0.3 * positives) positives, +-1.
    expect(Math.abs(share(split.test) * 300 - 0.3 * positives)).toBeLessThanOrEqual(1);
  });

  it('groupSplit never puts one group on both sides', () => {
    const split = groupSplit(table, { group: 'customer_id', testSize: 0.25, seed: 3 });
    expectPartition(split.trainIndices, split.testIndices, 1000);
    const trainGroups = new Set(split.train.toRecords().map((r) => r.customer_id));
    const testGroups = new Set(split.test.toRecords().map((r) => r.customer_id));
    expect([...testGroups].filter((g) => trainGroups.has(g))).toEqual([]);
    expect(testGroups.size).toBe(Math.ceil(0.25 * (trainGroups.size + testGroups.size)));
  });

  it('timeSplit puts every training row before every test row', () => {
    const split = timeSplit(table, { date: 'date', testSize: 0.2 });
    expectPartition(split.trainIndices, split.testIndices, 1000);
    expect(Math.max(...split.train.date('date').values)).toBeLessThan(Math.min(...split.test.date('date').values));
    expect(Math.min(...split.test.date('date').values)).toBe(split.cutoff);
    const byCutoff = timeSplit(table, { date: 'date', cutoff: new Date(START + 100 * MS_PER_DAY) });
    expect(Math.min(...byCutoff.test.date('date').values)).toBeGreaterThanOrEqual(START + 100 * MS_PER_DAY);
    expect(() => timeSplit(table, { date: 'date', cutoff: START - MS_PER_DAY })).toThrow(DataError);
    expect(() => timeSplit(table, { date: 'date', cutoff: START - MS_PER_DAY })).toThrow(
      'timeSplit with cutoff 2023-12-31T00:00:00.000Z leaves the train part empty. Pick a cutoff inside the data\'s date range.',
    );
  });

  it('kFold tests every row exactly once (plain, stratified, grouped)', () => {
    for (const options of [{ seed: 1 }, { seed: 1, stratify: 'converted' }, { seed: 1, group: 'customer_id' }]) {
      const folds = kFold(table, { k: 4, ...options });
      expect(folds).toHaveLength(4);
      const tested = folds.flatMap((f) => [...f.testIndices]).sort((a, b) => a - b);
      expect(tested).toEqual(Array.from({ length: 1000 }, (_, i) => i));
      for (const fold of folds) expectPartition(fold.trainIndices, fold.testIndices, 1000);
      if ('stratify' in options) {
        for (const fold of folds) expect(Math.abs(share(table.take(fold.testIndices)) - share(table))).toBeLessThan(0.01);
      }
      if ('group' in options) {
        const customers = table.toRecords().map((r) => r.customer_id);
        for (const fold of folds) {
          const testGroups = new Set(Array.from(fold.testIndices, (i) => customers[i]));
          expect(Array.from(fold.trainIndices).some((i) => testGroups.has(customers[i]))).toBe(false);
        }
      }
    }
    expect(kFold(table, { k: 3, seed: 5 })[0]?.testIndices).toEqual(kFold(table, { k: 3, seed: 5 })[0]?.testIndices);
  });

  it('timeSeriesFolds expand forward in time with an optional gap', () => {
    const folds = timeSeriesFolds(table, { date: 'date', folds: 4, gapDays: 7 });
    const dates = table.date('date').values;
    let previousTestStart = -Infinity;
    for (const fold of folds) {
      const trainMax = Math.max(...Array.from(fold.trainIndices, (i) => dates[i] as number));
      const testMin = Math.min(...Array.from(fold.testIndices, (i) => dates[i] as number));
      expect(testMin - trainMax).toBeGreaterThan(7 * MS_PER_DAY);
      expect(testMin).toBeGreaterThan(previousTestStart);
      previousTestStart = testMin;
    }
    expect(Math.max(...Array.from(folds[3]?.testIndices ?? [], (i) => dates[i] as number))).toBe(Math.max(...dates));
  });

  it('bad options are refused with the message shape', () => {
    expect(() => trainTestSplit(table, { testSize: 1.5, seed: 1 })).toThrow(ParameterError);
    expect(() => trainTestSplit(table, { testSize: 1.5, seed: 1 })).toThrow(
      "The 'testSize' option of trainTestSplit must be a fraction in (0, 1) or an integer count >= 1. Got 1.5.",
    );
    expect(() => trainTestSplit(table, { seed: 0.5 })).toThrow("The 'seed' option of trainTestSplit must be an integer (splits are always seeded). Got 0.5.");
    expect(() => kFold(table, { k: 1, seed: 1 })).toThrow("The 'k' option of kFold must be an integer >= 2. Got 1.");
    const tiny = Table.fromRecords([{ y: 'a' }, { y: 'a' }, { y: 'b' }]);
    expect(() => stratifiedSplit(tiny, { target: 'y', testSize: 1, seed: 1 })).toThrow(DataError);
    expect(() => stratifiedSplit(tiny, { target: 'y', testSize: 1, seed: 1 })).toThrow(
      "stratifiedSplit needs at least 2 rows of every class, but class 'b' of 'y' has 1. Drop or merge rare classes, or use trainTestSplit.",
    );
  });
});
