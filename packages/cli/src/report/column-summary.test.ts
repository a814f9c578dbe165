import { categoricalColumn, dateColumn, numericColumn, Table } from '@kdap/preprocessing';
import { summarizeColumns } from './column-summary';

describe('summarizeColumns', () => {
  it('counts categories (most frequent first, ties in category order) and missing codes', () => {
    const table = new Table({ channel: categoricalColumn(Int32Array.from([2, 0, 2, 1, -1, 3, 1, 2, -1, 0]), ['email', 'search', 'social', 'tv']) });
    expect(summarizeColumns(table)).toEqual([{ name: 'channel', kind: 'categorical', missing: 2, summary: '4 values; most frequent: social (3), email (2), search (2)' }]);
  });

  it('counts only the categories that occur, and names fewer than three when fewer occur', () => {
    const table = new Table({ id: categoricalColumn(Int32Array.from([1, 1, -1]), ['a', 'b', 'c']) });
    expect(summarizeColumns(table)[0]).toEqual({ name: 'id', kind: 'categorical', missing: 1, summary: '1 values; most frequent: b (2)' });
  });

  it('gives min, median and max of numbers without the missing ones, and the date range', () => {
    const table = new Table({
      spend: numericColumn(Float64Array.from([5, NaN, -2, 1000, 3, 4])),
      empty: numericColumn(Float64Array.from([NaN, NaN, NaN, NaN, NaN, NaN])),
      day: dateColumn(Float64Array.from([Date.UTC(2024, 0, 3), NaN, Date.UTC(2023, 11, 31), Date.UTC(2024, 1, 1), NaN, NaN])),
    });
    expect(summarizeColumns(table)).toEqual([
      { name: 'spend', kind: 'numeric', missing: 1, summary: 'min -2, median 4, max 1,000' },
      { name: 'empty', kind: 'numeric', missing: 6, summary: 'all missing' },
      { name: 'day', kind: 'date', missing: 3, summary: '2023-12-31 to 2024-02-01' },
    ]);
  });
});
