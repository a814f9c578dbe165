/**
 * Readers vs pandas (issue 14): files shaped like users' exports, written by pandas/pyarrow, read
 * by readTable and by pandas; every value must be equal: texts, integers, floats, dates,
 * timestamps to the microsecond, and NULLs in the same rows. Runs through the preprocessing
 * reference runner (../testing/python): @kdap/core depends on this package, so its runner cannot
 * be imported here without a cycle.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runPythonSnippet, temporaryDirectory } from '@kdap/test-support';
import { MISSING_CODE } from '../table/column';
import type { Table } from '../table/table';
import { readTable } from './read-table';

const directory = temporaryDirectory('read-parity');
afterAll(() => fs.rmSync(directory, { recursive: true, force: true }));

/** What pandas read: per column, its kind and values (timestamps as epoch microseconds). */
interface PandasColumns {
  [name: string]: { kind: 'number' | 'time' | 'text'; values: (number | string | null)[] };
}

const WRITE_AND_READ = `
import pyarrow as pa, pyarrow.parquet as pq, pyarrow.feather as feather
directory, rows = INPUT['directory'], INPUT['rows']
rng = np.random.default_rng(INPUT['seed'])
start = np.datetime64('2023-01-01T00:00:00', 'us').astype(np.int64)
ts = start + rng.integers(0, 2 * 365 * 86_400_000_000, rows)
pool = np.array(['AUD', 'CHF', 'EUR', 'GBP', 'JPY', 'USD', 'Zürich', 'a longer text than twelve bytes', ''], dtype=object)
def with_nulls(values, every):
    mask = np.zeros(rows, dtype=bool)
    mask[::every] = True
    return mask
table = pa.table({
    'event_time': pa.array(ts, type=pa.timestamp('us'), mask=with_nulls(ts, 13)),
    'customer_id': pa.array(rng.integers(-(1 << 52), 1 << 52, rows), type=pa.int64()),
    'quantity': pa.array(rng.integers(0, 5000, rows), type=pa.int64(), mask=with_nulls(ts, 17)),
    'amount': pa.array(rng.gamma(2.0, 40.0, rows).round(2), mask=with_nulls(ts, 19)),
    'currency': pa.array(pool[rng.integers(0, len(pool), rows)], type=pa.large_string(), mask=with_nulls(ts, 11)),
    'day': pa.array((ts // 86_400_000_000).astype('int32'), type=pa.date32(), mask=with_nulls(ts, 23)),
})
pq.write_table(table, directory + '/plain.parquet', row_group_size=max(1, rows // 3))
dictionary = table.set_column(4, 'currency', table.column('currency').dictionary_encode())
pq.write_table(dictionary, directory + '/dictionary.parquet')
feather.write_feather(table, directory + '/table.arrow', compression='uncompressed')
frame = table.to_pandas()
# CSV as an export writes it: ISO timestamps with microseconds, dates, integers, texts, empty NULLs.
csv = frame.copy()
csv['event_time'] = csv['event_time'].dt.strftime('%Y-%m-%d %H:%M:%S.%f')
csv['quantity'] = csv['quantity'].astype('Int64')
csv['currency'] = csv['currency'].replace('', 'n/a')
csv.to_csv(directory + '/table.csv', index=False)
# JSON records: numbers and texts (pandas' read_json would guess dates differently; not compared).
# pandas parses JSON numbers with a fast, inexact strtod unless precise_float=True (3.28 -> 3.2800000000000002).
frame[['customer_id', 'amount', 'currency']].to_json(directory + '/table.json', orient='records')

def columns(df, times):
    out = {}
    for name in df.columns:
        s = df[name]
        if name in times:
            t = pd.to_datetime(s)
            us = (t if t.dt.tz is None else t.dt.tz_convert(None)).dt.as_unit('us').astype('int64')
            out[name] = {'kind': 'time', 'values': [None if pd.isna(v) else int(u) for v, u in zip(t, us)]}
        elif pd.api.types.is_numeric_dtype(s.dtype) and not isinstance(s.dtype, pd.CategoricalDtype):
            out[name] = {'kind': 'number', 'values': [None if pd.isna(v) else float(v) for v in s]}
        else:
            out[name] = {'kind': 'text', 'values': [None if pd.isna(v) else str(v) for v in s]}
    return out
read = {
    'plain.parquet': columns(pd.read_parquet(directory + '/plain.parquet'), {'event_time', 'day'}),
    'dictionary.parquet': columns(pd.read_parquet(directory + '/dictionary.parquet'), {'event_time', 'day'}),
    'table.arrow': columns(pd.read_feather(directory + '/table.arrow'), {'event_time', 'day'}),
    'table.csv': columns(pd.read_csv(directory + '/table.csv', keep_default_na=True), {'event_time', 'day'}),
    'table.json': columns(pd.read_json(directory + '/table.json', orient='records', convert_dates=False, precise_float=True), set()),
}
emit(read)
`;

/** The Table's column as pandas' JSON: numbers (NaN -> null), epoch microseconds, texts. */
function valuesOf(table: Table, name: string, kind: 'number' | 'time' | 'text'): (number | string | null)[] {
  const column = table.column(name);
  if (column.kind === 'categorical') {
    expect(kind).toBe('text');
    return Array.from(column.codes, (code) => (code === MISSING_CODE ? null : (column.categories[code] as string)));
  }
  if (column.kind === 'date') {
    expect(kind).toBe('time');
    // Milliseconds with the microseconds as the fraction: rounding to the microsecond must be exact.
    return Array.from(column.values, (ms) => (Number.isNaN(ms) ? null : Math.round(ms * 1000)));
  }
  expect(kind).toBe('number');
  return Array.from(column.values, (value) => (Number.isNaN(value) ? null : value));
}

describe.each([
  ['a small file (CSV tokenized natively on one thread)', 2_000],
  ['a larger file (CSV tokenized natively on two threads)', 25_000],
])('readTable equals pandas on %s', (_label, rows) => {
  const folder = path.join(directory, String(rows));
  let pandas: Record<string, PandasColumns>;
  beforeAll(() => {
    fs.mkdirSync(folder, { recursive: true });
    pandas = runPythonSnippet<Record<string, PandasColumns>>(WRITE_AND_READ, { directory: folder, rows, seed: rows });
  });

  // 'table.csv' with a limit goes to DuckDB's CSV reader (the native path takes plain reads only).
  it.each([
    ['plain.parquet', {}],
    ['dictionary.parquet', {}],
    ['table.arrow', {}],
    ['table.csv', {}],
    ['table.csv', { limit: rows }],
    ['table.json', {}],
  ] as const)('%s %j', async (name, options) => {
    const table = await readTable(path.join(folder, name), options);
    const expected = pandas[name] as PandasColumns;
    expect(table.columnNames).toEqual(Object.keys(expected));
    expect(table.rowCount).toBe(rows);
    for (const [column, { kind, values }] of Object.entries(expected)) {
      const actual = valuesOf(table, column, kind);
      // One message per column when they differ: the first differing row.
      const first = actual.findIndex((value, i) => value !== values[i]);
      expect({ column, first, actual: actual[first], expected: values[first] }).toEqual({ column, first: -1, actual: undefined, expected: undefined });
    }
  });
});
