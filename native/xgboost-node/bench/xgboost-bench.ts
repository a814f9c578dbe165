/**
 * Benchmark (not a test): XGBoost through @kdap/xgboost-node vs XGBoost's Python package on the
 * same 200,000 x 30 data (written to files both sides read), hist, depth 6, eta 0.05, 200 rounds,
 * measured in the same run. Prints a markdown table of times (best of the repeats) and TS/Python
 * ratios. Run from the repo root:
 *
 *   node --conditions=@kdap/source -r ts-node/register/transpile-only native/xgboost-node/bench/xgboost-bench.ts [--repeat 3] [--nthread N]
 *
 * nthread defaults to the machine's available parallelism; both sides get the same value.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Booster, DMatrix, setVerbosity, xgboostBuildInfo, xgboostVersion } from '@kdap/xgboost-node';
import { maxDifference, readFloat32, referencePython, writeFloat32 } from '../src/testing/python';
import { makeFixture } from '../src/testing/random';

const ROWS = 200_000;
const COLS = 30;
const ROUNDS = 200;

function argValue(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main(): Promise<void> {
  const repeat = argValue('--repeat', 3);
  const nthread = argValue('--nthread', os.availableParallelism());
  const params = { objective: 'binary:logistic', tree_method: 'hist', max_depth: 6, eta: 0.05, nthread, seed: 0 };
  setVerbosity(1);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xgb-bench-'));
  try {
    const fx = makeFixture(ROWS, COLS, 424242);
    writeFloat32(path.join(dir, 'x.f32'), fx.x);
    writeFloat32(path.join(dir, 'y.f32'), fx.yBinary);
    fs.writeFileSync(path.join(dir, 'spec.json'), JSON.stringify({ rows: ROWS, cols: COLS, rounds: ROUNDS, repeat: 1, params }));
    const x = readFloat32(path.join(dir, 'x.f32'));
    const y = readFloat32(path.join(dir, 'y.f32'));

    // TypeScript and Python alternate, one repeat each, so drifting load on a shared machine hits
    // both sides alike; each Python run is a fresh process timing only the steps themselves.
    const ts = { dmatrix: [] as number[], train: [] as number[], predict: [] as number[], predictSync: [] as number[] };
    const py = { xgboost: '', timings: { dmatrix: [] as number[], train: [] as number[], predict: [] as number[] } };
    let tsPred = new Float32Array(0);
    for (let r = 0; r < repeat; r++) {
      let t = performance.now();
      const dtrain = new DMatrix(x, { rows: ROWS, cols: COLS, label: y });
      ts.dmatrix.push((performance.now() - t) / 1000);
      t = performance.now();
      const booster = await Booster.train(params, dtrain, { numBoostRound: ROUNDS });
      ts.train.push((performance.now() - t) / 1000);
      for (let k = 0; k < 3; k++) {
        t = performance.now();
        tsPred = await booster.predict(x, { rows: ROWS, cols: COLS });
        ts.predict.push((performance.now() - t) / 1000);
        t = performance.now();
        booster.predictSync(x, { rows: ROWS, cols: COLS });
        ts.predictSync.push((performance.now() - t) / 1000);
      }
      booster.dispose();
      dtrain.dispose();

      const out = execFileSync(referencePython(), [path.join(__dirname, 'xgboost_bench.py'), dir], { encoding: 'utf8', maxBuffer: 1 << 26 });
      const run = JSON.parse(out) as { xgboost: string; timings: { dmatrix: number[]; train: number[]; predict: number[] } };
      py.xgboost = run.xgboost;
      py.timings.dmatrix.push(...run.timings.dmatrix);
      py.timings.train.push(...run.timings.train);
      py.timings.predict.push(...run.timings.predict);
    }
    const diff = maxDifference(tsPred, readFloat32(path.join(dir, 'py_pred.f32')));

    const best = (v: number[]) => Math.min(...v);
    const row = (step: string, a: number[], b: number[]) =>
      `| ${step} | ${best(a).toFixed(3)} | ${best(b).toFixed(3)} | ${(best(a) / best(b)).toFixed(3)} |`;
    const lines = [
      `XGBoost ${xgboostVersion()} (addon; library built with GCC ${String(xgboostBuildInfo()['GCC_VERSION'] ?? '?')}) vs Python xgboost ${py.xgboost}; ${ROWS.toLocaleString('en-US')} x ${COLS}, hist, depth 6, eta 0.05, ${ROUNDS} rounds, nthread ${nthread}, best of ${repeat} alternating runs (predictions: best of ${3 * repeat}); ${os.cpus().length} CPUs, shared machine.`,
      '',
      '| step | TypeScript (s) | Python (s) | TS / Python |',
      '|---|---|---|---|',
      row(`DMatrix ${ROWS.toLocaleString('en-US')} x ${COLS}`, ts.dmatrix, py.timings.dmatrix),
      row(`train ${ROUNDS} rounds`, ts.train, py.timings.train),
      row(`predict ${ROWS.toLocaleString('en-US')} rows (async, in place)`, ts.predict, py.timings.predict),
      row(`predict ${ROWS.toLocaleString('en-US')} rows (predictSync, in place)`, ts.predictSync, py.timings.predict),
      '',
      `Predictions TS vs Python: max relative difference ${diff.relative.toExponential(2)}, max absolute ${diff.absolute.toExponential(2)}.`,
    ];
    console.log(lines.join('\n'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
