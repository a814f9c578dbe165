/**
 * Read benchmark of issue 4 (`npm run bench -- read` runs it in a child process): a 1,000,000 x 20
 * float CSV and Parquet file into a Table, timed against pandas.read_csv and pyarrow.parquet.read_table from .venv-ref in the same run, plus the
 * peak RSS a read adds, against the raw float64 bytes (160 MB). The same rows with one text column
 * (channel names) are timed and measured too: real KDAP data has such columns.
 *
 * Run from the repository root:
 *   npm run bench -- read
 *   node --conditions=@kdap/source -r ts-node/register/transpile-only benchmarks/read.child.ts
 * Options: --rows N (default 1000000), --repeats N (default 7). Each repeat times TypeScript and
 * Python back to back; the table gives the median of the per-repeat ratios and their range. Memory
 * is measured in 3 fresh child processes per format (median and range).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DuckDBInstance } from '@duckdb/node-api';
import { readTable, vectorCopyPath, type Table } from '@kdap/preprocessing';
import { referencePython } from '@kdap/test-support';
// Internal switch (not exported by the package): times the JavaScript vector copy against the addon's.
import { useJavaScriptVectorCopy } from '../packages/preprocessing/src/io/duckdb-vectors';

const COLUMNS = 20;

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function tableBytes(table: Table): number {
  let bytes = 0;
  for (const name of table.columnNames) {
    const column = table.column(name);
    bytes += column.kind === 'categorical' ? column.codes.byteLength : column.values.byteLength;
  }
  return bytes;
}

/**
 * Peak resident memory (bytes) since the last reset. On Linux, writing 5 to /proc/self/clear_refs
 * resets the high-water mark (VmHWM), so a peak reached while ts-node compiled the sources does not
 * hide the read's; elsewhere this falls back to getrusage's lifetime maximum.
 */
function peakRss(reset: boolean): number {
  try {
    if (reset) fs.writeFileSync('/proc/self/clear_refs', '5');
    const status = fs.readFileSync('/proc/self/status', 'utf8');
    const kilobytes = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    if (kilobytes !== undefined) return Number(kilobytes) * 1024;
  } catch {
    // Not Linux: use the lifetime maximum below.
  }
  return process.resourceUsage().maxRSS * 1024;
}

/**
 * Child mode: read one file and print the peak RSS the read added (bytes) over the RSS before it.
 * `javascriptCopy`: copy DuckDB vectors with the bindings' vector_get_data (the fallback when
 * @kdap/duckdb-vectors is not built) instead of the addon.
 */
async function measureMemory(file: string, javascriptCopy: boolean): Promise<void> {
  useJavaScriptVectorCopy(javascriptCopy);
  // Load DuckDB and touch the reader first so the baseline includes the engine, not the data.
  const warm = path.join(path.dirname(file), 'warm.csv');
  await readTable(warm);
  const before = process.memoryUsage().rss;
  peakRss(true);
  const table = await readTable(file);
  const peak = peakRss(false);
  process.stdout.write(JSON.stringify({ peakIncrease: peak - before, tableBytes: tableBytes(table), rows: table.rowCount }));
}

interface BenchFiles {
  csv: string;
  parquet: string;
  /** The same rows with column c0 replaced by a text column (six channel names): the realistic case. */
  mixedCsv: string;
  mixedParquet: string;
}

async function generate(directory: string, rows: number): Promise<BenchFiles> {
  const file = (name: string) => path.join(directory, name);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run('SELECT setseed(0.42)');
  const columns = Array.from({ length: COLUMNS }, (_, j) => `(random() * 2000 - 1000) AS c${j}`).join(', ');
  await connection.run(`CREATE TABLE floats AS SELECT ${columns} FROM range(${rows})`);
  const channel = `(['search', 'social', 'display', 'video', 'email', 'affiliate'])[1 + (hash(c1) % 6)::INTEGER] AS channel`;
  const rest = Array.from({ length: COLUMNS - 1 }, (_, j) => `c${j + 1}`).join(', ');
  await connection.run(`CREATE TABLE mixed AS SELECT ${channel}, ${rest} FROM floats`);
  for (const table of ['floats', 'mixed']) {
    await connection.run(`COPY ${table} TO '${file(`${table}.csv`)}' (HEADER)`);
    await connection.run(`COPY ${table} TO '${file(`${table}.parquet`)}' (FORMAT parquet)`);
  }
  connection.closeSync();
  instance.closeSync();
  fs.writeFileSync(file('warm.csv'), 'a,b\n1,2\n');
  return { csv: file('floats.csv'), parquet: file('floats.parquet'), mixedCsv: file('mixed.csv'), mixedParquet: file('mixed.parquet') };
}

/** Seconds one pandas/pyarrow read takes, timed inside Python (interpreter start-up excluded). */
function pythonReadSeconds(python: string, reader: 'pandas-csv' | 'pyarrow-parquet', file: string): number {
  const script = `
import sys, time
reader, file = sys.argv[1], sys.argv[2]
if reader == 'pandas-csv':
    import pandas as pd
    read = lambda: pd.read_csv(file)
else:
    import pyarrow.parquet as pq
    read = lambda: pq.read_table(file)
t = time.perf_counter(); read(); print(time.perf_counter() - t)
`;
  return Number(execFileSync(python, ['-c', script, reader, file], { encoding: 'utf8' }).trim());
}

/** Peak RSS (bytes) pandas.read_csv adds over the RSS after importing pandas, in a fresh Python. */
function pythonPeakIncrease(python: string, file: string): number {
  const script = `
import sys, re
import pandas as pd
def hwm():
    return int(re.search(r'VmHWM:\\s+(\\d+) kB', open('/proc/self/status').read()).group(1)) * 1024
def rss():
    return int(re.search(r'VmRSS:\\s+(\\d+) kB', open('/proc/self/status').read()).group(1)) * 1024
before = rss()
open('/proc/self/clear_refs', 'w').write('5')
df = pd.read_csv(sys.argv[1])
print(hwm() - before)
`;
  return Number(execFileSync(python, ['-c', script, file], { encoding: 'utf8' }).trim());
}

async function readSeconds(file: string): Promise<number> {
  const start = performance.now();
  await readTable(file);
  return (performance.now() - start) / 1000;
}

function childMemory(file: string, javascriptCopy = false): { peakIncrease: number; tableBytes: number; rows: number } {
  const args = ['--conditions=@kdap/source', '-r', 'ts-node/register/transpile-only', __filename, '--measure-memory', file];
  const output = execFileSync(process.execPath, javascriptCopy ? [...args, '--javascript-copy'] : args, { encoding: 'utf8' });
  return JSON.parse(output) as { peakIncrease: number; tableBytes: number; rows: number };
}

async function main(): Promise<void> {
  const memoryIndex = process.argv.indexOf('--measure-memory');
  if (memoryIndex >= 0) return measureMemory(process.argv[memoryIndex + 1] as string, process.argv.includes('--javascript-copy'));

  const rows = argument('rows', 1_000_000);
  const repeats = argument('repeats', 7);
  const python = referencePython();
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'kdap-read-bench-'));
  try {
    const { csv, parquet, mixedCsv, mixedParquet } = await generate(directory, rows);
    const rawBytes = rows * COLUMNS * 8;
    // TypeScript and Python runs alternate, so load from other processes hits both sides alike.
    const runs = {
      tsCsv: [] as number[], pandasCsv: [] as number[], tsParquet: [] as number[], pyarrowParquet: [] as number[],
      tsMixedCsv: [] as number[], pandasMixedCsv: [] as number[], tsMixedParquet: [] as number[], pyarrowMixedParquet: [] as number[],
    };
    await readTable(path.join(directory, 'warm.csv'));
    for (let i = 0; i < repeats; i += 1) {
      runs.tsCsv.push(await readSeconds(csv));
      runs.pandasCsv.push(pythonReadSeconds(python, 'pandas-csv', csv));
      runs.tsParquet.push(await readSeconds(parquet));
      runs.pyarrowParquet.push(pythonReadSeconds(python, 'pyarrow-parquet', parquet));
      runs.tsMixedCsv.push(await readSeconds(mixedCsv));
      runs.pandasMixedCsv.push(pythonReadSeconds(python, 'pandas-csv', mixedCsv));
      runs.tsMixedParquet.push(await readSeconds(mixedParquet));
      runs.pyarrowMixedParquet.push(pythonReadSeconds(python, 'pyarrow-parquet', mixedParquet));
    }
    const csvMemory = [0, 1, 2].map(() => childMemory(csv));
    const parquetMemory = [0, 1, 2].map(() => childMemory(parquet));
    const csvMemoryJavaScript = [0, 1, 2].map(() => childMemory(csv, true));
    const pandasMemory = [0, 1, 2].map(() => pythonPeakIncrease(python, csv));
    const mixedCsvMemory = [0, 1, 2].map(() => childMemory(mixedCsv));
    const mixedParquetMemory = [0, 1, 2].map(() => childMemory(mixedParquet));
    const copy = vectorCopyPath();
    const mb = (bytes: number) => (bytes / 1e6).toFixed(0);
    const ratios = (ts: number[], reference: number[]) => ts.map((t, i) => t / (reference[i] as number));
    const spread = (values: number[], digits = 2) => `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)})`;
    const peakRatios = (memory: { peakIncrease: number }[]) => memory.map((m) => m.peakIncrease / rawBytes);
    const tableBytesOf = (csvMemory[0] as { tableBytes: number }).tableBytes;
    const lines = [
      `Read benchmark: ${rows.toLocaleString('en-US')} rows x ${COLUMNS} float64 columns (raw ${mb(rawBytes)} MB; CSV ${mb(fs.statSync(csv).size)} MB, Parquet ${mb(fs.statSync(parquet).size)} MB), ${repeats} interleaved repeats (median, range), ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; vector copy: ${copy.path === 'native' ? `@kdap/duckdb-vectors (DuckDB ${copy.duckdb})` : `JavaScript (${copy.reason})`}`,
      '',
      '| measure | TypeScript | reference | ratio | target |',
      '|---|---|---|---|---|',
      `| CSV -> Table (s) | ${spread(runs.tsCsv)} | pandas.read_csv ${spread(runs.pandasCsv)} | ${spread(ratios(runs.tsCsv, runs.pandasCsv))} | <= 0.6 |`,
      `| Parquet -> Table (s) | ${spread(runs.tsParquet)} | pyarrow.parquet.read_table ${spread(runs.pyarrowParquet)} | ${spread(ratios(runs.tsParquet, runs.pyarrowParquet))} | <= 1.5 |`,
      `| Table memory (MB) | ${mb(tableBytesOf)} | raw float64 ${mb(rawBytes)} | ${(tableBytesOf / rawBytes).toFixed(2)} | <= 1.3 |`,
      `| peak RSS added by a CSV read (MB) | ${spread(csvMemory.map((m) => m.peakIncrease / 1e6), 0)} | raw float64 ${mb(rawBytes)} | ${spread(peakRatios(csvMemory))} | <= 1.3 |`,
      `| peak RSS added by a CSV read, JavaScript vector copy (MB) | ${spread(csvMemoryJavaScript.map((m) => m.peakIncrease / 1e6), 0)} | raw float64 ${mb(rawBytes)} | ${spread(peakRatios(csvMemoryJavaScript))} | (fallback) |`,
      `| peak RSS added by pandas.read_csv (MB) | ${spread(pandasMemory.map((bytes) => bytes / 1e6), 0)} | raw float64 ${mb(rawBytes)} | ${spread(pandasMemory.map((bytes) => bytes / rawBytes))} | (reference) |`,
      `| peak RSS added by a Parquet read (MB) | ${spread(parquetMemory.map((m) => m.peakIncrease / 1e6), 0)} | raw float64 ${mb(rawBytes)} | ${spread(peakRatios(parquetMemory))} | <= 1.3 |`,
      '',
      `With a text column (c0 replaced by six channel names; the Table holds it as int32 codes: ${mb((mixedCsvMemory[0] as { tableBytes: number }).tableBytes)} MB):`,
      '',
      '| measure | TypeScript | reference | ratio |',
      '|---|---|---|---|',
      `| CSV -> Table (s) | ${spread(runs.tsMixedCsv)} | pandas.read_csv ${spread(runs.pandasMixedCsv)} | ${spread(ratios(runs.tsMixedCsv, runs.pandasMixedCsv))} |`,
      `| Parquet -> Table (s) | ${spread(runs.tsMixedParquet)} | pyarrow.parquet.read_table ${spread(runs.pyarrowMixedParquet)} | ${spread(ratios(runs.tsMixedParquet, runs.pyarrowMixedParquet))} |`,
      `| peak RSS added by a CSV read (MB) | ${spread(mixedCsvMemory.map((m) => m.peakIncrease / 1e6), 0)} | Table ${mb((mixedCsvMemory[0] as { tableBytes: number }).tableBytes)} | ${spread(mixedCsvMemory.map((m) => m.peakIncrease / m.tableBytes))} |`,
      `| peak RSS added by a Parquet read (MB) | ${spread(mixedParquetMemory.map((m) => m.peakIncrease / 1e6), 0)} | Table ${mb((mixedParquetMemory[0] as { tableBytes: number }).tableBytes)} | ${spread(mixedParquetMemory.map((m) => m.peakIncrease / m.tableBytes))} |`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
