/**
 * The addon's own Parquet reader against DuckDB's scan, on files pyarrow writes with every layout
 * the reader claims (types, NULLs, codecs, dictionary and PLAIN pages, a dictionary that overflows
 * into PLAIN pages mid-chunk, data pages v1 and v2, many row groups and pages): the same Table,
 * value for value. Files it does not decode go to DuckDB with the reason naming the column, and
 * damaged files never crash the process.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SeededRandom, runPythonSnippet, temporaryDirectory } from '@kdap/test-support';
import { DataError } from '../errors';
import type { Table } from '../table/table';
import { parquetReader, useNativeParquet } from './duckdb-vectors';
import { readTable } from './read-table';

const directory = temporaryDirectory('read-parquet');
afterAll(() => {
  useNativeParquet(true);
  fs.rmSync(directory, { recursive: true, force: true });
});

const WRITE = `
import pyarrow as pa, pyarrow.parquet as pq, decimal
directory, rows = INPUT['directory'], INPUT['rows']
rng = np.random.default_rng(7)
def mask(every):
    m = np.zeros(rows, dtype=bool)
    m[every // 2::every] = True
    return m
ts = np.datetime64('2023-01-01T00:00:00', 'us').astype(np.int64) + rng.integers(0, 2 * 365 * 86_400_000_000, rows)
pool = np.array(['AUD', 'CHF', 'EUR', '', 'Zürich', 'a longer text than twelve bytes', '東京', 'emoji \U0001F600'], dtype=object)
texts = pool[rng.integers(0, len(pool), rows)]
ids = np.array(['id-%07d' % k for k in rng.permutation(rows)], dtype=object)
floats = rng.normal(0, 1e3, rows)
floats[::37] = np.nan
floats[5] = np.inf
floats[6] = -np.inf
table = pa.table({
    'flag': pa.array(rng.random(rows) < 0.3, mask=mask(9)),
    'tiny': pa.array(rng.integers(-128, 128, rows), type=pa.int8()),
    'small': pa.array(rng.integers(-32768, 32768, rows), type=pa.int16(), mask=mask(7)),
    'int': pa.array(rng.integers(-(1 << 31), 1 << 31, rows), type=pa.int32()),
    'long': pa.array(rng.integers(-(1 << 53), 1 << 53, rows), type=pa.int64(), mask=mask(11)),
    'count': pa.array(rng.integers(0, 40, rows), type=pa.int64()),
    'ubyte': pa.array(rng.integers(0, 256, rows), type=pa.uint8()),
    'uint': pa.array(rng.integers(0, 1 << 32, rows), type=pa.uint32(), mask=mask(5)),
    'ulong': pa.array(rng.integers(0, 1 << 53, rows), type=pa.uint64()),
    'single': pa.array(rng.normal(0, 1, rows).astype(np.float32), mask=mask(13)),
    'double': pa.array(floats),
    'day': pa.array((ts // 86_400_000_000).astype('int32'), type=pa.date32(), mask=mask(17)),
    'ts_s': pa.array(ts // 1_000_000, type=pa.timestamp('s')),
    'ts_ms': pa.array(ts // 1000, type=pa.timestamp('ms'), mask=mask(19)),
    'ts_us': pa.array(ts, type=pa.timestamp('us'), mask=mask(3)),
    'ts_ns': pa.array(ts * 1000 + rng.integers(0, 1000, rows), type=pa.timestamp('ns')),
    'ts_utc': pa.array(ts, type=pa.timestamp('us', tz='UTC')),
    'code': pa.array(texts, type=pa.string(), mask=mask(4)),
    'large': pa.array(texts, type=pa.large_string()),
    'dict': pa.array(texts).dictionary_encode(),
    'id': pa.array(ids),
    'all_null': pa.array([None] * rows, type=pa.float64()),
})
layouts = {
    'zstd-v1': dict(compression='zstd'),
    'snappy-v2': dict(compression='snappy', data_page_version='2.0'),
    'none-v2-plain': dict(compression='none', data_page_version='2.0', use_dictionary=False),
    'none-v1-plain': dict(compression='none', use_dictionary=False),
    'zstd-pages': dict(compression='zstd', data_page_size=512, row_group_size=rows // 3 + 1, write_batch_size=64),
    'snappy-dictionary-overflow': dict(compression='snappy', dictionary_pagesize_limit=256, data_page_size=1024, write_batch_size=64),
}
for name, options in layouts.items():
    pq.write_table(table, f'{directory}/{name}.parquet', **options)
# Files the reader leaves to DuckDB, and the column it names.
other = {
    'decimal': (pa.table({'x': pa.array([1, 2], type=pa.int64()), 'price': pa.array([decimal.Decimal('1.25'), None], type=pa.decimal128(9, 2))}), {}),
    'list': (pa.table({'tags': pa.array([[1, 2], [3]])}), {}),
    'binary': (pa.table({'blob': pa.array([b'ab', b'c'])}), {}),
    'int96': (pa.table({'t': pa.array([0, 86_400_000_000], type=pa.timestamp('us'))}), dict(use_deprecated_int96_timestamps=True)),
    'gzip': (pa.table({'g': [1.5, 2.5]}), dict(compression='gzip')),
    'delta': (pa.table({'d': pa.array([1, 5, 9], type=pa.int64())}), dict(use_dictionary=False, column_encoding={'d': 'DELTA_BINARY_PACKED'})),
}
for name, (t, options) in other.items():
    pq.write_table(t, f'{directory}/{name}.parquet', **options)
emit({'layouts': list(layouts), 'other': {'decimal': 'price', 'list': 'tags', 'binary': 'blob', 'int96': 't', 'gzip': 'codec', 'delta': 'encoding'}})
`;

let written: { layouts: string[]; other: Record<string, string> };
beforeAll(() => {
  written = runPythonSnippet(WRITE, { directory, rows: 3000 });
});

/** The same Table both ways: kinds, numbers bit for bit (NaN as NaN), categories and codes. */
function expectSameTable(actual: Table, expected: Table): void {
  expect(actual.columnNames).toEqual(expected.columnNames);
  expect(actual.rowCount).toBe(expected.rowCount);
  for (const name of expected.columnNames) {
    const a = actual.column(name);
    const b = expected.column(name);
    expect({ name, kind: a.kind }).toEqual({ name, kind: b.kind });
    if (a.kind === 'categorical' && b.kind === 'categorical') {
      expect({ name, categories: a.categories }).toEqual({ name, categories: b.categories });
      expect({ name, codes: Array.from(a.codes) }).toEqual({ name, codes: Array.from(b.codes) });
    } else if (a.kind !== 'categorical' && b.kind !== 'categorical') {
      const differ = Array.from(a.values).findIndex((v, i) => !Object.is(v, b.values[i]));
      expect({ name, firstDifference: differ, values: differ < 0 ? null : [a.values[differ], b.values[differ]] }).toEqual({ name, firstDifference: -1, values: null });
    }
  }
}

/** The layouts' all-NULL column is kept (readTable refuses an all-missing column it was not told about). */
const KEEP_ALL_NULL = { columns: { all_null: 'numeric' as const } };

async function withDuckDB(file: string): Promise<Table> {
  useNativeParquet(false);
  try {
    return await readTable(file, KEEP_ALL_NULL);
  } finally {
    useNativeParquet(true);
  }
}

describe('the addon Parquet reader', () => {
  it('is attached (these tests would otherwise compare DuckDB with itself)', () => {
    expect(parquetReader()).toBeDefined();
  });

  it.each(['zstd-v1', 'snappy-v2', 'none-v2-plain', 'none-v1-plain', 'zstd-pages', 'snappy-dictionary-overflow'])(
    'reads the %s layout itself, equal to DuckDB value for value',
    async (layout) => {
      expect(written.layouts).toContain(layout);
      const file = path.join(directory, `${layout}.parquet`);
      const schema = parquetReader()!.schema(file);
      expect(schema).not.toHaveProperty('unsupported');
      const batch = await parquetReader()!.read(file);
      expect(batch).not.toHaveProperty('unsupported');
      const footer = schema as { names: string[]; types: number[] };
      expect(batch).toMatchObject({ names: footer.names, types: footer.types, rows: 3000 });
      const table = await readTable(file, KEEP_ALL_NULL);
      expect(table.rowCount).toBe(3000);
      expectSameTable(table, await withDuckDB(file));
      // Spot checks against what pyarrow wrote, independent of DuckDB.
      expect(table.column('ts_ns').kind).toBe('date');
      expect(table.column('code').kind).toBe('categorical');
      const double = table.column('double');
      expect(double.kind === 'numeric' && [double.values[5], double.values[6], double.values[0]]).toEqual([Infinity, -Infinity, NaN]);
    },
  );

  it("checks its 'path' argument, and leaves a file it cannot open to the readers' own error", async () => {
    expect(() => parquetReader()!.schema(42 as unknown as string)).toThrow(/'path'/);
    await expect(parquetReader()!.read(undefined as unknown as string)).rejects.toThrow(/'path'/);
    const missing = path.join(directory, 'missing.parquet');
    expect(parquetReader()!.schema(missing)).toEqual({ unsupported: 'cannot open the file: No such file or directory' });
    const notParquet = path.join(directory, 'not-parquet.parquet');
    fs.writeFileSync(notParquet, 'a,b\n1,2\n3,4\n');
    expect(parquetReader()!.schema(notParquet)).toEqual({ unsupported: 'the file does not end in PAR1' });
    const error = await readTable(notParquet).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).message).toContain('Check that the file is a complete Parquet file');
  });

  it.each(['decimal', 'list', 'binary', 'int96', 'gzip', 'delta'])('leaves a %s file to DuckDB, saying which column or codec', async (name) => {
    const file = path.join(directory, `${name}.parquet`);
    const schema = parquetReader()!.schema(file);
    expect(schema).toHaveProperty('unsupported');
    expect((schema as { unsupported: string }).unsupported).toContain(written.other[name]);
    const table = await readTable(file);
    expect(table.rowCount).toBeGreaterThan(0);
  });

  it('names the column of an integer beyond 2^53 in PLAIN and dictionary pages, and with NULLs around it', async () => {
    const big = 2 ** 53 + 2;
    const names = runPythonSnippet<string[]>(
      `import pyarrow as pa, pyarrow.parquet as pq
out = []
for name, options in {'plain': dict(use_dictionary=False), 'dictionary': {}}.items():
    f = INPUT['directory'] + '/big-' + name + '.parquet'
    pq.write_table(pa.table({'x': [0.5, 1.5, 2.5, 3.5], 'big_id': pa.array([None, 1, ${big}, None], type=pa.int64())}), f, **options)
    out.append(f)
emit(out)`,
      { directory },
    );
    for (const file of names) {
      expect(parquetReader()!.schema(file)).not.toHaveProperty('unsupported');
      const error = await readTable(file).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataError);
      expect((error as DataError).message).toContain(`Column 'big_id' of '${file}' holds the integer ${big}, beyond +-2^53`);
    }
  });

  it('leaves texts that are not UTF-8 to DuckDB, which refuses them naming the value (dictionary and PLAIN pages)', async () => {
    const files = runPythonSnippet<string[]>(
      `import pyarrow as pa, pyarrow.parquet as pq
raw = pa.array([b'ok', b'\\xff\\xfe', b'ok'], type=pa.binary())
texts = pa.Array.from_buffers(pa.string(), 3, raw.buffers())
out = []
for name, options in {'plain': dict(use_dictionary=False), 'dictionary': {}}.items():
    f = INPUT['directory'] + '/not-utf8-' + name + '.parquet'
    pq.write_table(pa.table({'s': texts}), f, **options)
    out.append(f)
emit(out)`,
      { directory },
    );
    for (const file of files) {
      expect(await parquetReader()!.read(file)).toEqual({ unsupported: "column 's' holds a text that is not UTF-8" });
      const error = await readTable(file).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataError);
      expect((error as DataError).message).toContain('is not valid UTF8');
    }
  });

  it('never crashes on damaged pages: each damaged copy reads, is left to DuckDB, or is a DataError', async () => {
    const rng = new SeededRandom(14);
    for (const layout of ['zstd-v1', 'snappy-v2', 'none-v1-plain']) {
      const original = fs.readFileSync(path.join(directory, `${layout}.parquet`));
      const footerLength = original.readUInt32LE(original.length - 8);
      const pages = original.length - 8 - footerLength;
      for (let copy = 0; copy < 40; copy += 1) {
        const damaged = Buffer.from(original);
        for (let k = 0; k < 1 + (copy % 4); k += 1) damaged[4 + Math.floor(rng.next() * (pages - 4))] = Math.floor(rng.next() * 256);
        const file = path.join(directory, `damaged-${layout}-${copy}.parquet`);
        fs.writeFileSync(file, damaged);
        const batch = await parquetReader()!.read(file).catch((e: unknown) => e);
        expect(batch === null || typeof batch === 'object').toBe(true);
        const table = await readTable(file, KEEP_ALL_NULL).catch((e: unknown) => e);
        if (!(table instanceof DataError)) expect((table as Table).rowCount).toBe(3000);
        fs.rmSync(file);
      }
    }
  });
});
