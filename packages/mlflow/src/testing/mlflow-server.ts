import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@kdap/test-support';
import { mlflowPython } from './mlflow-python';

/** A real `mlflow server` on loopback for one test file; `stop()` ends it and the processes it spawned. */
export interface MlflowTestServer {
  uri: string;
  port: number;
  /** Ends the server (SIGTERM, then SIGKILL after 5 s). */
  stop(): Promise<void>;
  /** Kills the server at once (SIGKILL), as a crash would. */
  kill(): void;
  /** What the server printed, for failure messages. */
  log(): string;
}

/** Re-exported for the MLflow tests that import it from here. */
export { freePort };

/**
 * Starts `mlflow server` with a SQLite backend (`dir`/mlflow.db) and served artifacts
 * (`dir`/artifacts) on a free loopback port and waits until /health answers.
 */
export async function startMlflowServer(dir: string, timeoutMs = 170_000): Promise<MlflowTestServer> {
  mkdirSync(join(dir, 'artifacts'), { recursive: true });
  const port = await freePort();
  const args = ['-m', 'mlflow', 'server', '--host', '127.0.0.1', '--port', String(port), '--workers', '1',
    '--backend-store-uri', `sqlite:///${join(dir, 'mlflow.db')}`, '--serve-artifacts', '--artifacts-destination', join(dir, 'artifacts')];
  // Its own process group, so stopping it also stops the worker it forks; no job consumers (tests need none).
  const child = spawn(mlflowPython(), args, {
    cwd: dir,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false', PYTHONUNBUFFERED: '1' },
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const uri = `http://127.0.0.1:${port}`;
  const server: MlflowTestServer = { uri, port, stop: () => stopGroup(child), kill: () => signalGroup(child, 'SIGKILL'), log: () => output };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`mlflow server exited with ${child.exitCode} before answering:\n${output}`);
    try {
      const health = await fetch(`${uri}/health`, { signal: AbortSignal.timeout(2000) });
      if (health.ok) return server;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  await server.stop();
  throw new Error(`mlflow server did not answer /health within ${timeoutMs / 1000} s:\n${output}`);
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}

async function stopGroup(child: ChildProcess): Promise<void> {
  signalGroup(child, 'SIGTERM');
  const exited = new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
  const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
  // The uvicorn worker may outlive its parent by a moment; make sure nothing of the group stays.
  signalGroup(child, 'SIGKILL');
}
