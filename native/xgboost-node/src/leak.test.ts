import path from 'node:path';
import { runTsChild } from '@kdap/test-support';

/**
 * Leak check: 2,000 create/train/predict/dispose cycles (DMatrix.create, Booster.train with an
 * evaluation set, async and sync prediction incl. SHAP, model round trip, feature importance) on
 * tiny data in a fresh process; RSS after a 200-cycle warm-up must grow by less than 30 MB.
 */
test('2,000 create/train/predict/dispose cycles grow RSS by less than 30 MB', () => {
  const r = runTsChild(path.join(__dirname, 'leak.child.ts'), ['2000'], { nodeArgs: ['--expose-gc'], timeoutMs: 300_000 });
  expect({ signal: r.signal, status: r.status, stderr: r.stderr.slice(0, 2000) }).toEqual({ signal: null, status: 0, stderr: '' });
  const result = JSON.parse(r.stdout) as { cycles: number; startMB: number; endMB: number; growthMB: number; live: Record<string, number> };
  console.log(`leak check: ${result.cycles} cycles, RSS ${result.startMB.toFixed(1)} MB -> ${result.endMB.toFixed(1)} MB (+${result.growthMB.toFixed(1)} MB)`);
  expect(result.cycles).toBe(2000);
  expect(result.growthMB).toBeLessThan(30);
  // Every DMatrix and Booster was freed by dispose(), none left to the garbage collector.
  expect(result.live).toEqual({ DMatrix: 0, Booster: 0 });
}, 300_000);
