import path from 'node:path';
import { runTsChild } from '@kdap/test-support';

/**
 * Lifetime through the product API: 200 times train (2,000 rows), refit and dispose a
 * BudgetOptimizerTrainer (after 20 warm-up cycles), in a fresh process with --expose-gc. Every
 * LightGBM object must be freed by dispose() and refit (none left to the garbage collector), and
 * RSS must grow by less than 30 MB.
 */
test('200 train/refit/dispose cycles free every native handle and grow RSS by less than 30 MB', () => {
  const r = runTsChild(path.join(__dirname, 'dispose-leak.child.ts'), ['200'], { nodeArgs: ['--expose-gc'], timeoutMs: 900_000 });
  expect({ signal: r.signal, status: r.status, stderr: r.stderr.slice(0, 2000) }).toEqual({ signal: null, status: 0, stderr: '' });
  const out = JSON.parse(r.stdout) as {
    cycles: number;
    before: Record<string, number>;
    whileFitted: number;
    refitsThatFreed: number;
    after: Record<string, number>;
    startMB: number;
    endMB: number;
    growthMB: number;
  };
  console.log(`dispose leak check: ${out.cycles} cycles, RSS ${out.startMB.toFixed(1)} -> ${out.endMB.toFixed(1)} MB (+${out.growthMB.toFixed(1)} MB), live while fitted ${out.whileFitted}, after`, out.after);
  expect(out.cycles).toBe(200);
  expect(out.before).toEqual({ Dataset: 0, Booster: 0, FastConfig: 0 });
  // While fitted, the trainer holds exactly its current model's three boosters (the replaced
  // model's three were freed by the refit), and the counter sees them.
  expect(out.whileFitted).toBe(3);
  expect(out.refitsThatFreed).toBe(200);
  expect(out.after).toEqual({ Dataset: 0, Booster: 0, FastConfig: 0 });
  expect(out.growthMB).toBeLessThan(30);
}, 900_000);
