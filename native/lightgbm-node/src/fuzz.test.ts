import path from 'node:path';
import { runTsChild } from '@kdap/test-support';

/**
 * Property-based boundary test: random argument types, shapes and values (NaN/Infinity, negative
 * and huge sizes, detached and short buffers, wrong and disposed handles) at every layer-1
 * function, in a child process so that a crash fails the test instead of the runner.
 */
test('random arguments give typed errors only, never a crash, and nothing on stderr', () => {
  const r = runTsChild(path.join(__dirname, 'fuzz.child.ts'), ['400'], { timeoutMs: 600_000 });
  expect({ signal: r.signal, status: r.status, stderr: r.stderr.slice(0, 2000) }).toEqual({ signal: null, status: 0, stderr: '' });
  const { calls, counts, failingBefore, failingAfter } = JSON.parse(r.stdout) as {
    calls: number;
    counts: Record<string, number>;
    failingBefore: string[];
    failingAfter: string[];
  };
  console.log(`fuzz: ${calls} calls`, counts);
  expect(calls).toBeGreaterThan(20000);
  // The fuzz must reach both validation and the library itself.
  expect(counts.ParameterError).toBeGreaterThan(130);
  expect(counts.ok).toBeGreaterThan(10);
  // Each valid template works before and after its mutated calls (no template starved by a
  // disposed handle).
  expect({ failingBefore, failingAfter }).toEqual({ failingBefore: [], failingAfter: [] });
}, 600_000);
