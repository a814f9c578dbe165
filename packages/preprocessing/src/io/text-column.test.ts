import { DataError } from '../errors';
import { MISSING_CODE } from '../table/column';
import { resolveTextColumn } from './text-column';

// Dictionary order is arrival order in a parallel scan, not file order: value 0 ('x') first
// appears at row 21 of the file.
const values = ['x', '1.5', ' ', '2', '2024-01-02'];
const codes = Float64Array.from({ length: 30 }, (_, row) => (row === 21 ? 0 : row === 4 ? 2 : row === 9 ? MISSING_CODE : row % 2 === 0 ? 1 : 3));
const lineOfRow = (row: number) => row + 2;

describe('resolveTextColumn', () => {
  it('reports the first row of the file holding text in a column of numbers, whatever the dictionary order', () => {
    const call = () => resolveTextColumn('spend', { codes, values }, undefined, 'f.csv', lineOfRow);
    expect(call).toThrow(DataError);
    expect(call).toThrow(`Column 'spend' of 'f.csv' holds numbers, but line 23 holds the text "x".`);
  });

  it('parses each distinct value once for a numeric override; blanks and nulls are missing', () => {
    const numeric = resolveTextColumn('spend', { codes: codes.map((code) => (code === 0 ? 3 : code)), values }, 'numeric', 'f.csv', lineOfRow);
    expect(numeric.kind).toBe('numeric');
    const column = numeric.kind === 'numeric' ? Array.from(numeric.values) : [];
    expect(column.slice(0, 5)).toEqual([1.5, 2, 1.5, 2, NaN]);
    expect(column[9]).toBeNaN();
    expect(() => resolveTextColumn('spend', { codes, values }, 'numeric', 'f.csv', lineOfRow)).toThrow(
      `Column 'spend' of 'f.csv' was declared numeric, but line 23 holds the text "x".`,
    );
  });

  it('names the first row that is not a date for a date override', () => {
    const dates = resolveTextColumn('day', { codes: Float64Array.from([4, MISSING_CODE, 2, 4]), values }, 'date', 'f.csv', lineOfRow);
    expect(dates.kind === 'date' ? Array.from(dates.values) : []).toEqual([Date.UTC(2024, 0, 2), NaN, NaN, Date.UTC(2024, 0, 2)]);
    expect(() => resolveTextColumn('day', { codes: Float64Array.from([4, 0]), values }, 'date', 'f.csv', lineOfRow)).toThrow(
      /^Column 'day' of 'f.csv' was declared a date but line 3 holds "x", which is not an ISO-8601 date/,
    );
  });

  it('keeps a text column categorical, with sorted categories', () => {
    const column = resolveTextColumn('channel', { codes: Float64Array.from([0, 4, 0, MISSING_CODE]), values }, undefined, 'f.csv', lineOfRow);
    expect(column).toEqual({ kind: 'categorical', codes: Int32Array.from([1, 0, 1, MISSING_CODE]), categories: ['2024-01-02', 'x'] });
  });
});
