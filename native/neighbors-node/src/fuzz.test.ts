import path from 'node:path';
import { runTsChild } from '@kdap/test-support';

/**
 * Property-based boundary test: random argument types, shapes and values (NaN/Infinity, negative
 * and huge sizes, detached and short buffers, wrong and disposed handles) at every layer-1
 * function and at NeighborIndex, in a child process so that a crash fails the test instead of the runner.
 */
test('random arguments give typed errors only, never a crash, and nothing on stderr', () => {
  const r = runTsChild(path.join(__dirname, 'fuzz.child.ts'), ['300'], { timeoutMs: 600_000 });
  expect({ signal: r.signal, status: r.status, stderr: r.stderr.slice(0, 2000) }).toEqual({ signal: null, status: 0, stderr: '' });
  const { calls, counts, live } = JSON.parse(r.stdout) as { calls: number; counts: Record<string, number>; live: { NeighborIndex: number } };
  console.log(`fuzz: ${calls} calls`, counts);
  expect(calls).toBeGreaterThan(20_000);
  // The fuzz must reach validation on both layers and the search itself.
  expect(counts.ParameterError).toBeGreaterThan(1000);
  expect(counts.DataError).toBeGreaterThan(10);
  expect(counts.DisposedError).toBeGreaterThan(10);
  expect(counts.ok).toBeGreaterThan(100);
  // Every index built during the fuzz was freed (none left to the GC).
  expect(live).toEqual({ NeighborIndex: 0 });
}, 600_000);
