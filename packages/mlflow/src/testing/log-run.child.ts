/**
 * Logs one run through the default tracker (no tracker injected, MLFLOW_TRACKING_URI as the
 * parent set it, the working directory as the parent chose), for the SQLite tests:
 *
 *   node --conditions=@kdap/source -r ts-node/register/transpile-only log-run.child.ts <runName> <steps> [bundleFiles] [transactions]
 *
 * First a "stress" run written through the store in `transactions` separate log-batch
 * transactions (10 metrics, a param and a tag each), so that two children interleave their
 * writes; then the tracked run: params, final metrics, `steps` steps of two metric curves, tags,
 * a config artifact, and a small bundle-like directory when bundleFiles > 0.
 * Prints {"runId": ..., "stressRunId": ...} on stdout.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BundleManifest } from '@kdap/core';
import { defaultTracker } from '../default-tracker';
import type { MlflowTracker } from '../mlflow-tracker';

async function main(): Promise<void> {
  const [runName = 'child', stepsText = '100', filesText = '0', transactionsText = '0'] = process.argv.slice(2);
  const steps = Number(stepsText);
  const files = Number(filesText);
  const tracker = defaultTracker() as MlflowTracker | undefined;
  if (tracker === undefined) throw new Error('no default tracker');

  const store = tracker.client;
  const experimentId = await store.getOrCreateExperiment('kdap-concurrent');
  const stress = await store.createRun({ experimentId, runName: `${runName}-stress` });
  for (let t = 0; t < Number(transactionsText); t++) {
    const metrics = Array.from({ length: 10 }, (_, k) => ({ key: `m${k}`, value: t + k / 10, timestamp: Date.now(), step: t }));
    await store.logBatch(stress.run_id, { metrics, params: [{ key: `p${t}`, value: String(t) }], tags: [{ key: 'progress', value: String(t) }] });
    // A moment between writes, as training has between evaluations: SQLite's busy handler is not
    // fair, and a writer that never pauses holds the other off until it is done.
    await new Promise((r) => setTimeout(r, 5));
  }
  await store.updateRun(stress.run_id, 'FINISHED');

  const curve = (offset: number) => Array.from({ length: steps }, (_, i) => offset + 1 / (i + 1));
  const runId = await tracker.logRun({
    runName,
    experimentName: 'kdap-concurrent',
    params: { num_leaves: 31, learning_rate: 0.05, run: runName },
    metrics: { rmse: 0.25, mae: 0.125 },
    history: { train_rmse: curve(0), valid_rmse: curve(0.5) },
    config: { runName },
    tags: { 'kdap.model': 'test', 'kdap.child': runName },
    saveBundle:
      files > 0
        ? async (dir: string) => {
            mkdirSync(dir, { recursive: true });
            for (let i = 0; i < files; i++) writeFileSync(join(dir, `part-${i}.txt`), `${runName} ${i}\n`);
            writeFileSync(join(dir, 'MLmodel'), 'artifact_path: model\nflavors: {}\n');
            return { kind: 'budget', versions: { '@kdap/mlflow': '0.1.0' } } as unknown as BundleManifest;
          }
        : undefined,
  });
  process.stdout.write(`${JSON.stringify({ runId, stressRunId: stress.run_id })}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
});
