import type { FeatureTable } from '../schema/feature-table';
import { validationSplit } from './validation-split';

const DAY = 86_400_000;
const values = (t: FeatureTable, name: string) => Array.from((t.column(name) as { values: ArrayLike<number> }).values);

/** Two series over `days` days, rows interleaved as tables from several channels arrive. */
function table(days: number): FeatureTable {
  const n = days * 2;
  const date = Float64Array.from({ length: n }, (_, i) => Date.UTC(2024, 0, 1) + Math.floor(i / 2) * DAY);
  const value = Float64Array.from({ length: n }, (_, i) => i);
  const series = Int32Array.from({ length: n }, (_, i) => i % 2);
  const columns = { date: { kind: 'date', values: date }, value: { kind: 'numeric', values: value }, series: { kind: 'categorical', codes: series, categories: ['a', 'b'] } } as const;
  return { rowCount: n, columnNames: Object.keys(columns), column: (name) => columns[name as keyof typeof columns] };
}

describe('validationSplit (the one split of every trainer when no validation set is given)', () => {
  it('holds out the latest dates, whole, and never a row from before the cutoff', () => {
    const split = validationSplit(table(10), { fraction: 0.2, dateColumn: 'date' });
    expect(split.by).toBe('date');
    expect(split.cutoff).toBe(Date.UTC(2024, 0, 9));
    expect(split.validation.rowCount).toBe(4);
    expect(split.train.rowCount).toBe(16);
    expect(Math.max(...values(split.train, 'date'))).toBeLessThan(Math.min(...values(split.validation, 'date')));
    // Both series of a held-out day validate; categories are kept.
    const series = split.validation.column('series') as { codes: ArrayLike<number>; categories: readonly string[] };
    expect(Array.from(series.codes)).toEqual([0, 1, 0, 1]);
    expect(series.categories).toEqual(['a', 'b']);
    expect(values(split.validation, 'value')).toEqual([16, 17, 18, 19]);
  });

  it('holds out the last rows without a date column', () => {
    const split = validationSplit(table(5), { fraction: 0.3 });
    expect(split.by).toBe('row order');
    expect(values(split.validation, 'value')).toEqual([7, 8, 9]);
    expect(split.train.rowCount).toBe(7);
  });

  it('keeps every row for training when there is a single date', () => {
    const split = validationSplit(table(1), { fraction: 0.2, dateColumn: 'date' });
    expect(split.train.rowCount).toBe(2);
    expect(split.validation.rowCount).toBe(0);
  });

  it('refuses a fraction outside (0, 1)', () => {
    for (const fraction of [0, 1, Number.NaN]) expect(() => validationSplit(table(3), { fraction })).toThrow(`The 'fraction' option of validationSplit must be a number > 0 and < 1. Got ${fraction}.`);
  });
});
