import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sampleBundle } from '../testing/sample-bundle';
import { previousPath } from './bundle-paths';
import { loadBundle } from './load-bundle';
import { saveBundle } from './save-bundle';

/**
 * A save killed at any point leaves a loadable bundle: the old one until the new one is complete.
 * Each case runs saveBundle in a child process and SIGKILLs it (no cleanup code runs).
 */
const child = resolve(__dirname, '../testing/save-bundle.child.ts');
let root: string;
let dir: string;

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'kdap-crash-'));
  dir = join(root, 'budget-model');
  await saveBundle(dir, sampleBundle('old', 1));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function runChild(mode: string, onLine?: (line: string, kill: () => void) => void): Promise<{ signal: NodeJS.Signals | null; code: number | null; output: string }> {
  return new Promise((done, fail) => {
    const proc = spawn(process.execPath, ['--conditions=@kdap/source', '-r', 'ts-node/register/transpile-only', child, dir, mode], {
      cwd: resolve(__dirname, '../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    proc.stdout.on('data', (d: Buffer) => {
      output += d.toString();
      for (const line of d.toString().split('\n').filter(Boolean)) onLine?.(line, () => proc.kill('SIGKILL'));
    });
    proc.stderr.on('data', (d: Buffer) => (output += d.toString()));
    proc.on('error', fail);
    proc.on('exit', (code, signal) => done({ code, signal, output }));
  });
}

async function loadedLabel(): Promise<string> {
  const bundle = await loadBundle(dir, { kind: 'budget' });
  return bundle.modelFiles['model.txt']!.toString('utf8');
}

it('killed while writing a large model file: the old bundle still loads and the next save succeeds', async () => {
  let partial = 0;
  const result = await runChild('stream', (line, kill) => {
    if (line !== 'writing') return;
    const temp = readdirSync(root).find((n) => n.startsWith('.budget-model.tmp-'));
    partial = temp ? statSync(join(root, temp, 'model.txt')).size : -1;
    kill();
  });
  expect(result.signal).toBe('SIGKILL');
  expect(partial).toBeGreaterThan(0); // the kill really landed mid-write of the new model file
  expect(await loadedLabel()).toBe('tree for old\n');
  expect((await loadBundle(dir, { kind: 'budget' })).metrics.rmse).toBe(1);

  await saveBundle(dir, sampleBundle('newer', 3));
  expect(await loadedLabel()).toBe('tree for newer\n');
  // The killed save's temporary copy is gone too (its process no longer exists).
  expect(readdirSync(root).sort()).toEqual(['budget-model']);
});

it.each([
  ['temp-written', 'tree for old\n'],
  ['old-moved-aside', 'tree for old\n'],
  ['new-moved-in', 'tree for new\n'],
] as const)('killed at %s: a complete bundle loads (%j)', async (stage, expected) => {
  const result = await runChild(`stage:${stage}`);
  expect(result.signal).toBe('SIGKILL');
  expect(result.output).not.toContain('finished');
  expect(await loadedLabel()).toBe(expected);

  // The next save repairs whatever the crash left (old bundle aside, stale previous copy).
  await saveBundle(dir, sampleBundle('after', 4));
  expect(await loadedLabel()).toBe('tree for after\n');
  expect(existsSync(previousPath(dir))).toBe(false);
  expect(readdirSync(root).sort()).toEqual(['budget-model']);
});
