/**
 * Runs benchmarks: TypeScript vs the Python reference stack (.venv-ref), same data, same run.
 *
 *   npm run bench                 all benchmarks
 *   npm run bench -- lightgbm     one benchmark (extra flags go to it)
 *   npm run bench -- --list       the names, each with the file it runs (runs nothing)
 *
 * Prints markdown tables for docs/benchmarks.md. Timings are wall-clock on whatever machine runs
 * them: compare ratios, not absolute numbers.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { anomalyBench } from './anomaly.bench';
import { budgetRecommendBench } from './budget-recommend.bench';
import { budgetBench } from './budget.bench';
import { cliBench } from './cli.bench';
import { lightgbmBench } from './lightgbm.bench';
import { propensityBench } from './propensity.bench';
import { readBench } from './read.bench';
import { readShapesBench } from './read-shapes.bench';
import { serveLoadBench } from './serve-load.bench';
import { threadsBench } from './threads.bench';
import { tuningBench } from './tuning.bench';
import { tuningBudgetBench } from './tuning-budget.bench';
import { xgboostBench } from './xgboost.bench';

const benches: Record<string, (argv: string[]) => Promise<string>> = {
  anomaly: anomalyBench,
  lightgbm: lightgbmBench,
  xgboost: xgboostBench,
  budget: budgetBench,
  'budget-recommend': budgetRecommendBench,
  cli: cliBench,
  propensity: propensityBench,
  read: readBench,
  'read-shapes': readShapesBench,
  'serve-load': serveLoadBench,
  threads: threadsBench,
  tuning: tuningBench,
  'tuning-budget': tuningBudgetBench,
};

/** Each benchmark's module, and the script it starts in a child process where it has one. */
const sources: Record<string, string> = {
  anomaly: 'anomaly.bench.ts',
  lightgbm: 'lightgbm.bench.ts',
  xgboost: 'xgboost.bench.ts -> xgboost.child.ts',
  budget: 'budget.bench.ts',
  'budget-recommend': 'budget-recommend.bench.ts',
  cli: 'cli.bench.ts -> python/cli_train.py',
  propensity: 'propensity.bench.ts',
  read: 'read.bench.ts -> read.child.ts',
  'read-shapes': 'read-shapes.bench.ts',
  'serve-load': 'serve-load.bench.ts -> serve-load.child.ts -> serve-load-rate.child.mjs',
  threads: 'threads.bench.ts',
  tuning: 'tuning.bench.ts',
  'tuning-budget': 'tuning-budget.bench.ts',
};

/** `--list`: every name resolves to a function and its files exist; nothing is measured. */
function list(): void {
  for (const name of Object.keys(benches)) {
    const files = (sources[name] ?? '').split(' -> ');
    const missing = files.filter((file) => file === '' || !fs.existsSync(path.join(__dirname, file)));
    if (typeof benches[name] !== 'function' || missing.length > 0) {
      console.error(`Benchmark '${name}' does not resolve (missing: ${missing.join(', ') || 'its function'}).`);
      process.exitCode = 1;
    }
    console.log(`${name.padEnd(18)} benchmarks/${files.join(' -> benchmarks/')}`);
  }
}

void (async () => {
  const argv = process.argv.slice(2);
  if (argv[0] === '--list' || argv[0] === '--help') {
    console.log('npm run bench [-- <name> [flags]]; names:');
    return list();
  }
  const names = argv[0] && !argv[0].startsWith('--') ? [argv[0]] : Object.keys(benches);
  console.log(`Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores, Node ${process.version}, ${new Date().toISOString()}\n`);
  for (const name of names) {
    const bench = benches[name];
    if (!bench) {
      console.error(`Unknown benchmark '${name}'. Known: ${Object.keys(benches).join(', ')}`);
      process.exit(2);
    }
    console.log(`${await bench(argv)}\n`);
  }
})();
