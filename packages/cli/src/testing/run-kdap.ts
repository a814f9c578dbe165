import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { run } from '../run';

/** A stream that keeps what was written; `isTTY` false like a pipe. */
class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** Runs the `kdap` command in-process in `cwd` with only `env` as its environment; returns the exit code and both outputs. */
export async function kdap(argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await run(argv, { streams: { stdout, stderr, env: { ...env } }, cwd });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/**
 * Writes `<dir>/config` with small budget and propensity models (the packaged defaults train 1,000
 * rounds), for `--config-dir`; returns its path.
 */
export function smallModelConfigDir(dir: string): string {
  const configDir = path.join(dir, 'config');
  mkdirSync(configDir);
  writeFileSync(path.join(configDir, 'budget_optimizer.yaml'), 'hyperparameters:\n  lightgbm:\n    n_estimators: 30\n');
  writeFileSync(path.join(configDir, 'propensity.yaml'), 'hyperparameters:\n  xgboost:\n    n_estimators: 40\n');
  return configDir;
}

/**
 * A temporary working directory for one test file, holding smallModelConfigDir's configs; removed
 * after the file's tests. Call it at the top of the file.
 */
export function cliWorkspace(prefix: string): { dir: string; configDir: string } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return { dir, configDir: smallModelConfigDir(dir) };
}

/**
 * Runs `work` in `dir` with no MLFLOW_TRACKING_URI, so the default tracker's `./mlflow.db` and
 * `./mlruns` land in `dir` (the in-process CLI resolves them against the process's directory);
 * the working directory and the variable are restored afterwards.
 */
export async function inUntrackedDirectory<T>(dir: string, work: () => Promise<T>): Promise<T> {
  const saved = { uri: process.env.MLFLOW_TRACKING_URI, cwd: process.cwd() };
  delete process.env.MLFLOW_TRACKING_URI;
  try {
    process.chdir(dir);
    return await work();
  } finally {
    process.chdir(saved.cwd);
    if (saved.uri !== undefined) process.env.MLFLOW_TRACKING_URI = saved.uri;
  }
}
