import path from 'node:path';
import { runTsChild } from '@kdap/test-support';

test('2,000 create/train(10 it)/predict/dispose cycles grow RSS by less than 30 MB', () => {
  const r = runTsChild(path.join(__dirname, 'leak.child.ts'), ['2000'], { nodeArgs: ['--expose-gc'], timeoutMs: 600_000 });
  expect({ signal: r.signal, status: r.status, stderr: r.stderr.slice(0, 2000) }).toEqual({ signal: null, status: 0, stderr: '' });
  const out = JSON.parse(r.stdout) as { cycles: number; growthMB: number; live: Record<string, number> };
  console.log(`leak check: ${out.cycles} cycles, RSS growth ${out.growthMB.toFixed(2)} MB`);
  expect(out.cycles).toBe(2000);
  expect(out.growthMB).toBeLessThan(30);
  // Every Dataset, Booster and fast-predict config was freed by dispose(), none left to the GC.
  expect(out.live).toEqual({ Dataset: 0, Booster: 0, FastConfig: 0 });
}, 600_000);
