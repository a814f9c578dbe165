/**
 * Runs a TypeScript file in a fresh Node process (workspace sources, ts-node), so a crash in native
 * code fails the test with the signal instead of killing the test runner.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './repo-root';

export interface ChildResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runTsChild(file: string, args: string[] = [], options: { timeoutMs?: number; nodeArgs?: string[]; env?: NodeJS.ProcessEnv } = {}): ChildResult {
  const root = repoRoot();
  const r = spawnSync(process.execPath, ['--conditions=@kdap/source', '-r', 'ts-node/register/transpile-only', ...(options.nodeArgs ?? []), file, ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 300_000,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, TS_NODE_PROJECT: join(root, 'tsconfig.json'), ...options.env },
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** A one-line account of a child's exit for assertion messages. */
export function describeExit(r: ChildResult): string {
  return `status=${r.status} signal=${r.signal}\n--- stdout\n${r.stdout.slice(-4000)}\n--- stderr\n${r.stderr.slice(-4000)}`;
}
