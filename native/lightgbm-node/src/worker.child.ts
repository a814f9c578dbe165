/**
 * Run by worker.test.ts in a child process. Main mode: trains a model, starts 4 worker threads
 * that each load it and predict concurrently (batch async, sync and single-row), and checks every
 * worker got exactly the main thread's predictions. Worker mode: the loop inside a Worker.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Booster, Dataset, setLogger } from './index';

const COLS = 5;
function data(rows: number): { X: Float64Array; y: Float64Array } {
  const X = new Float64Array(rows * COLS).map((_, i) => Math.sin(i * 0.37) * 3 + Math.cos(i * 0.011));
  const y = new Float64Array(rows).map((_, i) => X[i * COLS]! * 2 - X[i * COLS + 1]! + Math.sin(X[i * COLS + 2]!));
  return { X, y };
}

/** Trains in a loop until terminated (the parent terminates it mid-training). */
async function trainForever(): Promise<void> {
  const small = data(5000);
  parentPort!.postMessage('started');
  for (;;) {
    using ds = new Dataset(small.X, { rows: 5000, cols: COLS, label: small.y });
    using b = await Booster.train({ objective: 'regression', verbosity: -1, num_threads: 1 }, ds, { numBoostRound: 50 });
    await b.predict(small.X, { rows: 5000, cols: COLS });
  }
}

/** Terminates workers while they train and predict: the process must survive and exit cleanly. */
async function terminateMidTraining(): Promise<void> {
  for (let round = 0; round < 3; round++) {
    const workers = Array.from({ length: 3 }, () => new Worker(__filename, { workerData: { mode: 'forever' } }));
    await Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve))));
    await new Promise((r) => setTimeout(r, 150 + 100 * round));
    await Promise.all(workers.map((w) => w.terminate()));
  }
  process.stdout.write(JSON.stringify({ terminated: 9 }));
}

async function inWorker(): Promise<void> {
  if ((workerData as { mode?: string }).mode === 'forever') return trainForever();
  const { model, X, rows, rounds } = workerData as { model: string; X: Float64Array; rows: number; rounds: number };
  // A logger per environment: LightGBM lines reach this thread's JS.
  const lines: string[] = [];
  setLogger((l) => lines.push(l));
  using booster = Booster.fromModelString(model);
  const results: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const [a, b] = await Promise.all([booster.predict(X, { rows, cols: COLS }), booster.predict(X, { rows, cols: COLS })]);
    const s = booster.predictSync(X, { rows, cols: COLS });
    for (let i = 0; i < rows; i++) if (a[i] !== s[i] || b[i] !== s[i]) throw new Error('concurrent predictions disagree');
    const one = booster.predictRow(X.subarray(0, COLS));
    if (one !== s[0]) throw new Error('predictRow disagrees');
    if (r === rounds - 1) results.push(...s);
  }
  // Training inside a worker works too.
  const small = data(300);
  using ds = new Dataset(small.X, { rows: 300, cols: COLS, label: small.y });
  using trained = await Booster.train({ objective: 'regression', verbosity: 1, num_threads: 1 }, ds, { numBoostRound: 5 });
  await new Promise((r) => setTimeout(r, 20));
  parentPort!.postMessage({ predictions: results, iterations: trained.currentIteration(), logLines: lines.length });
}

async function main(): Promise<void> {
  const { X, y } = data(2000);
  using ds = new Dataset(X, { rows: 2000, cols: COLS, label: y });
  using booster = await Booster.train({ objective: 'regression', verbosity: -1 }, ds, { numBoostRound: 40 });
  const expected = booster.predictSync(X, { rows: 2000, cols: COLS });
  const model = booster.toModelString();
  const workers = Array.from({ length: 4 }, () => new Worker(__filename, {
    workerData: { model, X, rows: 2000, rounds: 15 },
  }));
  const outs = await Promise.all(workers.map((w) => new Promise<{ predictions: number[]; iterations: number; logLines: number }>((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
    w.once('exit', (code) => code !== 0 && reject(new Error(`worker exited with ${code}`)));
  })));
  for (const o of outs) {
    if (o.predictions.length !== expected.length || o.predictions.some((v, i) => v !== expected[i])) throw new Error('worker predictions differ from the main thread');
  }
  await Promise.all(workers.map((w) => w.terminate()));
  process.stdout.write(JSON.stringify({ workers: outs.length, iterations: outs.map((o) => o.iterations), logLines: outs.map((o) => o.logLines) }));
}

(isMainThread ? (process.argv[2] === 'terminate' ? terminateMidTraining() : main()) : inWorker()).catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
