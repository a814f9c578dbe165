/**
 * Readers on files shaped like users' exports (issue 14) vs pandas, each read in a fresh process:
 * a 3,000,000-row Parquet (timestamp[us], two int64, two columns of ~230 3-letter codes, once as
 * plain strings and once dictionary-typed), a 200,000-row CSV and Arrow IPC file of the same
 * shape, small mixed CSVs (1,461 x 6, 3,376 x 7, 10,000 x 14) and a 200,000-record JSON array.
 * Files come from benchmarks/python/read_shapes.py (seeded).
 *
 * TypeScript: a fresh Node process imports @kdap/preprocessing and times `readTable(file)` from the
 * call to the ready Table, so DuckDB's start-up and the process's first read are counted. By
 * default it runs the built package (dist/, as users run it; build it with `npm run build:pkgs` in both packages first: the bench
 * refuses a dist older than the sources); `--source` runs the sources through ts-node instead
 * (same code, 5-10 s more start-up per process, not timed). Python: `pd.read_parquet`,
 * `pd.read_csv`, `pd.read_feather` (pyarrow -> pandas) and `pd.read_json` after importing pandas.
 * Sides alternate (which goes first flips every repeat); the table gives medians and ranges of the
 * seconds and of the per-repeat ratios TS/pandas, and the peak RSS each read added (median) against
 * the Table's size.
 *
 *   npm run bench -- read-shapes [--repeats 7] [--only csv-1461x6,parquet-3m-plain] [--scale 1] [--source]
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { referencePython } from '@kdap/test-support';
import { arg, median } from './report';

interface Manifest {
  [name: string]: { file: string; rows: number; reader: 'parquet' | 'csv' | 'arrow' | 'json' };
}

interface Reading {
  seconds: number;
  peakAdded: number;
  rows: number;
  tableBytes?: number;
  frameBytes?: number;
}

const ROOT = path.resolve(__dirname, '..');
const GOALS: Record<string, string> = {
  'parquet-3m-plain': '<= 1.0',
  'parquet-3m-dictionary': '<= 1.0',
  'csv-200k': '<= 1.0',
  'arrow-200k': '<= 1.0',
  'csv-1461x6': '<= 2.0',
  'csv-3376x7': '<= 2.0',
  'csv-10000x14': '<= 2.0',
  'json-200k': '',
};

/**
 * The TypeScript side's process: imports the package, resets the RSS high-water mark (so the peak
 * is the read's, not the import's), times the read, and prints seconds, the peak RSS the read added
 * and the Table's size (values or codes, plus the category texts) as JSON.
 */
const CHILD = `
const fs = require('node:fs');
const { performance } = require('node:perf_hooks');
const { readTable } = require('@kdap/preprocessing');
const status = (field) => Number(new RegExp(field + ':\\\\s+(\\\\d+) kB').exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
(async () => {
  const before = status('VmRSS');
  fs.writeFileSync('/proc/self/clear_refs', '5');
  const start = performance.now();
  const table = await readTable(process.argv[1]);
  const seconds = (performance.now() - start) / 1000;
  const peak = status('VmHWM');
  let tableBytes = 0;
  for (const name of table.columnNames) {
    const column = table.column(name);
    tableBytes += column.kind === 'categorical' ? column.codes.byteLength + column.categories.reduce((sum, text) => sum + 2 * text.length, 0) : column.values.byteLength;
  }
  process.stdout.write(JSON.stringify({ seconds, peakAdded: peak - before, tableBytes, rows: table.rowCount }));
})().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error));
  process.exit(1);
});
`;

function typescriptRead(file: string, source: boolean): Reading {
  const runner = source ? ['--conditions=@kdap/source', '-r', 'ts-node/register/transpile-only'] : [];
  const output = execFileSync(process.execPath, [...runner, '-e', CHILD, file], { encoding: 'utf8', cwd: ROOT });
  return JSON.parse(output) as Reading;
}

/** Refuses a built package older than its sources (the bench would time yesterday's code). */
function checkBuilt(): void {
  const newest = (directory: string): number =>
    fs.readdirSync(directory, { withFileTypes: true, recursive: true }).reduce((latest, entry) => {
      if (!entry.isFile()) return latest;
      return Math.max(latest, fs.statSync(path.join(entry.parentPath ?? (entry as { path: string }).path, entry.name)).mtimeMs);
    }, 0);
  for (const pkg of ['packages/preprocessing', 'native/duckdb-vectors']) {
    const dist = path.join(ROOT, pkg, 'dist', 'index.js');
    if (!fs.existsSync(dist) || fs.statSync(dist).mtimeMs < newest(path.join(ROOT, pkg, 'src'))) {
      throw new Error(`${pkg}/dist is missing or older than its sources. Run \`npm run build:pkgs --workspace packages/preprocessing --workspace native/duckdb-vectors\` (or pass --source).`);
    }
  }
}

function pandasRead(python: string, reader: string, file: string): Reading {
  const output = execFileSync(python, [path.join(__dirname, 'python', 'read_shapes.py'), 'read', reader, file], { encoding: 'utf8' });
  return JSON.parse(output) as Reading;
}

export async function readShapesBench(argv: string[]): Promise<string> {
  const repeats = Number(arg(argv, '--repeats', '7'));
  const only = arg(argv, '--only', '');
  const scale = arg(argv, '--scale', '1');
  const source = argv.includes('--source');
  if (!source) checkBuilt();
  const python = referencePython();
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'kdap-read-shapes-'));
  try {
    const manifest = JSON.parse(
      execFileSync(python, [path.join(__dirname, 'python', 'read_shapes.py'), 'generate', directory, '--scale', scale], { encoding: 'utf8' }),
    ) as Manifest;
    const names = Object.keys(manifest).filter((name) => only === '' || only.split(',').includes(name));
    const ts = new Map<string, Reading[]>(names.map((name) => [name, []]));
    const py = new Map<string, Reading[]>(names.map((name) => [name, []]));
    const loads: number[] = [];
    for (let r = 0; r < repeats; r += 1) {
      loads.push(os.loadavg()[0] as number);
      for (const name of names) {
        const { file, reader } = manifest[name]!;
        const full = path.join(directory, file);
        const sides = [() => ts.get(name)!.push(typescriptRead(full, source)), () => py.get(name)!.push(pandasRead(python, reader, full))];
        if (r % 2 === 1) sides.reverse();
        for (const side of sides) side();
      }
    }
    const f = (value: number) => (value >= 1 ? value.toFixed(2) : value.toFixed(3));
    const spread = (values: number[]) => `${f(median(values))} (${f(Math.min(...values))}-${f(Math.max(...values))})`;
    const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
    const lines = [
      `Read shapes: ${repeats} alternating repeats, each read in a fresh process (TypeScript from ${source ? 'the sources (ts-node)' : 'the built package'}), ${os.cpus().length} CPUs, load average at each repeat ${loads.map((l) => l.toFixed(1)).join(' ')}`,
      '',
      '| file | rows | TypeScript (s) | pandas (s) | ratio TS/pandas | goal | peak RSS added TS (MB) | Table (MB) | peak / Table | pandas peak RSS added (MB) |',
      '|---|---|---|---|---|---|---|---|---|---|',
    ];
    for (const name of names) {
      const a = ts.get(name)!;
      const b = py.get(name)!;
      if (a.some((reading, i) => reading.rows !== b[i]!.rows)) throw new Error(`${name}: TypeScript read ${a[0]!.rows} rows, pandas ${b[0]!.rows}.`);
      const ratios = a.map((reading, i) => reading.seconds / b[i]!.seconds);
      const peak = median(a.map((reading) => reading.peakAdded));
      const table = a[0]!.tableBytes!;
      lines.push(
        `| ${name} | ${manifest[name]!.rows.toLocaleString('en-US')} | ${spread(a.map((x) => x.seconds))} | ${spread(b.map((x) => x.seconds))} | ` +
          `**${spread(ratios)}** | ${GOALS[name] ?? ''} | ${mb(peak)} | ${mb(table)} | ${(peak / table).toFixed(2)} | ${mb(median(b.map((x) => x.peakAdded)))} |`,
      );
    }
    return lines.join('\n');
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

if (require.main === module) {
  readShapesBench(process.argv.slice(2)).then(
    (table) => console.log(table),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
