/**
 * Run by dispose-leak.test.ts (with --expose-gc): trains a BudgetOptimizerTrainer on 2,000 rows,
 * refits it, and disposes it (a `using` declaration), many times; reports RSS growth after a
 * warm-up and LightGBM's live native objects before and after.
 */
import { liveHandles } from '@kdap/lightgbm-node';
import { syntheticMarketingSpend } from '@kdap/preprocessing';
import { BudgetOptimizerTrainer } from './trainer';
import { testConfig } from './testing/fixtures';

const cycles = Number(process.argv[2] ?? 200);
const WARMUP = 20;
const gc = (globalThis as { gc?: () => void }).gc!;
const { table } = syntheticMarketingSpend({ rows: 2000, seed: 11 });
const config = testConfig({ hyperparameters: { lightgbm: { n_estimators: 20 } } });

/** Fit, refit, dispose. Returns the live handles while the trainer held its second model. */
async function cycle(): Promise<{ whileFitted: number; replacedDisposed: boolean }> {
  using trainer = new BudgetOptimizerTrainer({ config });
  await trainer.fit(table, { holdOut: false }); // every row trains: no held-out split (and no notice)
  const first = trainer.model;
  await trainer.fit(table, { holdOut: false });
  const live = liveHandles();
  return { whileFitted: live.Booster + live.Dataset + live.FastConfig, replacedDisposed: first.disposed && trainer.model !== first };
}

function rssMB(): number {
  gc();
  return process.memoryUsage().rss / 2 ** 20;
}

void (async () => {
  const before = liveHandles();
  let whileFitted = 0;
  let refitsThatFreed = 0;
  for (let i = 0; i < WARMUP; i++) await cycle();
  const startMB = rssMB();
  for (let i = 0; i < cycles; i++) {
    const c = await cycle();
    whileFitted = Math.max(whileFitted, c.whileFitted);
    if (c.replacedDisposed) refitsThatFreed++;
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
  const endMB = rssMB();
  process.stdout.write(JSON.stringify({ cycles, before, whileFitted, refitsThatFreed, after: liveHandles(), startMB, endMB, growthMB: endMB - startMB }));
})().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
