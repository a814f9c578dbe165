import * as arrow from 'apache-arrow';
import { ParameterError, SchemaError, DataError } from '../errors';
import { Table } from './table';
import { MISSING_CODE, categoricalFromDictionary, dictionaryCodes, encodeCategorical } from './column';

const records = [
  { channel_id: 'search', spend: 10, date: new Date('2024-01-02T00:00:00Z') },
  { channel_id: 'email', spend: null, date: new Date('2024-01-01T00:00:00Z') },
  { channel_id: null, spend: 2.5, date: null },
  { channel_id: 'search', spend: -1, date: new Date('2024-01-03T00:00:00Z') },
];

describe('Table', () => {
  it('answers to apache-arrow names too: numRows and schema.fields', () => {
    const table = Table.fromRecords([{ b: 1, a: 'x', d: new Date(0) }, { b: 2, a: null, d: null }]);
    expect(table.numRows).toBe(table.rowCount);
    expect(table.numRows).toBe(2);
    expect(table.schema.fields).toEqual([{ name: 'b', kind: 'numeric' }, { name: 'a', kind: 'categorical' }, { name: 'd', kind: 'date' }]);
    expect(table.schema.fields.map((field) => field.name)).toEqual(table.columnNames);
    // The record itself still lists only the columns.
    expect(table.schema).toEqual({ b: 'numeric', a: 'categorical', d: 'date' });
    expect(JSON.stringify(table.schema)).toBe('{"b":"numeric","a":"categorical","d":"date"}');
    // A column named 'fields' keeps its kind.
    expect(Table.fromRecords([{ fields: 1 }]).schema.fields).toBe('numeric');
  });

  it('infers kinds from records and encodes categories sorted, null as MISSING_CODE', () => {
    const table = Table.fromRecords(records);
    expect(table.schema).toEqual({ channel_id: 'categorical', spend: 'numeric', date: 'date' });
    const channel = table.categorical('channel_id');
    expect(channel.categories).toEqual(['email', 'search']);
    expect(Array.from(channel.codes)).toEqual([1, 0, MISSING_CODE, 1]);
    expect(Array.from(table.numeric('spend').values)).toEqual([10, NaN, 2.5, -1]);
    expect(table.date('date').unit).toBe('ms');
    expect(table.date('date').values[1]).toBe(Date.UTC(2024, 0, 1));
  });

  it('round-trips records', () => {
    expect(Table.fromRecords(records).toRecords()).toEqual(records);
  });

  it('applies kind overrides and parses ISO dates as UTC', () => {
    const table = Table.fromRecords(
      [
        { id: 7, day: '2024-03-01', amount: '1.5' },
        { id: 8, day: '2024-03-02 12:00:00', amount: '' },
      ],
      { columns: { id: 'categorical', day: 'date', amount: 'numeric' } },
    );
    expect(table.categorical('id').categories).toEqual(['7', '8']);
    expect(Array.from(table.date('day').values)).toEqual([Date.UTC(2024, 2, 1), Date.UTC(2024, 2, 2, 12)]);
    expect(Array.from(table.numeric('amount').values)).toEqual([1.5, NaN]);
  });

  it('refuses mixed kinds with the column and record named', () => {
    const act = () => Table.fromRecords([{ a: 1 }, { a: 'x' }]);
    expect(act).toThrow(DataError);
    expect(act).toThrow(/Column 'a' mixes kinds: record 1 holds "x"/);
  });

  it('selects, drops, renames, slices, takes and filters', () => {
    const table = Table.fromRecords(records);
    expect(table.select(['spend', 'channel_id']).columnNames).toEqual(['spend', 'channel_id']);
    expect(table.drop(['date']).columnNames).toEqual(['channel_id', 'spend']);
    expect(table.rename({ spend: 'current_spend' }).columnNames).toEqual(['channel_id', 'current_spend', 'date']);
    const sliced = table.slice(1, 3);
    expect(sliced.rowCount).toBe(2);
    expect(sliced.numeric('spend').values.buffer).toBe(table.numeric('spend').values.buffer);
    expect(Array.from(table.take([3, 0]).numeric('spend').values)).toEqual([-1, 10]);
    expect(Array.from(table.filter((i) => i % 2 === 0).numeric('spend').values)).toEqual([10, 2.5]);
    expect(table.filter([true, false, false, true]).rowCount).toBe(2);
    expect(table.slice(-1).rowCount).toBe(1);
  });

  it('names unknown columns and bad arguments', () => {
    const table = Table.fromRecords(records);
    expect(() => table.select(['nope'])).toThrow(SchemaError);
    expect(() => table.select(['nope'])).toThrow("The table has no column 'nope'. Its columns are: channel_id, spend, date.");
    expect(() => table.numeric('channel_id')).toThrow("Column 'channel_id' is categorical, but a numeric column is needed here.");
    expect(() => table.filter([true])).toThrow(ParameterError);
    expect(() => table.filter([true])).toThrow('The mask given to Table.filter must have one entry per row (4). Got 1 entries.');
    expect(() => table.take([4])).toThrow("The 'indices' argument of Table.take must hold integers in [0, 4). Got 4 at position 0.");
    expect(() => new Table({ a: { kind: 'numeric', values: new Float64Array(2) }, b: { kind: 'numeric', values: new Float64Array(3) } })).toThrow(
      "Column 'b' has 3 rows but the table's first column has 2.",
    );
  });

  it('packs row- and column-major matrices with codes and NaN', () => {
    const table = Table.fromRecords(records);
    const rowMajor = table.toMatrix({ columns: ['spend', 'channel_id'] });
    expect(rowMajor).toMatchObject({ rows: 4, cols: 2, columns: ['spend', 'channel_id'], layout: 'row' });
    expect(Array.from(rowMajor.data)).toEqual([10, 1, NaN, 0, 2.5, NaN, -1, 1]);
    const columnMajor = table.toMatrix({ columns: ['spend', 'channel_id'], layout: 'column', dtype: 'float32' });
    expect(columnMajor.data).toBeInstanceOf(Float32Array);
    expect(Array.from(columnMajor.data)).toEqual([10, NaN, 2.5, -1, 1, 0, NaN, 1]);
    const single = table.toMatrix({ columns: ['spend'], layout: 'column' });
    expect(single.data).toBe(table.numeric('spend').values);
    expect(() => table.toMatrix({ layout: 'diagonal' as never })).toThrow("The 'layout' option of toMatrix must be 'row' or 'column'. Got \"diagonal\".");
  });

  it('converts to and from apache-arrow, keeping nulls and dictionaries', () => {
    const table = Table.fromRecords(records);
    const arrowTable = table.toArrow();
    expect(arrowTable.numRows).toBe(4);
    expect(arrow.DataType.isDictionary(arrowTable.schema.fields[0]?.type)).toBe(true);
    expect(arrowTable.getChild('spend')?.get(1)).toBeNull();
    expect(arrowTable.getChild('channel_id')?.get(0)).toBe('search');
    expect(Table.fromArrow(arrowTable).toRecords()).toEqual(records);
    const ipc = arrow.tableFromIPC(arrow.tableToIPC(arrowTable));
    expect(Table.fromArrow(ipc).toRecords()).toEqual(records);
  });

  it('reads Arrow integer, boolean and date types', () => {
    const arrowTable = new arrow.Table({
      n: arrow.vectorFromArray([1n, 2n, null], new arrow.Int64()),
      flag: arrow.vectorFromArray([true, false, true], new arrow.Bool()),
      day: arrow.vectorFromArray([new Date(86_400_000), null, new Date(0)], new arrow.DateDay()),
    });
    const table = Table.fromArrow(arrowTable);
    expect(Array.from(table.numeric('n').values)).toEqual([1, 2, NaN]);
    expect(Array.from(table.numeric('flag').values)).toEqual([1, 0, 1]);
    expect(Array.from(table.date('day').values)).toEqual([86_400_000, NaN, 0]);
  });

  it("concatenates tables, keeping the first table's category codes", () => {
    const a = Table.fromRecords([{ channel: 'search', spend: 1 }]);
    const b = Table.fromRecords([{ channel: 'email', spend: 2 }, { channel: 'search', spend: null }]);
    const both = Table.concat([a, b]);
    expect(both.toRecords()).toEqual([...a.toRecords(), ...b.toRecords()]);
    expect(both.categorical('channel').categories).toEqual(['search', 'email']);
    expect(() => Table.concat([a, Table.fromRecords([{ channel: 'x' }])])).toThrow(
      'Table.concat needs the same columns in every table. The first has channel, spend; another has channel.',
    );
    expect(() => Table.concat([a, Table.fromRecords([{ channel: 1, spend: 1 }])])).toThrow(
      "Cannot concatenate column 'channel': it is categorical in the first table and numeric in another. Convert it first.",
    );
  });

  it('hands out back-to-back float64 columns as a column-major matrix without copying', () => {
    const buffer = new Float64Array([1, 2, 3, 10, 20, 30]);
    const table = new Table({
      a: { kind: 'numeric', values: buffer.subarray(0, 3) },
      b: { kind: 'numeric', values: buffer.subarray(3, 6) },
    });
    const shared = table.toMatrix({ layout: 'column' });
    expect(shared.data.buffer).toBe(buffer.buffer);
    expect(Array.from(shared.data)).toEqual([1, 2, 3, 10, 20, 30]);
    const reordered = table.toMatrix({ columns: ['b', 'a'], layout: 'column' });
    expect(reordered.data.buffer).not.toBe(buffer.buffer);
    expect(Array.from(reordered.data)).toEqual([10, 20, 30, 1, 2, 3]);
    expect(Array.from(table.toMatrix().data)).toEqual([1, 10, 2, 20, 3, 30]);
  });
});

describe('dictionary codes', () => {
  it('encode strings in order of first appearance, missing as MISSING_CODE', () => {
    expect(dictionaryCodes(['b', null, 'a', 'b', undefined, ''])).toEqual({ codes: Int32Array.from([0, MISSING_CODE, 1, 0, MISSING_CODE, 2]), values: ['b', 'a', ''] });
  });

  it('become a categorical column with sorted categories, values no row uses left out', () => {
    const column = categoricalFromDictionary({ codes: Float64Array.from([2, 0, MISSING_CODE, 2]), values: ['z', 'unused', 'a', 'Z'] });
    expect(column).toEqual({ kind: 'categorical', codes: Int32Array.from([0, 1, MISSING_CODE, 0]), categories: ['a', 'z'] });
    // The same strings in another dictionary order give the same column (as encodeCategorical does).
    const texts = ['z', 'a', null, 'z'];
    expect(encodeCategorical(texts)).toEqual(categoricalFromDictionary({ codes: [1, 0, MISSING_CODE, 1], values: ['a', 'z'] }));
  });
});
