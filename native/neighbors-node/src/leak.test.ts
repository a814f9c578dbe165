import path from 'node:path';
import { runTsChild } from '@kdap/test-support';

test('1,000 build/query/dispose cycles (2,000 x 8 points, ~130 KB native each) grow RSS by less than 20 MB and free every index', () => {
  const r = runTsChild(path.join(__dirname, 'leak.child.ts'), ['1000'], { nodeArgs: ['--expose-gc'], timeoutMs: 600_000 });
  expect({ signal: r.signal, status: r.status, stderr: r.stderr.slice(0, 2000) }).toEqual({ signal: null, status: 0, stderr: '' });
  const out = JSON.parse(r.stdout) as { cycles: number; growthMB: number; live: { NeighborIndex: number } };
  console.log(`leak check: ${out.cycles} cycles, RSS growth ${out.growthMB.toFixed(2)} MB`);
  expect(out.cycles).toBe(1000);
  // Leaking the index alone would add ~130 MB over 1,000 cycles.
  expect(out.growthMB).toBeLessThan(20);
  expect(out.live).toEqual({ NeighborIndex: 0 });
}, 600_000);
