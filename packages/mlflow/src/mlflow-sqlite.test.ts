import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BudgetOptimizerTrainer } from '@kdap/budget';
import { applyOverrides, budgetOptimizerDefaults, loadBundle, type BudgetOptimizerConfig, type FeatureTable } from '@kdap/core';
import { lightgbmVersion } from '@kdap/lightgbm-node';
import { syntheticMarketingSpend } from '@kdap/preprocessing';
import { MlflowTracker } from './mlflow-tracker';
import { sqliteDatabaseClass } from './sqlite/load-sqlite';
import { MLFLOW_SCHEMA_REVISION } from './sqlite/mlflow-schema';
import { SqliteTrackingStore } from './sqlite/sqlite-store';
import { readRunWithPython } from './testing/read-run';
import { MLFLOW_PACKAGE_VERSION } from './version';

/**
 * The embedded default: what the tracker writes into MLflow's SQLite store (no server) is read
 * back by the pinned MLflow's Python client, the same read-back as against a real server
 * (mlflow-server.test.ts), and two processes logging at once leave a sound database.
 */
let root: string;

const generated = syntheticMarketingSpend({ rows: 1200, seed: 11 });
const cut = Math.floor((1200 * 0.8) / 6) * 6;
const train = generated.table.slice(0, cut);
const validation = generated.table.slice(cut);
const config: BudgetOptimizerConfig = applyOverrides('budget', budgetOptimizerDefaults, {
  hyperparameters: { lightgbm: { n_estimators: 40, learning_rate: 0.1 } },
  training: { early_stopping_rounds: 10, n_jobs: 1 },
  mlflow: { experiment_name: 'kdap-test-budget' },
});

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'kdap-mlflow-sqlite-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function rowsOf(table: FeatureTable, trainer: BudgetOptimizerTrainer): { X: number[][]; predicted: Float64Array } {
  const matrix = trainer.featureSchema.encode(table);
  const X: number[][] = [];
  for (let i = 0; i < matrix.rows; i++) X.push(Array.from(matrix.values.subarray(i * matrix.cols, (i + 1) * matrix.cols)));
  return { X, predicted: trainer.model.predict(matrix) };
}

describe('logging a trained budget model to the embedded SQLite store, opened by the pinned MLflow', () => {
  it('reads back params, metrics with history, tags, status, artifacts and a logged model that mlflow.lightgbm loads and predicts with', async () => {
    const dir = join(root, 'readback');
    mkdirSync(dir);
    const bundleDir = join(dir, 'bundle');
    const store = new SqliteTrackingStore({ trackingUri: `sqlite:///${join(dir, 'mlflow.db')}`, artifactRoot: join(dir, 'mlruns') });
    const trainer = new BudgetOptimizerTrainer({ config, tracker: new MlflowTracker({ client: store, bundleDir }) });
    const result = await trainer.fit(train, { validation });
    const before = Date.now();
    const runId = await trainer.logToMlflow({ runName: 'budget-v1' });
    const { X, predicted } = rowsOf(validation, trainer);
    const back = readRunWithPython(store.trackingUri, runId, X.slice(0, 200));

    expect(back.mlflow_version).toMatch(/^3\./);
    expect(back.tracking_uri).toBe(`sqlite:///${join(dir, 'mlflow.db')}`);
    expect(back.experiment_name).toBe('kdap-test-budget');
    expect(back.info).toMatchObject({ run_id: runId, run_name: 'budget-v1', status: 'FINISHED' });
    expect(back.info.end_time).toBeGreaterThanOrEqual(before);
    expect(back.info.end_time).toBeGreaterThanOrEqual(back.info.start_time);

    const expectedParams = Object.fromEntries(Object.entries(trainer.params).filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v)).map(([k, v]) => [k, String(v)]));
    expect(Object.keys(expectedParams).length).toBeGreaterThan(5);
    expect(back.params).toEqual(expectedParams);

    for (const [name, value] of Object.entries(result.metrics)) expect(back.metrics[name]).toBe(value);
    const curves = Object.entries(result.history);
    expect(curves.length).toBeGreaterThan(0);
    for (const [name, values] of curves) {
      expect(values.length).toBeGreaterThan(5);
      expect(back.history[name]).toEqual(values.map((v, i) => [i + 1, v]));
    }

    expect(back.tags).toMatchObject({
      'mlflow.runName': 'budget-v1',
      'kdap.model': 'budget',
      'kdap.trainer': 'BudgetOptimizerTrainer',
      'kdap.environment': config.environment,
      'kdap.version.kdap-mlflow': MLFLOW_PACKAGE_VERSION,
      'kdap.version.kdap-core': '0.1.0',
      'kdap.version.lightgbm': lightgbmVersion(),
    });
    const head = spawnSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
    expect(back.tags['mlflow.source.git.commit']).toBe(head);

    const paths = back.artifacts.map((a) => a.path);
    expect(paths).toEqual(expect.arrayContaining(['bundle/MLmodel', 'bundle/manifest.json', 'bundle/model.txt', 'bundle/model_lower.txt', 'bundle/model_upper.txt', 'config/config.json', 'training_report.json']));
    // Artifacts live where MLflow puts a local store's: <artifact root>/<experiment>/<run>/artifacts.
    expect(existsSync(join(dir, 'mlruns', back.info.experiment_id, runId, 'artifacts', 'bundle', 'model.txt'))).toBe(true);

    expect(back.model_outputs).toHaveLength(1);
    const [model] = back.logged_models;
    expect(model).toMatchObject({ name: 'budget', model_type: 'budget', source_run_id: runId, status: 'READY', params: expectedParams });
    expect(model!.tags).toMatchObject({ 'kdap.model': 'budget', 'kdap.version.lightgbm': lightgbmVersion() });
    expect(model!.artifacts).toEqual(expect.arrayContaining(['MLmodel', 'manifest.json', 'model.txt']));

    expect(back.booster_class).toBe('lightgbm.basic.Booster');
    expect(back.predictions).toHaveLength(200);
    back.predictions!.forEach((p, i) => expect(p).toBeCloseTo(predicted[i]!, 9));

    expect((await loadBundle(bundleDir, { kind: 'budget' })).manifest.kind).toBe('budget');
    (trainer as { dispose?: () => void }).dispose?.();
  }, 180_000);
});

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
