/**
 * LightGBM: TypeScript (@kdap/lightgbm-node) vs Python (lightgbm, same pinned source build) in the
 * same run, on the same data file: 200,000 x 30 float64, 200 iterations, num_leaves 31, lr 0.05.
 * Sides alternate for `--reps` repetitions; medians are compared.
 *
 *   npm run bench -- lightgbm [--reps 3] [--rows 200000]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Booster, Dataset } from '@kdap/lightgbm-node';
import { runPythonScript, SeededRandom } from '@kdap/test-support';
import { arg, median, ratioRow } from './report';

interface Timings { train_s: number; predict_s: number; row_p50_us: number; row_p99_us: number; checksum: number }

export async function lightgbmBench(argv: string[]): Promise<string> {
  const reps = Number(arg(argv, '--reps', '3'));
  const rows = Number(arg(argv, '--rows', '200000'));
  const cols = 30;
  const rounds = 200;
  const singleRows = 2000;
  const params = { objective: 'regression', num_leaves: 31, learning_rate: 0.05, verbosity: -1, num_threads: os.availableParallelism() };

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lgb-bench-'));
  const r = new SeededRandom(99);
  const X = new Float64Array(rows * cols);
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < cols; j++) {
      const v = r.normal();
      X[i * cols + j] = v;
      if (j < 10) s += Math.sin(v * (j + 1));
    }
    y[i] = s + 0.2 * r.normal();
  }
  fs.writeFileSync(path.join(dir, 'X.f64'), Buffer.from(X.buffer));
  fs.writeFileSync(path.join(dir, 'y.f64'), Buffer.from(y.buffer));
  fs.writeFileSync(path.join(dir, 'params.json'), JSON.stringify(params));

  const ts: Timings[] = [];
  const py: Timings[] = [];
  for (let rep = 0; rep < reps; rep++) {
    let t0 = performance.now();
    const ds = new Dataset(X, { rows, cols, label: y });
    const booster = await Booster.train(params, ds, { numBoostRound: rounds });
    const train = (performance.now() - t0) / 1000;
    ds.dispose();
    t0 = performance.now();
    const pred = await booster.predict(X, { rows, cols });
    const predict = (performance.now() - t0) / 1000;
    const lat: number[] = [];
    for (let i = 0; i < singleRows; i++) {
      const row = X.subarray(i * cols, (i + 1) * cols);
      const t = process.hrtime.bigint();
      booster.predictRow(row);
      lat.push(Number(process.hrtime.bigint() - t) / 1000);
    }
    lat.sort((a, b) => a - b);
    booster.dispose();
    ts.push({ train_s: train, predict_s: predict, row_p50_us: lat[lat.length >> 1]!, row_p99_us: lat[Math.floor(lat.length * 0.99)]!, checksum: pred.reduce((a, b) => a + b, 0) });
    py.push(JSON.parse(runPythonScript('lightgbm_bench.py', [dir, String(rows), String(cols), String(rounds), String(singleRows)], { timeoutMs: 1_800_000 })) as Timings);
  }
  fs.rmSync(dir, { recursive: true, force: true });

  const m = (list: Timings[], k: keyof Timings) => median(list.map((t) => t[k]));
  const lines = [
    `### LightGBM (${rows.toLocaleString('en')} x ${cols} float64, ${rounds} iterations, num_leaves 31, lr 0.05, ${params.num_threads} threads; median of ${reps})`,
    '',
    '| measure | TypeScript | Python | ratio TS/Python | goal |',
    '|---|---|---|---|---|',
    ratioRow('training (s)', m(ts, 'train_s'), m(py, 'train_s'), '<= 1.02'),
    ratioRow('batch prediction, all rows (s)', m(ts, 'predict_s'), m(py, 'predict_s'), '<= 1.0'),
    ratioRow('single row p50 (us)', m(ts, 'row_p50_us'), m(py, 'row_p50_us'), 'p50 <= 10 us, >= 50x faster'),
    ratioRow('single row p99 (us)', m(ts, 'row_p99_us'), m(py, 'row_p99_us'), ''),
    '',
    `Prediction checksums: TS ${m(ts, 'checksum').toFixed(6)}, Python ${m(py, 'checksum').toFixed(6)}.`,
  ];
  return lines.join('\n');
}
