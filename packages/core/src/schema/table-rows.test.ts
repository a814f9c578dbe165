import { expectKdapError } from '@kdap/test-support';
import { tableOf } from '../testing/in-memory-table';
import { FeatureSchema } from './feature-schema';
import type { FeatureTable } from './feature-table';
import { rowSource, tableRows } from './table-rows';

const table = tableOf({
  spend: [10, Number.NaN, 30, 40, 50, 60],
  channel: ['social', null, 'search', 'tv', 'social', 'search'],
  customer: ['a', 'b', 'c', 'd', 'e', 'f'],
});
const options = { numerical: ['spend'], categorical: ['channel'], required: ['spend'], owner: 'TestTrainer' };

/** The same rows copied into a plain table: what a row view must read like. */
function copiedRows(source: FeatureTable, rows: readonly number[]): FeatureTable {
  const plain: Record<string, (number | string | null)[]> = {};
  for (const name of source.columnNames) {
    const column = source.column(name);
    plain[name] = rows.map((r) => {
      if (column.kind !== 'categorical') return column.values[r]!;
      const code = column.codes[r]!;
      return code < 0 ? null : column.categories[code]!;
    });
  }
  return tableOf(plain as Record<string, number[] | (string | null)[]>);
}

describe('tableRows', () => {
  it('reads as the rows copied, in the given order, and gathers a column only when read', () => {
    const rows = Int32Array.from([5, 0, 3, 1]);
    const view = tableRows(table, rows);
    expect(view.rowCount).toBe(4);
    expect(view.columnNames).toEqual(table.columnNames);
    expect(Array.from((view.column('spend') as { values: ArrayLike<number> }).values)).toEqual([60, 10, 40, Number.NaN]);
    const channel = view.column('channel') as { codes: ArrayLike<number>; categories: readonly string[] };
    expect(Array.from(channel.codes, (c) => (c < 0 ? null : channel.categories[c]))).toEqual(['search', 'social', 'tv', null]);
    // Read twice: the same gathered array (kept, not gathered again).
    expect((view.column('spend') as { values: unknown }).values).toBe((view.column('spend') as { values: unknown }).values);
  });

  it('encodes exactly as the copied rows do, straight from the source table', () => {
    const schema = FeatureSchema.capture(table, options);
    const rows = [4, 2, 2, 0, 1];
    const view = tableRows(table, Int32Array.from(rows));
    expect(rowSource(view)).toEqual({ table, rows: Int32Array.from(rows) });
    expect(schema.encode(view)).toEqual(schema.encode(copiedRows(table, rows)));
    // A view of a view reads the original rows.
    const inner = tableRows(view, Int32Array.from([3, 0]));
    expect(rowSource(inner)?.table).toBe(table);
    expect(Array.from(rowSource(inner)!.rows)).toEqual([0, 4]);
    expect(schema.encode(inner)).toEqual(schema.encode(copiedRows(table, [0, 4])));
  });

  it('keeps the unknown-category policy and names the view row', () => {
    const training = tableOf({ spend: [1, 2], channel: ['social', 'search'] });
    const strict = FeatureSchema.capture(training, { ...options, policy: { unknownCategory: 'error' } });
    const view = tableRows(table, Int32Array.from([0, 3]));
    const error = expectKdapError(() => strict.encode(view), 'ERR_KDAP_SCHEMA');
    expect(error.message).toContain("the category 'tv' (row 1)");
    const lenient = FeatureSchema.capture(training, options);
    expect(Array.from(lenient.encode(view).values)).toEqual([10, 1, 40, Number.NaN]);
  });
});
