import * as fs from 'node:fs';
import * as path from 'node:path';
import * as arrow from 'apache-arrow';
import { maxScaledDifference, runPythonSnippet, temporaryDirectory } from '@kdap/test-support';
import { DataError, ParameterError, SchemaError } from '../errors';
import { Table } from '../table/table';
import { MISSING_CODE, dateColumn, encodeCategorical, numericColumn } from '../table/column';
import { SeededRandom } from '../random/seeded-random';
import { useJavaScriptVectorCopy, vectorCopyPath } from './duckdb-vectors';
import { readTable } from './read-table';
import { writeTable } from './write-table';

const directory = temporaryDirectory('read');
afterAll(() => fs.rmSync(directory, { recursive: true, force: true }));

function file(name: string, content: string | Uint8Array): string {
  const target = path.join(directory, name);
  fs.writeFileSync(target, content);
  return target;
}

function sampleTable(rows: number, seed: number): Table {
  const random = new SeededRandom(seed);
  const channels = ['search', 'social', 'display', 'video, online', 'email "news"'];
  return Table.fromRecords(
    Array.from({ length: rows }, (_, i) => ({
      current_spend: random.uniform() < 0.05 ? null : random.logNormal(7, 1.2),
      ctr: random.normal(0.02, 0.01),
      channel_id: random.uniform() < 0.05 ? null : (channels[random.integer(channels.length)] as string),
      date: new Date(Date.UTC(2024, 0, 1 + (i % 400))),
    })),
  );
}

describe('readTable and writeTable', () => {
  it.each(['csv', 'tsv', 'parquet'] as const)('round-trips a table through %s exactly', async (format) => {
    const table = sampleTable(3000, 11);
    const target = path.join(directory, `round.${format}`);
    await writeTable(table, target);
    const read = await readTable(target);
    expect(read.schema).toEqual(table.schema);
    expect(read.toRecords()).toEqual(table.toRecords());
    expect(fs.readdirSync(directory).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('lays Parquet numeric columns back to back, so a column-major matrix needs no copy', async () => {
    const numeric = sampleTable(500, 13).select(['current_spend', 'ctr']);
    const target = path.join(directory, 'numeric.parquet');
    await writeTable(numeric, target);
    const read = await readTable(target);
    const matrix = read.toMatrix({ layout: 'column' });
    expect(matrix.data.buffer).toBe(read.numeric('current_spend').values.buffer);
    expect(Array.from(matrix.data)).toEqual([...numeric.numeric('current_spend').values, ...numeric.numeric('ctr').values]);
  });

  it.each(['native', 'javascript'] as const)('keeps file order when DuckDB scans a large file on several threads (numbers, dates, texts), also for concurrent reads (%s vector copy)', async (copy) => {
    useJavaScriptVectorCopy(copy === 'javascript');
    expect(vectorCopyPath().path).toBe(copy);
    // Big enough for several CSV buffers and Parquet row groups, so chunks arrive out of order.
    const rows = 300_000;
    const random = new SeededRandom(17);
    const rowIndex = Float64Array.from({ length: rows }, (_, i) => i);
    const noisy = Float64Array.from({ length: rows }, (_, i) => (i % 97 === 0 ? NaN : random.normal(0, 1000)));
    const dates = Float64Array.from({ length: rows }, (_, i) => Date.UTC(2020, 0, 1) + (i % 1000) * 86_400_000);
    // Text values that follow the row (and are missing on some rows), so a misplaced chunk shows.
    const channels = ['search', 'social', 'display', 'video', 'email', 'affiliate', 'a much longer channel name than twelve bytes'];
    const channelCodes = Int32Array.from({ length: rows }, (_, i) => (i % 101 === 0 ? MISSING_CODE : (i * 7919) % channels.length));
    const table = new Table({
      row_index: numericColumn(rowIndex),
      noisy: numericColumn(noisy),
      day: dateColumn(dates),
      channel: encodeCategorical(Array.from(channelCodes, (code) => (code === MISSING_CODE ? null : (channels[code] as string)))),
    });
    const csv = path.join(directory, 'large.csv');
    const parquet = path.join(directory, 'large.parquet');
    await writeTable(table, csv);
    await writeTable(table, parquet);
    const [fromCsv, fromParquet, again] = await Promise.all([readTable(csv), readTable(parquet), readTable(csv)]);
    for (const read of [fromCsv, fromParquet, again]) {
      expect(read.rowCount).toBe(rows);
      expect(read.schema).toEqual(table.schema);
      expect(read.numeric('row_index').values).toEqual(rowIndex);
      expect(read.numeric('noisy').values).toEqual(noisy);
      const day = read.column('day');
      expect(day.kind === 'date' ? day.values : undefined).toEqual(dates);
      const channel = read.column('channel');
      const expected = table.column('channel');
      expect(channel.kind === 'categorical' && expected.kind === 'categorical').toBe(true);
      if (channel.kind === 'categorical' && expected.kind === 'categorical') {
        expect(channel.categories).toEqual(expected.categories);
        expect(channel.codes).toEqual(expected.codes);
      }
    }
    useJavaScriptVectorCopy(false);
  });

  it('places Parquet rows by position even when a data column is called file_row_number', async () => {
    const table = new Table({ file_row_number: numericColumn(Float64Array.from([5, 4, 3])), x: numericColumn(Float64Array.from([1, NaN, 3])) });
    const target = path.join(directory, 'row-number-column.parquet');
    await writeTable(table, target);
    const read = await readTable(target);
    expect(Array.from(read.numeric('file_row_number').values)).toEqual([5, 4, 3]);
    expect(Array.from(read.numeric('x').values)).toEqual([1, NaN, 3]);
  });

  it('reads Arrow IPC files and streams, JSON and NDJSON', async () => {
    const table = sampleTable(50, 12);
    const expected = table.toRecords();
    const arrowFile = file('t.arrow', arrow.tableToIPC(table.toArrow(), 'file'));
    const arrowStream = file('t.arrows', arrow.tableToIPC(table.toArrow(), 'stream'));
    expect((await readTable(arrowFile)).toRecords()).toEqual(expected);
    expect((await readTable(arrowStream)).toRecords()).toEqual(expected);
    const plain = expected.map((r) => ({ ...r, date: r.date instanceof Date ? r.date.toISOString().slice(0, 10) : null }));
    const json = file('t.json', JSON.stringify(plain));
    const ndjson = file('t.ndjson', plain.map((r) => JSON.stringify(r)).join('\n'));
    expect((await readTable(json, { columns: { date: 'date' } })).toRecords()).toEqual(expected);
    expect((await readTable(ndjson)).toRecords()).toEqual(expected);
    expect((await readTable(ndjson, { columns: { date: 'categorical' } })).schema.date).toBe('categorical');
  });

  it('parses CSV numbers and missing markers (NA, N/A, null, ...) exactly as pandas.read_csv does', async () => {
    const random = new SeededRandom(5);
    const lines = ['a,b,c'];
    for (let i = 0; i < 2000; i += 1) {
      const missing = ['', 'NA', 'N/A', 'null', 'NaN', 'None', '#N/A'][random.integer(7)] as string;
      const cells = [random.normal() * 10 ** random.integer(12), random.uniform() < 0.1 ? missing : random.normal().toPrecision(17), random.integer(1000)];
      lines.push(cells.join(','));
    }
    const csv = file('parity.csv', `${lines.join('\n')}\n`);
    const table = await readTable(csv);
    const expected = runPythonSnippet<Record<string, (number | null)[]>>(
      `df = pd.read_csv(INPUT['file'], float_precision='round_trip')\nemit({c: df[c].astype(float).tolist() for c in df.columns})`,
      { file: csv },
    );
    for (const name of ['a', 'b', 'c']) {
      const reference = Float64Array.from(expected[name] as (number | null)[], (v) => (v === null ? NaN : v));
      expect(maxScaledDifference(table.numeric(name).values, reference)).toBe(0);
    }
  });

  it('applies overrides, renames, limits and seeded samples', async () => {
    const csv = file('opts.csv', 'channel_id,day,spend\n1,2024-01-01,3\n2,2024-01-02,4\n1,2024-01-03,5\n');
    const table = await readTable(csv, { columns: { channel_id: 'categorical' }, rename: { spend: 'current_spend' }, limit: 2 });
    expect(table.schema).toEqual({ channel_id: 'categorical', day: 'date', current_spend: 'numeric' });
    expect(table.toRecords()).toEqual([
      { channel_id: '1', day: new Date('2024-01-01T00:00:00Z'), current_spend: 3 },
      { channel_id: '2', day: new Date('2024-01-02T00:00:00Z'), current_spend: 4 },
    ]);
    expect((await readTable(csv, { limit: 0 })).columnNames).toEqual(['channel_id', 'day', 'spend']);
    const a = await readTable(csv, { sample: { rows: 2, seed: 3 } });
    const b = await readTable(csv, { sample: { rows: 2, seed: 3 } });
    expect(a.rowCount).toBe(2);
    expect(a.toRecords()).toEqual(b.toRecords());
  });
});

describe('readTable on bad input', () => {
  async function failure(promise: Promise<unknown>): Promise<Error> {
    try {
      await promise;
    } catch (error) {
      return error as Error;
    }
    throw new Error('expected readTable to fail');
  }

  it('missing file', async () => {
    const missing = path.join(directory, 'nope.csv');
    const error = await failure(readTable(missing));
    expect(error).toBeInstanceOf(DataError);
    expect(error.message).toBe(`The file '${missing}' does not exist. Check the path (relative paths start at ${process.cwd()}).`);
    expect((error as DataError).file).toBe(missing);
  });

  it('unsupported extension', async () => {
    const xls = file('data.xlsx', 'x');
    const error = await failure(readTable(xls));
    expect(error).toBeInstanceOf(DataError);
    expect(error.message).toMatch(new RegExp(`^Cannot tell the format of '${xls}' from its extension '.xlsx'. Use one of .csv, .tsv`));
  });

  it('empty file and whitespace-only file', async () => {
    const empty = file('empty.csv', '');
    expect((await failure(readTable(empty))).message).toBe(`The file '${empty}' is empty (0 bytes). Write the data to it or pick another file.`);
    const blank = file('blank.csv', '\n\n  \n');
    const error = await failure(readTable(blank));
    expect(error).toBeInstanceOf(DataError);
    expect(error.message).toBe(`The file '${blank}' is empty. A CSV file needs a header line and at least one data row.`);
  });

  it('header only', async () => {
    const headerOnly = file('header.csv', 'a,b,c\n');
    const error = await failure(readTable(headerOnly));
    expect(error).toBeInstanceOf(DataError);
    expect(error.message).toBe(`The file '${headerOnly}' has a header but no data rows. Add rows or pick another file.`);
  });

  it('ragged rows name the line', async () => {
    const ragged = file('ragged.csv', 'a,b,c\n1,2,3\n4,5\n6,7,8\n');
    const error = await failure(readTable(ragged));
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).line).toBe(3);
    expect(error.message).toMatch(new RegExp(`^Cannot read '${ragged}'.* line 3`));
    const long = ['a,b'];
    for (let i = 0; i < 5000; i += 1) long.push(`${i},${i}`);
    long.push('1,2,3');
    const lateRagged = file('late-ragged.csv', `${long.join('\n')}\n`);
    const lateError = await failure(readTable(lateRagged));
    expect(lateError).toBeInstanceOf(DataError);
    expect(lateError.message).toMatch(/line 5002/);
  });

  it('text in a numeric column names the column and line', async () => {
    const early = file('text-early.csv', `a,b\n${Array.from({ length: 30 }, (_, i) => `${i},${i * 2}`).join('\n')}\n5,oops\n`);
    const error = await failure(readTable(early));
    expect(error).toBeInstanceOf(DataError);
    expect(error.message).toBe(
      `Column 'b' of '${early}' holds numbers, but line 32 holds the text "oops". Fix or blank that value, or declare the column with { columns: { b: 'categorical' } } if it is not numeric.`,
    );
    expect(error).toMatchObject({ file: early, line: 32, column: 'b' });
    const lines = ['a,b'];
    for (let i = 0; i < 30000; i += 1) lines.push(`${i},${i * 0.5}`);
    lines.push('7,hello');
    const late = file('text-late.csv', `${lines.join('\n')}\n`);
    // Typed on every value (the native path): the same message as early text.
    const lateError = await failure(readTable(late));
    expect(lateError).toBeInstanceOf(DataError);
    expect(lateError).toMatchObject({ line: 30002, column: 'b' });
    expect(lateError.message).toBe(
      `Column 'b' of '${late}' holds numbers, but line 30002 holds the text "hello". Fix or blank that value, or declare the column with { columns: { b: 'categorical' } } if it is not numeric.`,
    );
    // DuckDB's reader (a read with a limit) types on its sniffer's sample and stops at the value.
    const duckdbError = await failure(readTable(late, { limit: 40_000 }));
    expect(duckdbError).toBeInstanceOf(DataError);
    expect(duckdbError).toMatchObject({ line: 30002, column: 'b' });
    expect(duckdbError.message).toMatch(/^Cannot read '.*text-late.csv' at line 30002: .*"hello"/);
    const declared = await readTable(early, { columns: { b: 'categorical' } });
    expect(declared.categorical('b').categories).toContain('oops');
  });

  it('duplicate column names', async () => {
    const duplicated = file('dup.csv', 'a,b,a\n1,2,3\n');
    const error = await failure(readTable(duplicated));
    expect(error).toBeInstanceOf(SchemaError);
    expect(error.message).toBe(`The header of '${duplicated}' names column 'a' twice. Rename one of them; column names must be unique.`);
  });

  it('all-null columns', async () => {
    const allNull = file('allnull.csv', 'a,b\n1,\n2,\n');
    const error = await failure(readTable(allNull));
    expect(error).toBeInstanceOf(DataError);
    expect(error.message).toBe(
      `Column 'b' of '${allNull}' is empty in every row. Drop it from the file, or declare its kind (e.g. { columns: { b: 'numeric' } }) to keep it as all-missing.`,
    );
    const kept = await readTable(allNull, { columns: { b: 'numeric' } });
    expect(Array.from(kept.numeric('b').values)).toEqual([NaN, NaN]);
  });

  it('non-UTF-8 bytes in CSV and NDJSON', async () => {
    const latin1 = file('latin1.csv', Buffer.concat([Buffer.from('name,x\nok,1\ncaf'), Buffer.from([0xe9]), Buffer.from(',2\n')]));
    const error = await failure(readTable(latin1));
    expect(error).toBeInstanceOf(DataError);
    expect(error.message).toMatch(new RegExp(`^Cannot read '${latin1}' at line 3: .*Re-save it as UTF-8\\.$`));
    const ndjson = file('latin1.ndjson', Buffer.concat([Buffer.from('{"a":"x"}\n{"a":"caf'), Buffer.from([0xe9]), Buffer.from('"}\n')]));
    const ndError = await failure(readTable(ndjson));
    expect(ndError).toBeInstanceOf(DataError);
    expect(ndError.message).toBe(`Cannot read '${ndjson}' at line 2: the file is not UTF-8 text. Re-save it as UTF-8.`);
  });

  it('malformed JSON, NDJSON, Arrow and Parquet', async () => {
    const ndjson = file('bad.ndjson', '{"a":1}\n{"a":\n');
    const ndError = await failure(readTable(ndjson));
    expect(ndError).toBeInstanceOf(DataError);
    expect(ndError.message).toMatch(new RegExp(`^Cannot read '${ndjson}' at line 2: it is not valid JSON`));
    const json = file('obj.json', '{"a": 1}');
    expect((await failure(readTable(json))).message).toBe(
      `Cannot read '${json}': a JSON table must be an array of row objects, e.g. [{"a": 1}]. Got {"a":1}.`,
    );
    const notArrow = file('fake.arrow', 'a,b\n1,2\n');
    const arrowError = await failure(readTable(notArrow));
    expect(arrowError).toBeInstanceOf(DataError);
    expect(arrowError.message).toMatch(new RegExp(`^Cannot read '${notArrow}' as Arrow IPC`));
    const notParquet = file('fake.parquet', 'a,b\n1,2\n');
    const parquetError = await failure(readTable(notParquet));
    expect(parquetError).toBeInstanceOf(DataError);
    expect(parquetError.message).toMatch(new RegExp(`^Cannot read '${notParquet}': .*Check that the file is a complete Parquet file`));
    const mixed = file('mixed.ndjson', '{"a":1}\n{"a":"x"}\n');
    const mixedError = await failure(readTable(mixed));
    expect(mixedError).toBeInstanceOf(DataError);
    expect(mixedError).toMatchObject({ line: 2, column: 'a' });
  });

  it('bad options are refused by name', async () => {
    const csv = file('ok.csv', 'a\n1\n');
    const typo = await failure(readTable(csv, { limt: 3 } as never));
    expect(typo).toBeInstanceOf(ParameterError);
    expect(typo.message).toBe("readTable has no 'limt' option. Known options: format, columns, rename, limit, sample, delimiter.");
    expect((await failure(readTable(csv, { limit: -1 }))).message).toBe("The 'limit' option of readTable must be an integer >= 0. Got -1.");
    expect((await failure(readTable(csv, { columns: { a: 'text' as never } }))).message).toBe(
      "The 'columns' option of readTable must map each column to 'numeric', 'categorical' or 'date'. Got \"text\" for 'a'.",
    );
    const unknownColumn = await failure(readTable(csv, { columns: { zz: 'numeric' } }));
    expect(unknownColumn).toBeInstanceOf(SchemaError);
    expect(unknownColumn.message).toBe(`The 'columns' option of readTable names column 'zz', which '${csv}' does not have. Its columns are: a.`);
  });
});

describe('integers a float64 cannot hold', () => {
  const big = '9007199254740993'; // 2^53 + 1
  const message = (file: string) =>
    `Column 'id' of '${file}' holds the integer ${big}, beyond +-2^53: a Table's float64 values cannot hold it exactly. ` +
    `Declare the column { columns: { id: 'categorical' } } if it is an identifier, or store it as a float in the file.`;

  it.each(['csv', 'parquet'] as const)('are a DataError naming the column in %s, and read as text when declared categorical', async (format) => {
    const csv = path.join(directory, `big-int-${format}.csv`);
    fs.writeFileSync(csv, `id,x\n1,0.5\n${big},1.5\n-3,2.5\n`);
    let file = csv;
    if (format === 'parquet') {
      file = path.join(directory, 'big-int.parquet');
      runPythonSnippet(`import pyarrow as pa, pyarrow.parquet as pq\npq.write_table(pa.table({'id': pa.array([1, ${big}, -3], type=pa.int64()), 'x': [0.5, 1.5, 2.5]}), INPUT)\nemit(0)`, file);
    }
    const error = await readTable(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).message).toBe(message(file));
    const asText = await readTable(file, { columns: { id: 'categorical' } });
    expect(asText.categorical('id').categories).toEqual(['-3', '1', big]);
    // 2^53 itself is exact and reads as a number.
    const edge = path.join(directory, `edge-${format}.csv`);
    fs.writeFileSync(edge, `id\n9007199254740992\n-9007199254740992\n`);
    expect(Array.from((await readTable(edge)).numeric('id').values)).toEqual([2 ** 53, -(2 ** 53)]);
  });

  it('are a DataError naming the column in Arrow IPC', async () => {
    const file = path.join(directory, 'big-int.arrow');
    const ids = arrow.makeVector(BigInt64Array.from([1n, BigInt(big), -3n]));
    fs.writeFileSync(file, arrow.tableToIPC(new arrow.Table({ id: ids }), 'file'));
    const error = await readTable(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).message).toMatch(new RegExp(`^Column 'id' of '${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}' holds the integer ${big}, beyond \\+-2\\^53`));
  });
});
