import * as fs from 'node:fs';
import * as path from 'node:path';
import { temporaryDirectory } from '@kdap/test-support';
import { DataError, ParameterError } from '../errors';
import { Table } from '../table/table';
import { MISSING_CODE, categoricalColumn, dateColumn, numericColumn } from '../table/column';
import { writeAtomically } from './atomic-write';
import { connectDuckDB, sqlString } from './duckdb';
import * as duckdbVectors from './duckdb-vectors';
import { readTable } from './read-table';
import { writeTable } from './write-table';

const directory = temporaryDirectory('write');
const vectorCopyPathIsNative = () => duckdbVectors.vectorCopyPath().path === 'native';
afterAll(() => fs.rmSync(directory, { recursive: true, force: true }));
const table = Table.fromRecords([
  { name: 'a,b', quote: 'say "hi"', value: 1.25, when: new Date('2024-05-01T10:30:00.000Z') },
  { name: 'line\nbreak', quote: null, value: null, when: null },
]);

describe('writeTable', () => {
  it('quotes delimiters, quotes and newlines; keeps times to the millisecond', async () => {
    const target = path.join(directory, 'quoted.csv');
    await writeTable(table, target);
    expect(fs.readFileSync(target, 'utf8')).toBe('name,quote,value,when\n"a,b","say ""hi""",1.25,2024-05-01T10:30:00.000\n"line\nbreak",,,\n');
    const parquet = path.join(directory, 'quoted.parquet');
    await writeTable(table, parquet);
    expect((await readTable(parquet)).toRecords()).toEqual(table.toRecords());
  });

  it('writes Parquet in whole chunks: Float32 and Float64 columns, NaN and missing categories, a partial last chunk', async () => {
    const rows = 2048 * 2 + 777;
    const wide = new Table({
      f64: numericColumn(Float64Array.from({ length: rows }, (_, i) => (i % 13 === 0 ? NaN : i * 0.25 - 100))),
      f32: numericColumn(Float32Array.from({ length: rows }, (_, i) => (i % 2048 === 2047 ? NaN : i / 3))),
      // Every value of the second chunk missing; no value of the first.
      gaps: numericColumn(Float64Array.from({ length: rows }, (_, i) => (i >= 2048 && i < 4096 ? NaN : -i))),
      channel: categoricalColumn(Int32Array.from({ length: rows }, (_, i) => (i % 7 === 3 ? MISSING_CODE : i % 3)), ['search', 'social', 'e "mail"']),
      day: dateColumn(Float64Array.from({ length: rows }, (_, i) => Date.UTC(2024, 0, 1) + (i % 500) * 86_400_000)),
    });
    const target = path.join(directory, 'chunks.parquet');
    await writeTable(wide, target);
    const read = await readTable(target);
    expect(read.rowCount).toBe(rows);
    expect(read.numeric('f64').values).toEqual(wide.numeric('f64').values);
    // Float32 values are written as DOUBLE and read back as Float64 with the same value.
    expect(read.numeric('f32').values).toEqual(Float64Array.from(wide.numeric('f32').values));
    expect(read.numeric('gaps').values).toEqual(wide.numeric('gaps').values);
    expect(read.toRecords().map((r) => [r.channel, r.day])).toEqual(wide.toRecords().map((r) => [r.channel, r.day]));
    // Missing values are Parquet NULLs (as pandas and pyarrow write them), not NaN.
    const connection = await connectDuckDB();
    try {
      const counts = await connection.runAndReadAll(
        `SELECT count(*) FILTER (WHERE f64 IS NULL), count(*) FILTER (WHERE isnan(f64)), count(*) FILTER (WHERE f32 IS NULL), ` +
          `count(*) FILTER (WHERE gaps IS NULL), count(*) FILTER (WHERE channel IS NULL) FROM read_parquet(${sqlString(target)})`,
      );
      const nanCount = (values: ArrayLike<number>) => Array.from(values).filter(Number.isNaN).length;
      expect(counts.getRowsJS()[0]?.map(Number)).toEqual([
        nanCount(wide.numeric('f64').values), 0, nanCount(wide.numeric('f32').values), 2048, Math.ceil((rows - 3) / 7),
      ]);
    } finally {
      connection.closeSync();
    }
  });

  it('ids unique per row go from file to file as UTF-8: no string per row unless categories are used', async () => {
    const rows = 2048 * 3 + 5;
    // Unique ids, short and long, non-ASCII, characters whose UTF-16 order differs from code-point order, and NULLs.
    const ids = Array.from({ length: rows }, (_, i) => (i % 1000 === 999 ? null : `${['C', 'é', '\uFFFD', '\u{1F600}'][i % 4]}${String(rows - i).padStart(i % 2 === 0 ? 6 : 20, '0')}`));
    const source = new Table({ customer_id: categoricalColumn(Int32Array.from(ids, (id, i) => (id === null ? MISSING_CODE : i)), ids.map((id, i) => id ?? `unused ${i}`)), n: numericColumn(Float64Array.from(ids, (_, i) => i)) });
    const first = path.join(directory, 'ids.parquet');
    await writeTable(source, first);
    expect(vectorCopyPathIsNative()).toBe(true);
    const decode = jest.spyOn(duckdbVectors, 'decodeUtf8Texts');
    try {
      const read = await readTable(first);
      const column = read.categorical('customer_id');
      const second = path.join(directory, 'ids-again.parquet');
      await writeTable(new Table({ customer_id: column }), second);
      expect(decode).not.toHaveBeenCalled();
      const present = ids.filter((id): id is string => id !== null);
      expect(column.categories).toEqual([...present].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      expect(decode).toHaveBeenCalledTimes(1);
      expect(column.categories).toBe(column.categories);
      expect(decode).toHaveBeenCalledTimes(1);
      const again = (await readTable(second)).categorical('customer_id');
      const texts = (c: typeof column) => Array.from(c.codes, (code) => (code === MISSING_CODE ? null : c.categories[code]));
      expect(texts(column)).toEqual(ids);
      expect(texts(again)).toEqual(ids);
    } finally {
      decode.mockRestore();
    }
  });

  it('refuses unknown formats and missing directories', async () => {
    await expect(writeTable(table, path.join(directory, 'x.json'))).rejects.toThrow(ParameterError);
    await expect(writeTable(table, path.join(directory, 'x.json'))).rejects.toThrow(
      `writeTable writes 'csv', 'tsv' and 'parquet' files. Got "json" (from '${path.join(directory, 'x.json')}').`,
    );
    const missing = path.join(directory, 'no', 'such', 'dir', 'x.csv');
    await expect(writeTable(table, missing)).rejects.toThrow(DataError);
    await expect(writeTable(table, missing)).rejects.toThrow(
      `Cannot write '${missing}': the directory '${path.dirname(missing)}' does not exist. Create it first.`,
    );
    await expect(writeTable({} as Table, path.join(directory, 'x.csv'))).rejects.toThrow("The 'table' argument of writeTable must be a Table. Got {}.");
  });

  it('a failed write leaves the previous file intact and no temporary file behind', async () => {
    const target = path.join(directory, 'keep.csv');
    fs.writeFileSync(target, 'old content\n');
    await expect(
      writeAtomically(target, (temporaryPath) => {
        fs.writeFileSync(temporaryPath, 'partial');
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(fs.readFileSync(target, 'utf8')).toBe('old content\n');
    expect(fs.readdirSync(directory).filter((name) => name.includes('keep.csv') && name !== 'keep.csv')).toEqual([]);
  });
});
