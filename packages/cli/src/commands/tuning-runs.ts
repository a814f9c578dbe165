import type { Tracker } from '@kdap/core';
import { defaultTracker } from '@kdap/mlflow';

/** What a tuning trial leaves for its MLflow run (a @kdap/tuning FrozenTrial fits). */
export interface TrialRecord {
  number: number;
  state: string;
  value: number | undefined;
  params: Readonly<Record<string, unknown>>;
  /** Intermediate values by step (boosting round, 1-based). */
  intermediateValues: ReadonlyMap<number, number>;
}

/**
 * MLflow's nested runs for a study: one child run per trial under `parentRunId` (the `mlflow.parentRunId` tag
 * the MLflow UI nests by), with the trial's params, its value as the tuning metric (complete trials), its
 * per-round validation metric as history, and its state. Sequential, one tracker per run (each closes its
 * client). Resolves to the child run ids in trial order.
 */
export async function logTrialRuns(options: {
  parentRunId: string;
  parentRunName: string;
  experimentName: string;
  trackingUri: string | null | undefined;
  model: string;
  metric: string;
  trials: readonly TrialRecord[];
  config: unknown;
  tracker?: () => Tracker | undefined;
}): Promise<string[]> {
  const ids: string[] = [];
  for (const trial of options.trials) {
    const tracker = options.tracker?.() ?? defaultTracker({ ...(options.trackingUri ? { trackingUri: options.trackingUri } : {}) });
    if (tracker === undefined) break;
    const params = Object.fromEntries(Object.entries(trial.params).map(([k, v]) => [k, typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string' ? v : JSON.stringify(v)]));
    const steps = [...trial.intermediateValues.keys()].sort((a, b) => a - b);
    ids.push(
      await tracker.logRun({
        runName: `${options.parentRunName}-trial-${trial.number}`,
        experimentName: options.experimentName,
        params,
        metrics: trial.state === 'COMPLETE' && trial.value !== undefined && Number.isFinite(trial.value) ? { [options.metric]: trial.value } : {},
        history: steps.length > 0 ? { [`validation_${options.metric}`]: steps.map((s) => trial.intermediateValues.get(s)!) } : {},
        config: options.config,
        tags: { 'mlflow.parentRunId': options.parentRunId, 'kdap.model': options.model, 'kdap.tuning.trial': String(trial.number), 'kdap.tuning.state': trial.state },
      }),
    );
  }
  return ids;
}
