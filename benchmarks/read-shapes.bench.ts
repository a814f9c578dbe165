/**
 * Readers on files shaped like users' exports (issue 14) vs pandas, each read in a fresh process:
 * a 3,000,000-row Parquet (timestamp[us], two int64, two columns of ~230 3-letter codes, once as
 * plain strings and once dictionary-typed), a 200,000-row CSV and Arrow IPC file of the same
 * shape, small mixed CSVs (1,461 x 6, 3,376 x 7, 10,000 x 14) and a 200,000-record JSON array.
 * Files come from benchmarks/python/read_shapes.py (seeded).
 *
 * TypeScript: benchmarks/read-shapes-child.ts times `readTable(file)` after importing the package,
 * so DuckDB's start-up and the process's first read are counted. Python: `pd.read_parquet`,
 * `pd.read_csv`, `pd.read_feather` (pyarrow -> pandas) and `pd.read_json` after importing pandas.
 * Sides alternate (which goes first flips every repeat); the table gives medians and ranges of the
 * seconds and of the per-repeat ratios TS/pandas, and the peak RSS each read added (median) against
 * the Table's size.
 *
 *   npm run bench -- read-shapes [--repeats 7] [--only csv-1461x6,parquet-3m-plain] [--scale 1]
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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

function typescriptRead(file: string): Reading {
  const script = path.join(__dirname, 'read-shapes-child.ts');
  const output = execFileSync(process.execPath, ['--conditions=@kdap/source', '-r', 'ts-node/register/transpile-only', script, file], {
    encoding: 'utf8',
    cwd: ROOT,
  });
  return JSON.parse(output) as Reading;
}

function pandasRead(python: string, reader: string, file: string): Reading {
  const output = execFileSync(python, [path.join(__dirname, 'python', 'read_shapes.py'), 'read', reader, file], { encoding: 'utf8' });
  return JSON.parse(output) as Reading;
}

export async function readShapesBench(argv: string[]): Promise<string> {
  const repeats = Number(arg(argv, '--repeats', '7'));
  const only = arg(argv, '--only', '');
  const scale = arg(argv, '--scale', '1');
  const python = process.env.KDAP_PYTHON ?? path.join(ROOT, '.venv-ref', 'bin', 'python');
  if (!fs.existsSync(python)) throw new Error(`The Python reference environment is missing (${python}). Run \`bash scripts/python-ref.sh\`.`);
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
        const sides = [() => ts.get(name)!.push(typescriptRead(full)), () => py.get(name)!.push(pandasRead(python, reader, full))];
        if (r % 2 === 1) sides.reverse();
        for (const side of sides) side();
      }
    }
    const f = (value: number) => (value >= 1 ? value.toFixed(2) : value.toFixed(3));
    const spread = (values: number[]) => `${f(median(values))} (${f(Math.min(...values))}-${f(Math.max(...values))})`;
    const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
    const lines = [
      `Read shapes: ${repeats} alternating repeats, each read in a fresh process, ${os.cpus().length} CPUs, load average at each repeat ${loads.map((l) => l.toFixed(1)).join(' ')}`,
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
