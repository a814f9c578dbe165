/**
 * Run by leak.test.ts in a child process (with --expose-gc): create/train/predict/dispose cycles
 * on tiny data through the public API (plus predictions on inputs large enough for the external
 * result buffers and the reused input copies), printing RSS after a warm-up and at the end as JSON.
 */
import { tabularProblem } from '@kdap/test-support';
import { Booster } from './booster';
import { DMatrix } from './dmatrix';
import { liveHandles, setVerbosity } from './library';

const cycles = Number(process.argv[2] ?? 2000);
const warmup = Math.min(200, Math.floor(cycles / 10));
const fx = tabularProblem(64, 4, 5);
// Large enough that a prediction's result (80 KB) is handed to JS as an external buffer, and that
// every 10th cycle's async input copy (4.7 MB) comes from the reused input buffers.
const LARGE_ROWS = 20_000;
const HUGE_ROWS = 300_000;
const huge = new Float32Array(HUGE_ROWS * fx.cols).map((_, i) => fx.x[i % fx.x.length]!);
const large = huge.subarray(0, LARGE_ROWS * fx.cols);
const gc = (globalThis as { gc?: () => void }).gc;
setVerbosity(0);

function rssMB(): number {
  gc?.();
  return process.memoryUsage().rss / 2 ** 20;
}

void (async () => {
  let start = 0;
  let checksum = 0;
  for (let i = 0; i < cycles; i++) {
    if (i === warmup) start = rssMB();
    const dtrain = await DMatrix.create(fx.x, { rows: fx.rows, cols: fx.cols, label: fx.yBinary, featureNames: ['a', 'b', 'c', 'd'] });
    const booster = await Booster.train({ objective: 'binary:logistic', max_depth: 2, nthread: 1 }, dtrain, {
      numBoostRound: 2,
      evals: [[dtrain, 'train']],
      // Every other cycle copies its best-round predictions in the loop, the others read none.
      earlyStoppingRounds: 1,
      keepBestPredictions: i % 2 === 0,
    });
    checksum += booster.bestPredictions?.training[0] ?? 0;
    const p = await booster.predict(fx.x, { rows: fx.rows, cols: fx.cols });
    const s = booster.predictSync(fx.x, { rows: fx.rows, cols: fx.cols, contributions: true });
    const big = await booster.predict(large, { rows: LARGE_ROWS, cols: fx.cols });
    const bigSync = booster.predictSync(large, { rows: LARGE_ROWS, cols: fx.cols });
    if (i % 10 === 0) checksum += (await booster.predict(huge, { rows: HUGE_ROWS, cols: fx.cols }))[HUGE_ROWS - 1]!;
    checksum += big[LARGE_ROWS - 1]! + bigSync[0]!;
    const loaded = Booster.fromBuffer(booster.toBuffer(i % 2 === 0 ? 'json' : 'ubj'));
    checksum += p[0]! + s[0]! + loaded.numBoostedRounds + Object.keys(booster.featureImportance('gain')).length;
    loaded.dispose();
    booster.dispose();
    dtrain.dispose();
  }
  const end = rssMB();
  process.stdout.write(JSON.stringify({ cycles, startMB: start, endMB: end, growthMB: end - start, checksum, live: liveHandles() }));
})().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
