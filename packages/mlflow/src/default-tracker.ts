import type { Tracker } from '@kdap/core';
import { MlflowTracker } from './mlflow-tracker';
import { trackingSettingsFromEnv } from './settings';

/**
 * The tracker `trainer.logToMlflow()` finds when none was injected (core looks this package up by
 * name): a server from `MLFLOW_TRACKING_URI`, else an http(s) `mlflow.tracking_uri` from the
 * configuration, else none (`logToMlflow` then says tracking is not configured).
 */
export function defaultTracker(options: { trackingUri?: string } = {}): Tracker | undefined {
  if (trackingSettingsFromEnv() !== undefined) return new MlflowTracker();
  if (options.trackingUri !== undefined && /^https?:\/\//i.test(options.trackingUri)) return new MlflowTracker({ trackingUri: options.trackingUri });
  return undefined;
}
