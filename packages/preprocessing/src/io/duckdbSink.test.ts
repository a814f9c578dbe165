import fc from 'fast-check';
import { connectDuckDB, sharedDuckDB } from './duckdb';
import { type Run, type SinkColumn, reorderRuns, sinkScan, textSinkColumn } from './duckdbSink';

/** Runs of the given lengths in file order, stored in the arrival order `order` (a permutation). */
function storedRuns(lengths: readonly number[], order: readonly number[]): Run[] {
  const runs: Run[] = [];
  let fileStart = 0;
  for (const length of lengths) {
    runs.push({ fileStart, slot: 0, length });
    fileStart += length;
  }
  let slot = 0;
  for (const index of order) {
    const run = runs[index] as Run;
    run.slot = slot;
    slot += run.length;
  }
  return runs;
}

/** A column holding each row's file position at the slot where it was stored. */
function storedColumn(runs: readonly Run[], rows: number, scale: number): Float64Array {
  const column = new Float64Array(rows);
  for (const run of runs) for (let i = 0; i < run.length; i += 1) column[run.slot + i] = (run.fileStart + i) * scale;
  return column;
}

describe('reorderRuns', () => {
  test('puts every row back at its file position, whatever the arrival order', () => {
    const permutation = fc.integer({ min: 1, max: 40 }).chain((n) =>
      fc.tuple(fc.array(fc.integer({ min: 1, max: 50 }), { minLength: n, maxLength: n }), fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n })),
    );
    fc.assert(
      // A 1-row aside buffer first: its packing and growth are exercised too.
      fc.property(permutation, fc.constantFrom(1, 7, 16_384), ([lengths, order], asideRows) => {
        const runs = storedRuns(lengths, order);
        const rows = lengths.reduce((a, b) => a + b, 0);
        const columns = [storedColumn(runs, rows, 1), storedColumn(runs, rows, -0.5)];
        reorderRuns(columns, runs, rows, asideRows);
        expect(Array.from(columns[0] as Float64Array)).toEqual(Array.from({ length: rows }, (_, i) => i));
        expect(Array.from(columns[1] as Float64Array)).toEqual(Array.from({ length: rows }, (_, i) => i * -0.5));
      }),
      { numRuns: 500, seed: 20261126 },
    );
  });

  test('chunks from two threads, interleaved a buffer apart, and runs already in place', () => {
    // Thread A reads rows 0-999, thread B rows 1000-1999, in chunks of 100, arriving alternately;
    // then a tail that arrived in order.
    const lengths = Array.from({ length: 25 }, () => 100);
    const order = [0, 10, 1, 11, 2, 12, 3, 13, 4, 14, 5, 15, 6, 16, 7, 17, 8, 18, 9, 19, 20, 21, 22, 23, 24];
    const runs = storedRuns(lengths, order);
    const column = storedColumn(runs, 2500, 1);
    reorderRuns([column], runs, 2500, 150);
    expect(Array.from(column)).toEqual(Array.from({ length: 2500 }, (_, i) => i));
  });

  test('refuses runs that do not cover the rows exactly once', () => {
    const column = new Float64Array(10);
    expect(() => reorderRuns([column], [{ fileStart: 0, slot: 0, length: 5 }, { fileStart: 5, slot: 4, length: 5 }], 10)).toThrow(
      'The rows stored by the scan do not match the rows it returned.',
    );
    expect(() => reorderRuns([column], [{ fileStart: 0, slot: 5, length: 5 }, { fileStart: 4, slot: 0, length: 6 }], 10)).toThrow(
      'The rows stored by the scan do not match the rows it returned.',
    );
    expect(() => reorderRuns([column], [{ fileStart: 0, slot: 0, length: 5 }], 10)).toThrow('The rows stored by the scan do not match the rows it returned.');
  });
});

describe('sinkScan with row keys', () => {
  test('puts rows whose keys are not contiguous in a chunk at their positions, numbers and texts', async () => {
    const rows = 5000;
    const connection = await connectDuckDB();
    try {
      const values = new Float64Array(rows);
      const text = textSinkColumn(`CASE WHEN i % 11 = 0 THEN NULL ELSE 'v' || (i % 3) END`, rows);
      const columns: SinkColumn[] = [{ kind: 'double', expression: `CASE WHEN i % 13 = 0 THEN NULL ELSE CAST(i AS DOUBLE) END`, values }, text];
      // Row i belongs at position rows - 1 - i: every chunk arrives with descending keys.
      const stored = await sinkScan({ connection, instance: await sharedDuckDB(), relation: `range(${rows}) t(i)`, columns, capacity: rows, rowKey: `${rows - 1} - i` });
      expect(stored).toBe(rows);
      for (let position = 0; position < rows; position += 1) {
        const i = rows - 1 - position;
        if (i % 13 === 0) expect(values[position]).toBeNaN();
        else expect(values[position]).toBe(i);
        const code = text.codes[position] as number;
        expect(code === -1 ? null : text.values[code]).toBe(i % 11 === 0 ? null : `v${i % 3}`);
      }
    } finally {
      connection.closeSync();
    }
  });
});
