/**
 * Run by leak.test.ts in a child process (with --expose-gc): create/train/predict/dispose cycles
 * on tiny data through the public API, printing RSS after a warm-up and at the end as JSON.
 */
import { tabularProblem } from '@kdap/test-support';
import { Booster } from './booster';
import { DMatrix } from './dmatrix';
import { liveHandles, setVerbosity } from './library';

const cycles = Number(process.argv[2] ?? 2000);
const warmup = Math.min(200, Math.floor(cycles / 10));
const fx = tabularProblem(64, 4, 5);
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
    });
    const p = await booster.predict(fx.x, { rows: fx.rows, cols: fx.cols });
    const s = booster.predictSync(fx.x, { rows: fx.rows, cols: fx.cols, contributions: true });
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
