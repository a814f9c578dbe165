import { spawn } from 'node:child_process';
import path from 'node:path';
import { ParameterError, networkInit } from './index';

/** Runs one rank in a child process and collects its output. */
function rank(r: number, portA: number, portB: number): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  const root = path.resolve(__dirname, '..', '..', '..');
  const child = spawn(process.execPath, ['--conditions=@kdap/source', '-r', 'ts-node/register/transpile-only', path.join(__dirname, 'network.child.ts'), String(r), String(portA), String(portB)], {
    cwd: root,
    env: { ...process.env, TS_NODE_PROJECT: path.join(root, 'tsconfig.json') },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

test('two processes train one model over LightGBM\'s data-parallel network on loopback', async () => {
  const portA = 20000 + Math.floor(Math.random() * 20000);
  const portB = portA + 1;
  const [a, b] = await Promise.all([rank(0, portA, portB), rank(1, portA, portB)]);
  expect({ code: a.code, signal: a.signal, stderr: a.stderr }).toEqual({ code: 0, signal: null, stderr: '' });
  expect({ code: b.code, signal: b.signal, stderr: b.stderr }).toEqual({ code: 0, signal: null, stderr: '' });
  const ma = JSON.parse(a.stdout) as { model: string; trees: number };
  const mb = JSON.parse(b.stdout) as { model: string; trees: number };
  expect(ma.trees).toBe(15);
  // Both machines end with the same model, learned from both shards.
  const trees = (m: string) => m.slice(m.indexOf('Tree=0'), m.indexOf('end of trees'));
  expect(trees(ma.model)).toEqual(trees(mb.model));
  expect(ma.model).toContain('tree_learner: data');
}, 180_000);

test('networkInit validates its options', () => {
  expect(() => networkInit({ machines: ['localhost'], localListenPort: 1 })).toThrow(ParameterError);
  expect(() => networkInit({ machines: ['127.0.0.1:1'], localListenPort: 0 })).toThrow("The 'localListenPort' option of networkInit must be an integer between 1 and 65535. Got 0.");
});
