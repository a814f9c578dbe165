/**
 * The CLI as a user feels it: whole processes from the shell (start-up and imports included), the
 * built `kdap` bin against an equivalent Python script (benchmarks/python/cli_train.py) doing the
 * same steps, in the same run, alternating sides.
 *
 *   kdap train budget|propensity --samples N --output DIR     goal <= 1.0 (the boosting library dominates both)
 *   kdap train anomaly --samples N --output DIR               goal <= 0.6 (our own forests and neighbours)
 *   kdap score --model DIR --data 1M.parquet --output F       goal <= 1.0
 *
 * TypeScript generates its data (`--samples`, as in the issue's command); Python reads the same
 * rows from the CSV `kdap synth` wrote with the same seed, and takes the TypeScript bundle's
 * parameters so both boost the same rounds (reported per row). Needs the built packages
 * (`npm run build:ts`, done by setup).
 *
 *   flock /tmp/kdap-bench.lock npm run bench -- cli [--samples 100000] [--score-rows 1000000] [--reps 3] [--only train|score] [--models budget,propensity,anomaly]
 *
 * `--only score` trains (and reports) the propensity model only, whose bundle it scores with.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pythonScript, referencePython } from '@kdap/test-support';
import { arg, median, ratioRow } from './report';

const KDAP = path.join(__dirname, '..', 'packages', 'cli', 'bin', 'kdap.js');
const SEED = '7';

/** Seconds of one child process, from spawn to exit; its stdout. */
function timed(command: string, args: string[]): { seconds: number; stdout: string } {
  const t0 = performance.now();
  const stdout = execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } });
  return { seconds: (performance.now() - t0) / 1000, stdout };
}

const kdap = (args: string[]) => timed(process.execPath, [KDAP, ...args]);
const python = (args: string[]) => timed(referencePython(), [pythonScript('cli_train.py'), ...args]);
const range = (v: number[]) => `${Math.min(...v).toFixed(2)}-${Math.max(...v).toFixed(2)} s`;

export async function cliBench(argv: string[]): Promise<string> {
  if (!fs.existsSync(path.join(__dirname, '..', 'packages', 'cli', 'dist', 'index.js'))) {
    throw new Error("The cli benchmark runs the built 'kdap' bin: run 'npm run build:ts' (or scripts/setup.sh) first.");
  }
  const samples = arg(argv, '--samples', '100000');
  const scoreRows = arg(argv, '--score-rows', '1000000');
  const reps = Number(arg(argv, '--reps', '3'));
  const only = arg(argv, '--only', '');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-bench-'));
  const lines = [
    `Whole process from the shell, ${reps} alternating repetitions, ${os.availableParallelism()} cores, load ${os.loadavg()[0]!.toFixed(1)} at start:`,
    '',
    '| command | TypeScript (s) | Python (s) | ratio | goal |',
    '|---|---|---|---|---|',
  ];
  const notes: string[] = [];
  try {
    const bundles: Record<string, string> = {};
    const models = arg(argv, '--models', 'budget,propensity,anomaly').split(',');
    for (const kind of only === 'score' ? ['propensity'] : models) {
      const data = path.join(dir, `${kind}.csv`);
      kdap(['synth', kind, '--samples', samples, '--seed', SEED, '--output', data]);
      const extra = kind === 'propensity' ? ['--target', 'converted'] : [];
      const ts: number[] = [];
      const py: number[] = [];
      let like = '';
      for (let rep = 0; rep < reps; rep++) {
        const out = path.join(dir, `ts-${kind}-${rep}`);
        const runTs = () => kdap(['train', kind, '--samples', samples, '--seed', SEED, ...extra, '--output', out, '--json']);
        // Python takes its parameters from a TypeScript bundle (the same seed gives the same one every
        // repetition): after the first repetition, every other one runs Python first, so drift in the
        // machine's load hits both sides alike.
        const pythonFirst = rep % 2 === 1 && bundles[kind] !== undefined;
        const pyRun = () => python([kind, data, bundles[kind]!, path.join(dir, `py-${kind}-${rep}`)]);
        const early = pythonFirst ? pyRun() : undefined;
        const t = runTs();
        const summary = JSON.parse(t.stdout) as { bundle: string; best_iteration: number | null; data: { rows: number } };
        bundles[kind] = summary.bundle;
        const p = early ?? pyRun();
        const pyOut = JSON.parse(p.stdout.trim().split('\n').pop()!) as { best_iteration?: number; boosted_rounds?: number; rows?: number };
        ts.push(t.seconds);
        py.push(p.seconds);
        like =
          kind === 'anomaly'
            ? `${summary.data.rows} / ${pyOut.rows} rows (TypeScript / Python)`
            : kind === 'propensity'
              ? `best iteration ${summary.best_iteration} (TypeScript); Python boosts the same ${pyOut.boosted_rounds} rounds (kept + patience) on a split of the same sizes`
              : `best iteration ${summary.best_iteration} / ${pyOut.best_iteration} (TypeScript / Python)`;
      }
      const goal = kind === 'anomaly' ? '<= 0.6' : '<= 1.0';
      lines.push(`${ratioRow(`kdap train ${kind} --samples ${samples}`, median(ts), median(py), goal)}`);
      notes.push(`- ${kind}: TypeScript ${range(ts)}, Python ${range(py)}; ${like}`);
    }
    if (only !== 'train') {
      const customers = path.join(dir, 'customers.parquet');
      kdap(['synth', 'propensity', '--samples', scoreRows, '--seed', '8', '--output', customers]);
      const ts: number[] = [];
      const py: number[] = [];
      for (let rep = 0; rep < reps; rep++) {
        ts.push(kdap(['score', '--model', bundles.propensity!, '--data', customers, '--output', path.join(dir, `ts-scores-${rep}.parquet`)]).seconds);
        py.push(python(['score', bundles.propensity!, customers, path.join(dir, `py-scores-${rep}.parquet`)]).seconds);
      }
      lines.push(ratioRow(`kdap score propensity, ${Number(scoreRows).toLocaleString('en')} rows Parquet -> Parquet`, median(ts), median(py), '<= 1.0'));
      notes.push(`- score: TypeScript ${range(ts)}, Python ${range(py)}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return [...lines, '', ...notes].join('\n');
}
