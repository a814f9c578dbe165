import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sqliteDatabaseClass } from './sqlite/load-sqlite';
import { MLFLOW_SCHEMA_REVISION } from './sqlite/mlflow-schema';
import { readRunWithPython } from './testing/read-run';

/**
 * The embedded default (MLflow's SQLite store, no server): two processes logging at once leave a
 * sound database that MLflow reads. The read-back of a trained model from this store runs with the
 * server's in mlflow-server.test.ts, one test over both backends.
 */
let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'kdap-mlflow-sqlite-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs testing/log-run.child.ts in `cwd` with MLFLOW_TRACKING_URI unset: the default tracker, as a user's script gets it. */
function logInChild(cwd: string, runName: string, steps: number, transactions: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, TS_NODE_PROJECT: resolve(__dirname, '../tsconfig.json'), TS_NODE_TRANSPILE_ONLY: 'true' };
  delete env.MLFLOW_TRACKING_URI;
  delete env.MLFLOW_EXPERIMENT_NAME;
  const child = spawn(process.execPath, ['--conditions=@kdap/source', '-r', require.resolve('ts-node/register/transpile-only'), resolve(__dirname, 'testing/log-run.child.ts'), runName, String(steps), '3', String(transactions)], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('exit', (code) => done({ code, stdout, stderr }));
  });
}

describe('the default without MLFLOW_TRACKING_URI, from two processes at once', () => {
  it('both log to ./mlflow.db and ./mlruns of the working directory, where MLflow looks by default, and nothing is lost or corrupted', async () => {
    const dir = join(root, 'concurrent');
    mkdirSync(dir);
    const steps = 3000;
    const transactions = 150;
    // Both create the database and the experiment at the same moment, then interleave their writes.
    const [a, b] = await Promise.all([logInChild(dir, 'child-a', steps, transactions), logInChild(dir, 'child-b', steps, transactions)]);
    expect({ code: a.code, stderr: a.stderr }).toEqual({ code: 0, stderr: '' });
    expect({ code: b.code, stderr: b.stderr }).toEqual({ code: 0, stderr: '' });
    const ids = [a, b].map((r) => JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { runId: string; stressRunId: string });

    const db = new (sqliteDatabaseClass())(join(dir, 'mlflow.db'), { fileMustExist: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.prepare('SELECT version_num FROM alembic_version').all()).toEqual([{ version_num: MLFLOW_SCHEMA_REVISION }]);
      expect(db.prepare('SELECT name FROM experiments ORDER BY experiment_id').all()).toEqual([{ name: 'Default' }, { name: 'kdap-concurrent' }]);
      // Each stress run: `transactions` separate log-batch transactions of 10 metrics, a param and a tag each.
      // The two writers really overlapped in time (else this test would prove nothing).
      const spans = ids.map(({ stressRunId }) => db.prepare('SELECT start_time AS start, end_time AS "end" FROM runs WHERE run_uuid = ?').get(stressRunId) as { start: number; end: number });
      expect(spans[0]!.start < spans[1]!.end && spans[1]!.start < spans[0]!.end).toBe(true);
      for (const { stressRunId } of ids) {
        expect(db.prepare('SELECT count(*) AS n FROM metrics WHERE run_uuid = ?').get(stressRunId)).toEqual({ n: transactions * 10 });
        expect(db.prepare('SELECT count(*) AS n FROM params WHERE run_uuid = ?').get(stressRunId)).toEqual({ n: transactions });
        expect(db.prepare('SELECT count(*) AS n FROM latest_metrics WHERE run_uuid = ?').get(stressRunId)).toEqual({ n: 10 });
      }
    } finally {
      db.close();
    }

    // MLflow itself, started in that directory without a tracking URI, finds both runs whole.
    for (const [i, { runId }] of ids.entries()) {
      const name = i === 0 ? 'child-a' : 'child-b';
      const back = readRunWithPython(undefined, runId, undefined, undefined, dir);
      expect(back.tracking_uri).toBe(`sqlite:///${join(dir, 'mlflow.db')}`);
      expect(back.experiment_name).toBe('kdap-concurrent');
      expect(back.info).toMatchObject({ run_name: name, status: 'FINISHED' });
      expect(back.params).toEqual({ num_leaves: '31', learning_rate: '0.05', run: name });
      expect(back.history.train_rmse).toHaveLength(steps);
      expect(back.history.valid_rmse!.at(-1)).toEqual([steps, 0.5 + 1 / steps]);
      expect(back.tags['kdap.child']).toBe(name);
      expect(back.artifacts.map((x) => x.path)).toEqual(['bundle/MLmodel', 'bundle/part-0.txt', 'bundle/part-1.txt', 'bundle/part-2.txt', 'config/config.json']);
      expect(back.logged_models).toEqual([expect.objectContaining({ status: 'READY', source_run_id: runId, artifacts: ['MLmodel', 'part-0.txt', 'part-1.txt', 'part-2.txt'] })]);
      expect(existsSync(join(dir, 'mlruns', back.info.experiment_id, runId, 'artifacts', 'config', 'config.json'))).toBe(true);
    }
  }, 240_000);
});
