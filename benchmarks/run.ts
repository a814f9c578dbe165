/**
 * Runs benchmarks: TypeScript vs the Python reference stack (.venv-ref), same data, same run.
 *
 *   npm run bench                 all benchmarks
 *   npm run bench -- lightgbm     one benchmark (extra flags go to it)
 *
 * Prints markdown tables for docs/benchmarks.md. Timings are wall-clock on whatever machine runs
 * them: compare ratios, not absolute numbers.
 */
import os from 'node:os';
import { anomalyBench } from './anomaly.bench';
import { budgetRecommendBench } from './budget-recommend.bench';
import { budgetBench } from './budget.bench';
import { lightgbmBench } from './lightgbm.bench';
import { propensityBench } from './propensity.bench';
import { readBench } from './read.bench';
import { readShapesBench } from './read-shapes.bench';
import { threadsBench } from './threads.bench';
import { tuningBench } from './tuning.bench';
import { xgboostBench } from './xgboost.bench';

const benches: Record<string, (argv: string[]) => Promise<string>> = {
  anomaly: anomalyBench,
  lightgbm: lightgbmBench,
  xgboost: xgboostBench,
  budget: budgetBench,
  'budget-recommend': budgetRecommendBench,
  propensity: propensityBench,
  read: readBench,
  'read-shapes': readShapesBench,
  threads: threadsBench,
  tuning: tuningBench,
};

void (async () => {
  const argv = process.argv.slice(2);
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
