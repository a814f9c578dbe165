import path from 'node:path';
import { runTsChild } from '@kdap/test-support';

test('works inside worker_threads, with concurrent predictions from several workers', () => {
  const r = runTsChild(path.join(__dirname, 'worker.child.ts'), [], { timeoutMs: 300_000 });
  expect({ signal: r.signal, status: r.status, stderr: r.stderr.slice(0, 2000) }).toEqual({ signal: null, status: 0, stderr: '' });
  const out = JSON.parse(r.stdout) as { workers: number; iterations: number[]; logLines: number[] };
  expect(out.workers).toBe(4);
  expect(out.iterations).toEqual([5, 5, 5, 5]);
  // Each worker's logger received its own training's lines.
  expect(out.logLines.every((n) => n > 0)).toBe(true);
}, 300_000);

test('worker threads terminated mid-training do not crash the process', () => {
  const r = runTsChild(path.join(__dirname, 'worker.child.ts'), ['terminate'], { timeoutMs: 300_000 });
  expect({ signal: r.signal, status: r.status, stderr: r.stderr.slice(0, 2000) }).toEqual({ signal: null, status: 0, stderr: '' });
  expect(JSON.parse(r.stdout)).toEqual({ terminated: 9 });
}, 300_000);
