/**
 * Runs a TypeScript file of this package in a fresh Node process (workspace sources through
 * ts-node), so a crash or signal in native code fails the calling test instead of killing jest.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

export const packageRoot = path.resolve(__dirname, '..', '..');
export const repoRoot = path.resolve(packageRoot, '..', '..');

export interface ChildResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runTsChild(file: string, args: string[] = [], options: { timeoutMs?: number; nodeArgs?: string[] } = {}): ChildResult {
  const r = spawnSync(
    process.execPath,
    ['--conditions=@kdap/source', '-r', 'ts-node/register/transpile-only', ...(options.nodeArgs ?? []), file, ...args],
    {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: options.timeoutMs ?? 300_000,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, TS_NODE_PROJECT: path.join(packageRoot, 'tsconfig.json') },
    },
  );
  return { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** A one-line account of a child's exit for assertion messages. */
export function describeExit(r: ChildResult): string {
  return `status=${r.status} signal=${r.signal}\n--- stdout\n${r.stdout.slice(-4000)}\n--- stderr\n${r.stderr.slice(-4000)}`;
}
