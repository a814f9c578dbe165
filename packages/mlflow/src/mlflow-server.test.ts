import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BudgetOptimizerTrainer } from '@kdap/budget';
import { applyOverrides, budgetOptimizerDefaults, loadBundle, type BudgetOptimizerConfig, type FeatureTable } from '@kdap/core';
import { AbortError, TrackingError } from '@kdap/errors';
import { lightgbmVersion } from '@kdap/lightgbm-node';
import { syntheticCustomers, syntheticMarketingSpend } from '@kdap/preprocessing';
import { PropensityTrainer, xgboostFeatureTypes } from '@kdap/propensity';
import { MlflowClient } from './client';
import { MlflowTracker } from './mlflow-tracker';
import { SqliteTrackingStore } from './sqlite/sqlite-store';
import { MLFLOW_PACKAGE_VERSION } from './version';
import { FaultProxy } from './testing/fault-proxy';
import { startMlflowServer, type MlflowTestServer } from './testing/mlflow-server';
import { readRunWithPython, type RunReadBack } from './testing/read-run';

/**
 * Against a real `mlflow server` (the pinned MLflow 3, SQLite backend, served artifacts) started
 * here on a free loopback port: what the tracker logs is read back with MLflow's Python client,
 * and the logged model is loaded with mlflow.lightgbm. The fault tests put a small proxy in front
 * of the same server. One server for the whole file: it takes most of a minute to start here.
 */
let root: string;
let server: MlflowTestServer;

const generated = syntheticMarketingSpend({ rows: 1200, seed: 11 });
const cut = Math.floor((1200 * 0.8) / 6) * 6;
const train = generated.table.slice(0, cut);
const validation = generated.table.slice(cut);
const config: BudgetOptimizerConfig = applyOverrides('budget', budgetOptimizerDefaults, {
  hyperparameters: { lightgbm: { n_estimators: 40, learning_rate: 0.1 } },
  training: { early_stopping_rounds: 10, n_jobs: 1 },
  mlflow: { experiment_name: 'kdap-test-budget' },
});

/** A fitted trainer is shared by the tests that only need something to log. */
let fitted: BudgetOptimizerTrainer;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'kdap-mlflow-server-'));
  server = await startMlflowServer(join(root, 'server'));
  fitted = new BudgetOptimizerTrainer({ config });
  await fitted.fit(train, { validation });
}, 240_000);

afterAll(async () => {
  await server?.stop();
  dispose(fitted);
  rmSync(root, { recursive: true, force: true });
});

function rowsOf(table: FeatureTable, trainer: BudgetOptimizerTrainer): { X: number[][]; predicted: Float64Array } {
  const matrix = trainer.featureSchema.encode(table);
  const X: number[][] = [];
  for (let i = 0; i < matrix.rows; i++) X.push(Array.from(matrix.values.subarray(i * matrix.cols, (i + 1) * matrix.cols), (v) => (Number.isNaN(v) ? Number.NaN : v)));
  return { X, predicted: trainer.model.predict(matrix) };
}

/** The trainer's bundle is intact when loadBundle verifies every checksum. */
async function expectIntactBundle(dir: string): Promise<void> {
  const bundle = await loadBundle(dir, { kind: 'budget' });
  expect(bundle.manifest.kind).toBe('budget');
}

/**
 * Where a run goes: a tracking server, or MLflow's SQLite store written directly (the embedded
 * default, no server). MLflow's Python client must read back the same run from both.
 */
interface ReadBackCase {
  tracker(bundleDir: string): MlflowTracker;
  readonly trackingUri: string;
  /** What is particular to this backend about where the run landed. */
  checkWhere(back: RunReadBack, runId: string): void;
}

const readBackCases: Record<string, (dir: string) => ReadBackCase> = {
  'a real MLflow 3 server': () => ({
    tracker: (bundleDir) => new MlflowTracker({ trackingUri: server.uri, bundleDir }),
    trackingUri: server.uri,
    checkWhere: () => undefined,
  }),
  'the embedded SQLite store, opened by the pinned MLflow': (dir) => {
    const store = new SqliteTrackingStore({ trackingUri: `sqlite:///${join(dir, 'mlflow.db')}`, artifactRoot: join(dir, 'mlruns') });
    return {
      tracker: (bundleDir) => new MlflowTracker({ client: store, bundleDir }),
      trackingUri: store.trackingUri,
      checkWhere: (back, runId) => {
        expect(back.tracking_uri).toBe(`sqlite:///${join(dir, 'mlflow.db')}`);
        // Artifacts live where MLflow puts a local store's: <artifact root>/<experiment>/<run>/artifacts.
        expect(existsSync(join(dir, 'mlruns', back.info.experiment_id, runId, 'artifacts', 'bundle', 'model.txt'))).toBe(true);
      },
    };
  },
};

describe.each(Object.keys(readBackCases))('logging a trained budget model to %s', (where) => {
  it('reads back params, metrics with history, tags, status, artifacts and a logged model that mlflow.lightgbm loads and predicts with', async () => {
    const dir = mkdtempSync(join(root, 'readback-'));
    const bundleDir = join(dir, 'bundle');
    const backend = readBackCases[where]!(dir);
    const trainer = new BudgetOptimizerTrainer({ config, tracker: backend.tracker(bundleDir) });
    const result = await trainer.fit(train, { validation });
    const before = Date.now();
    const runId = await trainer.logToMlflow({ runName: 'budget-v1' });
    const { X, predicted } = rowsOf(validation, trainer);
    const back = readRunWithPython(backend.trackingUri, runId, X.slice(0, 200));

    expect(back.mlflow_version).toMatch(/^3\./);
    backend.checkWhere(back, runId);
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

    expect(back.model_outputs).toHaveLength(1);
    const [model] = back.logged_models;
    expect(model).toMatchObject({ name: 'budget', model_type: 'budget', source_run_id: runId, status: 'READY', params: expectedParams });
    expect(model!.tags).toMatchObject({ 'kdap.model': 'budget', 'kdap.version.lightgbm': lightgbmVersion() });
    expect(model!.artifacts).toEqual(expect.arrayContaining(['MLmodel', 'manifest.json', 'model.txt']));

    expect(back.booster_class).toBe('lightgbm.basic.Booster');
    expect(back.predictions).toHaveLength(200);
    back.predictions!.forEach((p, i) => expect(p).toBeCloseTo(predicted[i]!, 9));

    // The local copy stays where the user asked for it, whole.
    await expectIntactBundle(bundleDir);
    dispose(trainer);
  }, 180_000);
});

describe('logging to a real MLflow 3 server', () => {
  it('logs the propensity model; mlflow.xgboost loads its booster and predicts as the TS booster', async () => {
    const { table } = syntheticCustomers({ samples: 1500, seed: 5 });
    const bundleDir = join(root, 'bundle-propensity');
    const trainer = new PropensityTrainer({ params: { n_estimators: 30, max_depth: 3 }, tracker: new MlflowTracker({ trackingUri: server.uri, bundleDir }) });
    const result = await trainer.fit(table, { target: 'converted' });
    const runId = await trainer.logToMlflow({ runName: 'propensity-v1' });
    const matrix = trainer.featureSchema.encode(table.slice(0, 200));
    const X: number[][] = [];
    for (let i = 0; i < matrix.rows; i++) X.push(Array.from(matrix.values.subarray(i * matrix.cols, (i + 1) * matrix.cols)));
    const raw = trainer.model.rawScores(matrix);
    const back = readRunWithPython(server.uri, runId, X, { flavor: 'xgboost', featureNames: matrix.featureNames, featureTypes: xgboostFeatureTypes(trainer.featureSchema) });
    expect(back.info.status).toBe('FINISHED');
    for (const [name, value] of Object.entries(result.metrics)) expect(back.metrics[name]).toBe(value);
    expect(back.tags['kdap.model']).toBe('propensity');
    expect(back.logged_models[0]).toMatchObject({ name: 'propensity', model_type: 'propensity', source_run_id: runId, status: 'READY' });
    expect(back.booster_class).toBe('xgboost.core.Booster');
    expect(back.predictions).toHaveLength(200);
    // XGBoost predicts in float32 on both sides.
    back.predictions!.forEach((p, i) => expect(p).toBeCloseTo(raw[i]!, 6));
    (trainer as { dispose?: () => void }).dispose?.();
  }, 180_000);

  it('logs through the default tracker when MLFLOW_TRACKING_URI is set and no tracker was injected', async () => {
    process.env.MLFLOW_TRACKING_URI = server.uri;
    process.env.MLFLOW_EXPERIMENT_NAME = 'kdap-test-default';
    try {
      const runId = await fitted.logToMlflow({ runName: 'budget-default' });
      const back = readRunWithPython(server.uri, runId);
      expect(back.experiment_name).toBe('kdap-test-default');
      expect(back.info.status).toBe('FINISHED');
      expect(back.logged_models).toHaveLength(1);
    } finally {
      delete process.env.MLFLOW_TRACKING_URI;
      delete process.env.MLFLOW_EXPERIMENT_NAME;
    }
  }, 120_000);

  it('splits large batches to the server limits (1,000 metrics, 100 params, 100 tags, 1 MB) and loses nothing', async () => {
    const client = new MlflowClient({ trackingUri: server.uri });
    const experimentId = await client.getOrCreateExperiment('kdap-test-batches');
    expect(await client.getOrCreateExperiment('kdap-test-batches')).toBe(experimentId);
    const run = await client.createRun({ experimentId, runName: 'batches' });
    const params = Array.from({ length: 250 }, (_, i) => ({ key: `p${i}`, value: `${i}-${'x'.repeat(4000)}` }));
    const tags = Array.from({ length: 130 }, (_, i) => ({ key: `t${i}`, value: `${i}-${'y'.repeat(7000)}` }));
    const metrics = Array.from({ length: 2345 }, (_, i) => ({ key: i % 2 ? 'curve_b' : 'curve_a', value: i * 0.5, timestamp: 1_700_000_000_000 + i, step: i >> 1 }));
    const requests = await client.logBatch(run.run_id, { params, tags, metrics });
    // 250 params x 4 KB + 130 tags x 7 KB is ~1.9 MB: the byte limit splits more than the counts would.
    expect(requests).toBeGreaterThanOrEqual(5);
    await client.updateRun(run.run_id, 'FINISHED');
    const back = readRunWithPython(server.uri, run.run_id);
    expect(Object.keys(back.params)).toHaveLength(250);
    expect(back.params.p249).toBe(params[249]!.value);
    expect(Object.keys(back.tags).filter((k) => /^t\d+$/.test(k))).toHaveLength(130);
    expect(back.history.curve_a).toHaveLength(1173);
    expect(back.history.curve_b!.at(-1)).toEqual([1171, 2343 * 0.5]);
  }, 120_000);
});

describe('tracking faults (a proxy in front of the real server)', () => {
  let proxy: FaultProxy;
  beforeAll(async () => {
    proxy = await new FaultProxy(server.uri).start();
  });
  afterAll(async () => proxy?.stop());
  beforeEach(() => proxy.clear());

  const fast = { callTimeoutMs: 8_000, attemptTimeoutMs: 4_000, initialBackoffMs: 100, maxBackoffMs: 1_000 };

  /** Logs through the proxy into `bundleDir`; expects a TrackingError within `withinMs` and returns its message. */
  async function trackingFailure(bundleDir: string, runName: string, withinMs: number): Promise<string> {
    const started = Date.now();
    const error = await logWith(new MlflowTracker({ trackingUri: proxy.uri, retry: fast, bundleDir }), { runName }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(Date.now() - started).toBeLessThan(withinMs);
    expect(error).toBeInstanceOf(TrackingError);
    return (error as Error).message;
  }

  it('retries a server answering 500 and completes the run once it recovers', async () => {
    proxy.inject({ method: 'POST', path: /\/runs\/log-batch$/ }, { kind: 'status', status: 500 }, 2);
    proxy.inject({ method: 'PUT', path: /mlflow-artifacts/ }, { kind: 'status', status: 503 }, 1);
    const runId = await logWith(new MlflowTracker({ trackingUri: proxy.uri, retry: fast, bundleDir: join(root, 'bundle-500') }), { runName: 'after-500' });
    expect(proxy.requests.filter((r) => r.answered === 500)).toHaveLength(2);
    expect(proxy.requests.filter((r) => r.answered === 503)).toHaveLength(1);
    const back = readRunWithPython(server.uri, runId);
    expect(back.info.status).toBe('FINISHED');
    expect(back.logged_models[0]?.status).toBe('READY');
  }, 60_000);

  it('waits as long as a 429 Retry-After says before trying again', async () => {
    proxy.inject({ method: 'POST', path: /\/runs\/create$/ }, { kind: 'status', status: 429, headers: { 'retry-after': '2' } }, 1);
    const runId = await logWith(new MlflowTracker({ trackingUri: proxy.uri, retry: fast, bundleDir: join(root, 'bundle-429') }), { runName: 'after-429' });
    const creates = proxy.requests.filter((r) => r.path.endsWith('/runs/create'));
    expect(creates.map((r) => r.answered)).toEqual([429, 'forwarded']);
    expect(creates[1]!.at - creates[0]!.at).toBeGreaterThanOrEqual(1950);
    expect(readRunWithPython(server.uri, runId).info.status).toBe('FINISHED');
  }, 60_000);

  it('marks the run FAILED when uploads keep failing, says what was not logged, and keeps the bundle', async () => {
    proxy.inject({ method: 'PUT', path: /mlflow-artifacts/ }, { kind: 'status', status: 503 }, 1000);
    const bundleDir = join(root, 'bundle-failed');
    const message = await trackingFailure(bundleDir, 'uploads-down', 20_000);
    expect(message).toMatch(/gave up after \d attempts/);
    expect(message).toMatch(/is marked FAILED/);
    expect(message).toMatch(/Logged: params and tags, final metrics, metric history\. Not logged: bundle artifacts, configuration artifact, training report, logged model\./);
    expect(message).toContain(`its bundle is saved at ${bundleDir}`);
    expect(message).toMatch(/mlflow artifacts log-artifacts --local-dir .* --run-id [0-9a-f]{32} --artifact-path bundle/);
    const runId = /Run ([0-9a-f]{32})/.exec(message)![1]!;
    const back = readRunWithPython(server.uri, runId);
    expect(back.info.status).toBe('FAILED');
    expect(back.info.end_time).not.toBeNull();
    await expectIntactBundle(bundleDir);
  }, 60_000);

  it('marks the run KILLED when logging is aborted', async () => {
    const controller = new AbortController();
    proxy.inject({ method: 'PUT', path: /mlflow-artifacts/ }, { kind: 'run', action: () => controller.abort() }, 1);
    const tracker = new MlflowTracker({ trackingUri: proxy.uri, retry: fast, bundleDir: join(root, 'bundle-killed'), signal: controller.signal });
    const error = await logWith(tracker, { runName: 'aborted' }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    const runId = /Run ([0-9a-f]{32})/.exec((error as Error).message)![1]!;
    expect(readRunWithPython(server.uri, runId).info.status).toBe('KILLED');
    await expectIntactBundle(join(root, 'bundle-killed'));
  }, 60_000);

  // Last: the server does not come back.
  it('reports a server killed mid-run without hanging, and the bundle stays intact', async () => {
    proxy.inject({ method: 'PUT', path: /mlflow-artifacts/ }, { kind: 'run', action: () => server.kill() }, 1);
    const bundleDir = join(root, 'bundle-killed-server');
    const message = await trackingFailure(bundleDir, 'server-dies', 30_000);
    expect(message).toMatch(/could not be marked FAILED/);
    expect(message).toMatch(/Not logged: bundle artifacts/);
    expect(existsSync(join(bundleDir, 'manifest.json'))).toBe(true);
    await expectIntactBundle(bundleDir);
  }, 60_000);
});

/** A freshly trained budget model logged through `tracker` (a trainer's tracker is fixed at construction). */
async function logWith(tracker: MlflowTracker, options: { runName: string }): Promise<string> {
  const trainer = new BudgetOptimizerTrainer({ config, tracker });
  await trainer.fit(train, { validation });
  try {
    return await trainer.logToMlflow(options);
  } finally {
    dispose(trainer);
  }
}

function dispose(trainer: BudgetOptimizerTrainer | undefined): void {
  (trainer as { dispose?: () => void } | undefined)?.dispose?.();
}
