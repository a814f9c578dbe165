/**
 * LightGBM: TypeScript (@kdap/lightgbm-node) vs Python (lightgbm, same pinned source build) in the
 * same run, on the same data file: 200,000 x 30 float64, 200 iterations, num_leaves 31, lr 0.05.
 * Sides alternate for `--reps` repetitions; medians are compared, with the median and range of the
 * per-repetition ratios. Each repetition trains, then predicts all rows `--predictions` times: the
 * first call follows training at once (the figure of runs before 2026-12-06 21:00), the others show
 * a warm process.
 *
 *   npm run bench -- lightgbm [--reps 3] [--rows 200000] [--predictions 3]
 *   npm run bench -- lightgbm --predict-only [--reps 20] [--predictions 3] [--wait-idle 10] [--max-other 0.1]
 *
 * `--predict-only` trains one model before the pairs (untimed, saved for the Python side to load)
 * and times only batch prediction: per pair, `--predictions` async `predict` and as many
 * `predictSync` calls on the TypeScript side, then a fresh Python process loading the model and
 * calling `booster.predict` as often; each side's figure is its median. Before each pair it waits up
 * to `--wait-idle` s for other processes to go quiet; a pair where other processes used more than
 * `--max-other` CPUs during either side is "disturbed" and reported apart.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Booster, Dataset, type Params } from '@kdap/lightgbm-node';
import { runPythonScript, SeededRandom } from '@kdap/test-support';
import { measure, waitIdle } from './other-cpu';
import { arg, median, ratioRow } from './report';

interface Timings { train_s: number; predict_s: number; predict_all?: number[]; row_p50_us: number; row_p99_us: number; checksum: number }

const COLS = 30;
const ROUNDS = 200;
const SINGLE_ROWS = 2000;

/** Median (range) of per-pair ratios, e.g. "1.004 (0.91-1.12)". */
function pairedRatios(ts: number[], py: number[]): string {
  const r = ts.map((t, i) => t / py[i]!);
  return `${median(r).toFixed(3)} (${Math.min(...r).toFixed(3)}-${Math.max(...r).toFixed(3)})`;
}

export async function lightgbmBench(argv: string[]): Promise<string> {
  const predictOnly = argv.includes('--predict-only');
  const reps = Number(arg(argv, '--reps', predictOnly ? '20' : '3'));
  const rows = Number(arg(argv, '--rows', '200000'));
  const params = { objective: 'regression', num_leaves: 31, learning_rate: 0.05, verbosity: -1, num_threads: os.availableParallelism() };

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lgb-bench-'));
  try {
    const r = new SeededRandom(99);
    const X = new Float64Array(rows * COLS);
    const y = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      let s = 0;
      for (let j = 0; j < COLS; j++) {
        const v = r.normal();
        X[i * COLS + j] = v;
        if (j < 10) s += Math.sin(v * (j + 1));
      }
      y[i] = s + 0.2 * r.normal();
    }
    fs.writeFileSync(path.join(dir, 'X.f64'), Buffer.from(X.buffer));
    fs.writeFileSync(path.join(dir, 'y.f64'), Buffer.from(y.buffer));
    fs.writeFileSync(path.join(dir, 'params.json'), JSON.stringify(params));
    return predictOnly ? await predictPairs(argv, dir, X, y, rows, params, reps) : await fullRuns(argv, dir, X, y, rows, params, reps);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function fullRuns(argv: string[], dir: string, X: Float64Array, y: Float64Array, rows: number, params: Params, reps: number): Promise<string> {
  const predictions = Math.max(1, Number(arg(argv, '--predictions', '3')));
  const ts: Timings[] = [];
  const py: Timings[] = [];
  const load0 = os.loadavg()[0]!;
  for (let rep = 0; rep < reps; rep++) {
    let t0 = performance.now();
    const ds = new Dataset(X, { rows, cols: COLS, label: y });
    const booster = await Booster.train(params, ds, { numBoostRound: ROUNDS });
    const train = (performance.now() - t0) / 1000;
    ds.dispose();
    // The first prediction right after training (the figure of earlier runs), then warm ones.
    const predictAll: number[] = [];
    let pred: Float64Array = new Float64Array(0);
    for (let k = 0; k < predictions; k++) {
      t0 = performance.now();
      pred = await booster.predict(X, { rows, cols: COLS });
      predictAll.push((performance.now() - t0) / 1000);
    }
    const lat: number[] = [];
    for (let i = 0; i < SINGLE_ROWS; i++) {
      const row = X.subarray(i * COLS, (i + 1) * COLS);
      const t = process.hrtime.bigint();
      booster.predictRow(row);
      lat.push(Number(process.hrtime.bigint() - t) / 1000);
    }
    lat.sort((a, b) => a - b);
    booster.dispose();
    ts.push({ train_s: train, predict_s: predictAll[0]!, predict_all: predictAll, row_p50_us: lat[lat.length >> 1]!, row_p99_us: lat[Math.floor(lat.length * 0.99)]!, checksum: pred.reduce((a, b) => a + b, 0) });
    const pyRun = JSON.parse(
      runPythonScript('lightgbm_bench.py', [dir, String(rows), String(COLS), String(ROUNDS), String(SINGLE_ROWS), '--predictions', String(predictions)], { timeoutMs: 1_800_000 }),
    ) as Timings;
    py.push({ ...pyRun, predict_s: pyRun.predict_all![0]! });
  }
  const load1 = os.loadavg()[0]!;

  const m = (list: Timings[], k: keyof Timings) => median(list.map((t) => t[k] as number));
  const per = (k: 'train_s' | 'predict_s') => pairedRatios(ts.map((t) => t[k]), py.map((t) => t[k]));
  /** Median of the calls after the first (the first one follows training at once). */
  const warm = (t: Timings) => median(t.predict_all!.slice(1));
  return [
    `### LightGBM (${rows.toLocaleString('en')} x ${COLS} float64, ${ROUNDS} iterations, num_leaves 31, lr 0.05, ${String(params['num_threads'])} threads; median of ${reps}; load average ${load0.toFixed(2)} -> ${load1.toFixed(2)})`,
    '',
    '| measure | TypeScript | Python | ratio TS/Python | goal |',
    '|---|---|---|---|---|',
    ratioRow('training (s)', m(ts, 'train_s'), m(py, 'train_s'), '<= 1.02'),
    ratioRow('batch prediction, all rows (s), first call after training', m(ts, 'predict_s'), m(py, 'predict_s'), '<= 1.0'),
    ...(predictions > 1 ? [ratioRow(`batch prediction, calls 2-${predictions}: median (s)`, median(ts.map(warm)), median(py.map(warm)), '<= 1.0')] : []),
    ratioRow('single row p50 (us)', m(ts, 'row_p50_us'), m(py, 'row_p50_us'), 'p50 <= 10 us, >= 50x faster'),
    ratioRow('single row p99 (us)', m(ts, 'row_p99_us'), m(py, 'row_p99_us'), ''),
    '',
    `Per-repetition ratios, median (range): training ${per('train_s')}, batch prediction (first call) ${per('predict_s')}${
      predictions > 1 ? `, batch prediction (calls 2-${predictions}) ${pairedRatios(ts.map(warm), py.map(warm))}` : ''
    }.`,
    `Prediction checksums: TS ${m(ts, 'checksum').toFixed(6)}, Python ${m(py, 'checksum').toFixed(6)}.`,
  ].join('\n');
}

interface PredictPair { async: number; sync: number; py: number; other: { ts: number; py: number } }

async function predictPairs(argv: string[], dir: string, X: Float64Array, y: Float64Array, rows: number, params: Params, pairsWanted: number): Promise<string> {
  const predictions = Number(arg(argv, '--predictions', '3'));
  const waitIdleSeconds = Number(arg(argv, '--wait-idle', '10'));
  const maxOther = Number(arg(argv, '--max-other', '0.1'));
  const ds = new Dataset(X, { rows, cols: COLS, label: y });
  const booster = await Booster.train(params, ds, { numBoostRound: ROUNDS });
  ds.dispose();
  const modelFile = path.join(dir, 'model.txt');
  booster.save(modelFile);
  const pairs: PredictPair[] = [];
  let tsPred: Float64Array = new Float64Array(0);
  let pyChecksum = NaN;
  const load0 = os.loadavg()[0]!;
  try {
    for (let p = 0; p < pairsWanted; p++) {
      await waitIdle(waitIdleSeconds, maxOther);
      const asyncTimes: number[] = [];
      const syncTimes: number[] = [];
      let tsOther = 0;
      for (let k = 0; k < predictions; k++) {
        const a = await measure(() => booster.predict(X, { rows, cols: COLS }));
        const s = await measure(() => booster.predictSync(X, { rows, cols: COLS }));
        tsPred = a.value;
        asyncTimes.push(a.seconds);
        syncTimes.push(s.seconds);
        tsOther = Math.max(tsOther, a.other, s.other);
      }
      const py = await measure(() =>
        JSON.parse(runPythonScript('lightgbm_bench.py', [dir, String(rows), String(COLS), String(ROUNDS), '0', '--model', modelFile, '--predictions', String(predictions)])) as Timings,
      );
      pyChecksum = py.value.checksum;
      pairs.push({ async: median(asyncTimes), sync: median(syncTimes), py: py.value.predict_s, other: { ts: tsOther, py: py.other } });
    }
  } finally {
    booster.dispose();
  }
  const load1 = os.loadavg()[0]!;
  const quiet = pairs.filter((p) => p.other.ts <= maxOther && p.other.py <= maxOther);
  const row = (label: string, pick: (p: PredictPair) => number) =>
    `| ${label} | ${median(pairs.map(pick)).toFixed(3)} | ${median(pairs.map((p) => p.py)).toFixed(3)} | ${
      quiet.length > 0 ? pairedRatios(quiet.map(pick), quiet.map((p) => p.py)) : '-'
    } | ${pairedRatios(pairs.map(pick), pairs.map((p) => p.py))} |`;
  const checksum = tsPred.reduce((a, b) => a + b, 0);
  return [
    `### LightGBM batch prediction only (${rows.toLocaleString('en')} x ${COLS} float64, a ${ROUNDS}-iteration model trained once, ${String(params['num_threads'])} threads; ${pairs.length} alternating pairs, ${quiet.length} undisturbed (other processes <= ${maxOther} CPU during both sides), median of ${predictions} calls per side per pair; load average ${load0.toFixed(2)} -> ${load1.toFixed(2)}, ${new Date().toISOString()})`,
    '',
    `| predict ${rows.toLocaleString('en')} rows | TypeScript (s) | Python (s) | TS / Python, undisturbed ${quiet.length}: median (range) | all ${pairs.length}: median (range) |`,
    '|---|---|---|---|---|',
    row('async `predict` (input copied)', (p) => p.async),
    row('`predictSync`', (p) => p.sync),
    '',
    `Per pair (predictSync TS / Python s, other-process CPUs TS/Py): ${pairs.map((p) => `${p.sync.toFixed(3)}/${p.py.toFixed(3)} (${p.other.ts.toFixed(2)}/${p.other.py.toFixed(2)})`).join(', ')}.`,
    `Prediction checksums: TS ${checksum.toFixed(6)}, Python ${pyChecksum.toFixed(6)}.`,
  ].join('\n');
}
