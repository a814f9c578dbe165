import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BudgetOptimizerTrainer } from '@kdap/budget';
import { applyOverrides, budgetOptimizerDefaults, loadBundle, type TrackedRun } from '@kdap/core';
import { expectKdapError } from '@kdap/test-support';
import { syntheticMarketingSpend } from '@kdap/preprocessing';
import { MlflowClient } from './client';
import { defaultTracker } from './default-tracker';
import { MlflowTracker } from './mlflow-tracker';
import { MLFLOW_SCHEMA_REVISION } from './sqlite/mlflow-schema';
import { SqliteTrackingStore } from './sqlite/sqlite-store';
import { freePort } from './testing/mlflow-server';

const quick = { maxAttempts: 2, callTimeoutMs: 2_000, attemptTimeoutMs: 500, initialBackoffMs: 20 };
const config = applyOverrides('budget', budgetOptimizerDefaults, { hyperparameters: { lightgbm: { n_estimators: 15 } }, training: { n_jobs: 1 } });
const data = syntheticMarketingSpend({ rows: 600, seed: 4 });

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'kdap-mlflow-tracker-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('MlflowTracker without a reachable server', () => {
  it('saves the bundle first, logs nothing, and says how to log it later', async () => {
    const port = await freePort();
    const bundleDir = join(root, 'down');
    const trainer = new BudgetOptimizerTrainer({ config, tracker: new MlflowTracker({ trackingUri: `http://127.0.0.1:${port}`, retry: quick, bundleDir }) });
    await trainer.fit(data.table);
    const error = await expectKdapError(() => trainer.logToMlflow({ runName: 'offline' }), 'ERR_KDAP_TRACKING', /^Logging run 'offline' to MLflow at http:\/\/127\.0\.0\.1:\d+ \(experiment 'kdap-ml'\) did not complete: Could not look up experiment 'kdap-ml'/);
    expect(error.message).toContain('connection refused');
    expect(error.message).toContain('Nothing was logged: the run was not created.');
    expect(error.message).toContain(`The trained model is safe: its bundle is saved at ${bundleDir}.`);
    expect(error.message).toContain("To log it later: call logToMlflow({ runName: 'offline' }) again once the server answers");
    expect((await loadBundle(bundleDir, { kind: 'budget' })).manifest.kind).toBe('budget');
  }, 60_000);

  it('refuses a param longer than MLflow stores before sending anything', async () => {
    const tracker = new MlflowTracker({ trackingUri: 'http://127.0.0.1:9', retry: quick });
    const run: TrackedRun = { runName: 'r', experimentName: 'e', params: { huge: 'x'.repeat(6001) }, metrics: {}, history: {}, config: {}, tags: {} };
    await expectKdapError(() => tracker.logRun(run), 'ERR_KDAP_PARAMETER', /MLflow params are at most 6000 characters; 'huge' has 6001\./);
  });

  it('checks its options', () => {
    expectKdapError(() => new MlflowTracker({ trackingUri: 'http://h', bundledir: 'x' } as never), 'ERR_KDAP_PARAMETER', /MlflowTracker has no option 'bundledir'\. Did you mean 'bundleDir'\?/);
    expectKdapError(() => new MlflowTracker({ trackingUri: 'ftp://h' }), 'ERR_KDAP_PARAMETER', /must be an http\(s\) URL/);
  });
});

describe('the default tracker core finds by name', () => {
  it('is the server of MLFLOW_TRACKING_URI or an http(s)/sqlite configuration URI, else MLflow\'s own default ./mlflow.db', () => {
    const saved = process.env.MLFLOW_TRACKING_URI;
    delete process.env.MLFLOW_TRACKING_URI;
    try {
      const local = (defaultTracker({ trackingUri: './mlruns' }) as MlflowTracker).client;
      expect(local).toBeInstanceOf(SqliteTrackingStore);
      expect(local.trackingUri).toBe(`sqlite:///${join(process.cwd(), 'mlflow.db')}`);
      expect((local as SqliteTrackingStore).artifactRoot).toBe(join(process.cwd(), 'mlruns'));
      expect((defaultTracker() as MlflowTracker).client.trackingUri).toBe(`sqlite:///${join(process.cwd(), 'mlflow.db')}`);
      expect((defaultTracker({ trackingUri: 'sqlite:////srv/kdap/mlflow.db' }) as MlflowTracker).client.trackingUri).toBe('sqlite:////srv/kdap/mlflow.db');
      expect((defaultTracker({ trackingUri: 'http://127.0.0.1:5000' }) as MlflowTracker).client).toBeInstanceOf(MlflowClient);
      process.env.MLFLOW_TRACKING_URI = 'https://mlflow.example';
      expect((defaultTracker({ trackingUri: './mlruns' }) as MlflowTracker).client.trackingUri).toBe('https://mlflow.example');
      process.env.MLFLOW_TRACKING_URI = 'sqlite:////srv/other.db';
      expect((defaultTracker({ trackingUri: 'http://127.0.0.1:5000' }) as MlflowTracker).client.trackingUri).toBe('sqlite:////srv/other.db');
    } finally {
      if (saved === undefined) delete process.env.MLFLOW_TRACKING_URI;
      else process.env.MLFLOW_TRACKING_URI = saved;
    }
  });

  it('logs an untracked trainer to ./mlflow.db and ./mlruns of the working directory when nothing is configured', async () => {
    const saved = { uri: process.env.MLFLOW_TRACKING_URI, cwd: process.cwd() };
    delete process.env.MLFLOW_TRACKING_URI;
    const dir = join(root, 'cwd-default');
    mkdirSync(dir);
    const trainer = new BudgetOptimizerTrainer({ config });
    await trainer.fit(data.table);
    try {
      process.chdir(dir);
      const runId = await trainer.logToMlflow({ runName: 'local' });
      const store = new SqliteTrackingStore();
      expect(store.schemaRevision()).toBe(MLFLOW_SCHEMA_REVISION);
      expect(existsSync(join(dir, 'mlruns', '1', runId, 'artifacts', 'bundle', 'MLmodel'))).toBe(true);
    } finally {
      process.chdir(saved.cwd);
      if (saved.uri !== undefined) process.env.MLFLOW_TRACKING_URI = saved.uri;
    }
  }, 60_000);
});

describe("logToMlflow's artifacts option", () => {
  it('logs local files under their artifact paths, byte for byte', async () => {
    const dir = join(root, 'files');
    mkdirSync(dir);
    const html = join(dir, 'report.html');
    writeFileSync(html, '<!doctype html><title>report</title>\n');
    const client = new SqliteTrackingStore({ trackingUri: `sqlite:///${join(dir, 'mlflow.db')}`, artifactRoot: join(dir, 'mlruns') });
    const trainer = new BudgetOptimizerTrainer({ config, tracker: new MlflowTracker({ client }) });
    await trainer.fit(data.table);
    const runId = await trainer.logToMlflow({ runName: 'with-files', artifacts: { 'report.html': html, 'reports/again.html': html } });
    for (const name of ['report.html', 'reports/again.html']) {
      expect(readFileSync(join(dir, 'mlruns', '1', runId, 'artifacts', name), 'utf8')).toBe('<!doctype html><title>report</title>\n');
    }
  }, 60_000);

  it('refuses a missing file or a path outside the run before logging anything', async () => {
    const logged: TrackedRun[] = [];
    const trainer = new BudgetOptimizerTrainer({ config, tracker: { logRun: async (run) => (logged.push(run), 'id') } });
    await trainer.fit(data.table);
    const missing = join(root, 'no-such-report.html');
    await expectKdapError(() => trainer.logToMlflow({ runName: 'r', artifacts: { 'report.html': missing } }), 'ERR_KDAP_DATA', new RegExp(`^The file '${missing}' given for the artifact 'report\\.html' does not exist`));
    await expectKdapError(() => trainer.logToMlflow({ runName: 'r', artifacts: { '../up.html': missing } }), 'ERR_KDAP_PARAMETER', /The artifact path '\.\.\/up\.html' .* must be relative to the run, without '\.\.'/);
    await expectKdapError(() => trainer.logToMlflow({ runName: 'r', artifacts: ['report.html'] as never }), 'ERR_KDAP_PARAMETER', /must map artifact paths to local files.*Got \["report\.html"\]\./);
    expect(logged).toEqual([]);
  });
});
