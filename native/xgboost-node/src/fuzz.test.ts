import path from 'node:path';
import { runTsChild } from '@kdap/test-support';

/**
 * Property-based boundary test: random argument types, shapes and values (NaN/Infinity, negative
 * and huge sizes, detached and short buffers, wrong and disposed handles, truncated and corrupted
 * model bytes) at every layer-1 function and random options at the layer-2 classes, in a child
 * process so that a crash fails the test instead of the runner.
 */
test('random arguments give typed errors only, never a crash, and nothing on stderr', () => {
  const r = runTsChild(path.join(__dirname, 'fuzz.child.ts'), ['300'], { timeoutMs: 600_000 });
  expect({ signal: r.signal, status: r.status, stderr: r.stderr.slice(0, 3000) }).toEqual({ signal: null, status: 0, stderr: '' });
  const { calls, counts } = JSON.parse(r.stdout) as { calls: number; counts: Record<string, number> };
  console.log(`fuzz: ${calls} calls`, counts);
  expect(calls).toBeGreaterThan(45_000);
  // The fuzz reaches argument validation, the model check, layer-2 validation and XGBoost itself.
  // ParameterError: the addon's own argument checks (wrong types, shapes, ranges) and layer 2's.
  expect(counts['ParameterError']).toBeGreaterThan(16_000);
  expect(counts['NativeError']).toBeGreaterThan(100);
  expect(counts['ok']).toBeGreaterThan(1_000);
}, 600_000);
