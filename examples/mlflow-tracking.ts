/**
 * MLflow tracking, step by step: train the Budget Optimizer, log the run to MLflow 3 (params,
 * metrics and their per-iteration history, tags, the model bundle, configuration and training
 * report, and the bundle as an MLflow 3 logged model), then read what was logged.
 *
 * Without a server (MLflow's own default: ./mlflow.db with artifacts in ./mlruns):
 *
 *   node --conditions=@kdap/source -r ts-node/register examples/mlflow-tracking.ts
 *   mlflow ui        # in the same directory, then open http://127.0.0.1:5000
 *
 * With a server (any MLflow 3; artifacts served through the server):
 *
 *   mlflow server --host 127.0.0.1 --port 5000 --backend-store-uri sqlite:///mlflow.db \
 *     --serve-artifacts --artifacts-destination ./mlartifacts
 *   MLFLOW_TRACKING_URI=http://127.0.0.1:5000 \
 *     node --conditions=@kdap/source -r ts-node/register examples/mlflow-tracking.ts
 *
 * Either way: experiment 'kdap-ml', run 'budget-example'. From Python,
 * `mlflow.lightgbm.load_model("models:/<model id printed below>")` loads the booster.
 */
import path from 'node:path';
import { BudgetOptimizerTrainer } from '@kdap/budget';
import { MlflowClient, MlflowTracker } from '@kdap/mlflow';
import { syntheticMarketingSpend } from '@kdap/preprocessing';

async function main(): Promise<void> {
  // 1. Data and training, as in the quickstart (fewer rows: this example is about tracking).
  const generated = syntheticMarketingSpend({ rows: 6_000, seed: 42 });
  const train = generated.table.slice(0, 4_800);
  const validation = generated.table.slice(4_800);

  // 2. The tracker. Without the `tracker` option, logToMlflow() finds @kdap/mlflow by itself (the
  //    server of MLFLOW_TRACKING_URI, else ./mlflow.db); passing one chooses where the bundle is
  //    kept and how hard to retry a server.
  const bundleDir = path.resolve('models', 'budget-example');
  const tracker = new MlflowTracker({ bundleDir, retry: { maxAttempts: 5, callTimeoutMs: 60_000 } });
  const trainer = new BudgetOptimizerTrainer({ params: { n_estimators: 200, learning_rate: 0.08 }, tracker });
  const result = await trainer.fit(train, { validation });
  console.log('validation metrics', result.metrics);

  // 3. Log. The bundle is written to `bundleDir` before anything is sent: if the server is down
  //    (or the database locked), the TrackingError says what was not logged and how to log it
  //    later, and the model is safe.
  const runId = await trainer.logToMlflow({ runName: 'budget-example' });
  console.log(`run ${runId} logged to ${tracker.client.trackingUri}; bundle kept at ${bundleDir}`);

  // 4. Read it back: through the server's REST API, or with MLflow itself for the local database.
  if (!(tracker.client instanceof MlflowClient)) {
    console.log(`Open it with \`mlflow ui\` in ${process.cwd()} (it reads ${tracker.client.trackingUri}), or from Python:`);
    console.log(`  mlflow.set_tracking_uri("${tracker.client.trackingUri}"); mlflow.MlflowClient().get_run("${runId}")`);
    return;
  }
  const client = tracker.client;
  const run = await client.getRun(runId);
  console.log('status', run.info.status, 'artifacts under', run.info.artifact_uri);
  console.log('params', Object.fromEntries((run.data.params ?? []).map((p) => [p.key, p.value])));
  console.log('metrics', Object.fromEntries((run.data.metrics ?? []).map((m) => [m.key, m.value])));
  console.log('kdap tags', Object.fromEntries((run.data.tags ?? []).filter((t) => t.key.startsWith('kdap.')).map((t) => [t.key, t.value])));
  for (const output of run.outputs?.model_outputs ?? []) console.log(`logged model ${output.model_id}: mlflow.lightgbm.load_model("models:/${output.model_id}")`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
