/**
 * Run by leak.test.ts: create/train(10 iterations, early stopping, best-round predictions every other
 * cycle, from a checkpoint every 4th)/predict/dispose in a loop and report RSS growth
 * after a warm-up (allocator and thread pools settle first).
 */
import { Booster, Dataset, liveHandles } from './index';

const cycles = Number(process.argv[2] ?? 2000);
const COLS = 5;
const ROWS = 200;
const X = new Float64Array(ROWS * COLS).map((_, i) => Math.sin(i * 0.7));
const y = new Float64Array(ROWS).map((_, i) => X[i * COLS]! + (i % 3));
const gc = (globalThis as { gc?: () => void }).gc!;
// Every 20th cycle predicts 4.4 MB of input: its async copy comes from the reused input buffers
// and its 880 KB result is handed to JS as an external buffer.
const BIG_ROWS = 110_000;
const BIG = new Float64Array(BIG_ROWS * COLS).map((_, i) => X[i % X.length]!);
let cyclesRun = 0;

async function cycle(): Promise<void> {
  // Every 4th cycle keeps the matrices, so its best-round predictions come from a checkpoint
  // copy plus the later trees' leaf values.
  const freeRawData = cyclesRun % 4 === 0 ? false : undefined;
  const ds = new Dataset(X, { rows: ROWS, cols: COLS, label: y, freeRawData });
  const valid = new Dataset(X, { rows: ROWS, cols: COLS, label: y, reference: ds, freeRawData });
  // Every other cycle keeps its best-round predictions: copies in the loop, then on the booster.
  const booster = await Booster.train({ objective: 'regression', verbosity: -1, num_threads: 1, min_data_in_leaf: 5 }, ds, {
    numBoostRound: 10,
    validSets: [valid],
    earlyStoppingRounds: 3,
    keepBestPredictions: cyclesRun % 2 === 0,
  });
  if ((booster.bestPredictions?.training.length ?? ROWS) !== ROWS) throw new Error('bestPredictions has the wrong length');
  await booster.predict(X, { rows: ROWS, cols: COLS });
  if (cyclesRun++ % 20 === 0) await booster.predict(BIG, { rows: BIG_ROWS, cols: COLS });
  booster.predictRow(X.subarray(0, COLS));
  booster.toModelString();
  booster.dispose();
  valid.dispose();
  ds.dispose();
}

void (async () => {
  for (let i = 0; i < 200; i++) await cycle();
  gc();
  const before = process.memoryUsage().rss;
  for (let i = 0; i < cycles; i++) await cycle();
  gc();
  await new Promise((r) => setTimeout(r, 100));
  gc();
  const after = process.memoryUsage().rss;
  process.stdout.write(JSON.stringify({ cycles, before, after, growthMB: (after - before) / 2 ** 20, live: liveHandles() }));
})();
