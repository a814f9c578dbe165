import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TrackedRun, Tracker } from '@kdap/core';
import { AbortError, checkKnownOptions, ParameterError, TrackingError } from '@kdap/errors';
import { MlflowClient, type RunInfo, type RunStatus } from './client';
import { metricValue, VALUE_LIMITS, type KeyValue, type MetricEntry } from './log-batch';
import type { RetryPolicy } from './retry';
import { systemTags, tagKey, versionTagKey } from './run-tags';
import { experimentNameFromEnv } from './settings';
import { trackingBackend, type TrackingBackend } from './tracking-backend';

export interface MlflowTrackerOptions {
  /** Where to log (an MlflowClient or a SqliteTrackingStore); default: the backend for `trackingUri`. */
  client?: TrackingBackend;
  /**
   * A tracking server ('http://127.0.0.1:5000') or an MLflow SQLite database ('sqlite:///mlflow.db').
   * Default `MLFLOW_TRACKING_URI`, else MLflow's own default: ./mlflow.db with artifacts in ./mlruns.
   */
  trackingUri?: string;
  /** Bounds of each REST call (default 5 attempts / 60 s per call). */
  retry?: Partial<RetryPolicy>;
  /** Experiment for every run; default `MLFLOW_EXPERIMENT_NAME`, else the configuration's `mlflow.experiment_name`. */
  experimentName?: string;
  /**
   * Where the model bundle is saved before anything is sent, and kept. Default: a new temporary
   * directory, removed once the run is fully logged and kept (and named in the error) otherwise.
   */
  bundleDir?: string;
  /** Aborting stops logging between steps; the run is marked KILLED and the promise rejects with AbortError. */
  signal?: AbortSignal;
}

/** What one logRun has sent so far, for the message when it stops part-way. */
type Step = 'params and tags' | 'final metrics' | 'metric history' | 'bundle artifacts' | 'configuration artifact' | 'training report' | 'artifact files' | 'logged model' | 'run status';

/** A short policy for marking a run FAILED/KILLED after a failure: the user is waiting. */
const MARK_POLICY: Partial<RetryPolicy> = { maxAttempts: 2, callTimeoutMs: 5_000, attemptTimeoutMs: 2_500, initialBackoffMs: 250 };

/**
 * The MLflow Tracker behind `trainer.logToMlflow()`: one run per call with the hyperparameters
 * as params, final metrics, per-iteration metric history (step = iteration), tags (model kind,
 * package and library versions, KDAP_ENV, git commit), the bundle, configuration and training
 * report as artifacts, and the bundle as an MLflow 3 logged model linked to the run.
 *
 * The bundle is saved locally before the first request, so a tracking outage never loses the
 * trained model: the TrackingError says what was logged, what was not, where the bundle is and
 * how to log it later; a run that was created is marked FAILED (KILLED on abort).
 */
export class MlflowTracker implements Tracker {
  readonly client: TrackingBackend;
  readonly #options: MlflowTrackerOptions;

  constructor(options: MlflowTrackerOptions = {}) {
    checkKnownOptions('MlflowTracker', options, ['client', 'trackingUri', 'retry', 'experimentName', 'bundleDir', 'signal']);
    this.#options = options;
    this.client = options.client ?? trackingBackend(options.trackingUri, options.retry);
  }

  /** Logs one run; resolves to its MLflow run id. */
  async logRun(run: TrackedRun): Promise<string> {
    checkRun(run);
    const signal = this.#options.signal;
    const experimentName = this.#options.experimentName ?? experimentNameFromEnv() ?? run.experimentName;
    const started = Date.now();

    // The model is safe on disk before the first byte goes to the network.
    let bundleDir: string | undefined;
    let versions: Record<string, string> = {};
    let modelKind: string | undefined;
    if (run.saveBundle !== undefined) {
      bundleDir = this.#options.bundleDir !== undefined ? resolve(this.#options.bundleDir) : join(await mkdtemp(join(tmpdir(), 'kdap-mlflow-')), 'bundle');
      await mkdir(join(bundleDir, '..'), { recursive: true });
      const manifest = await run.saveBundle(bundleDir);
      versions = { ...manifest.versions };
      modelKind = manifest.kind;
    }

    const done: Step[] = [];
    const todo: Step[] = ['params and tags', 'final metrics', 'metric history'];
    if (bundleDir !== undefined) todo.push('bundle artifacts');
    todo.push('configuration artifact');
    if (run.report !== undefined) todo.push('training report');
    const files = Object.entries(run.files ?? {});
    if (files.length > 0) todo.push('artifact files');
    if (bundleDir !== undefined) todo.push('logged model');
    todo.push('run status');

    let info: RunInfo | undefined;
    const step = async (name: Step, action: () => Promise<unknown>) => {
      if (signal?.aborted) throw new AbortError(`Logging run '${run.runName}' to MLflow was aborted before the ${name}.`, { cause: signal.reason });
      await action();
      done.push(name);
      todo.splice(todo.indexOf(name), 1);
    };

    try {
      if (signal?.aborted) throw new AbortError(`Logging run '${run.runName}' to MLflow was aborted before the run was created.`, { cause: signal.reason });
      const experimentId = await this.client.getOrCreateExperiment(experimentName);
      const tags = { ...systemTags(versions), ...run.tags };
      info = await this.client.createRun({ experimentId, runName: run.runName, startTime: started, tags: {} });
      const runId = info.run_id;
      const now = Date.now();
      await step('params and tags', () => this.client.logBatch(runId, { params: params(run.params), tags: keyValueList(tags) }));
      await step('final metrics', () => this.client.logBatch(runId, { metrics: Object.entries(run.metrics).map(([key, value]) => metric(key, value, 0, now)) }));
      await step('metric history', () => this.client.logBatch(runId, { metrics: history(run.history, now) }));
      if (bundleDir !== undefined) await step('bundle artifacts', () => this.client.uploadDirectory(info!.artifact_uri, bundleDir!, 'bundle'));
      await step('configuration artifact', () => this.client.uploadArtifact(info!.artifact_uri, 'config/config.json', `${JSON.stringify(run.config, null, 2)}\n`));
      if (run.report !== undefined) await step('training report', () => this.client.uploadArtifact(info!.artifact_uri, 'training_report.json', `${JSON.stringify(run.report, null, 2)}\n`));
      if (files.length > 0) {
        await step('artifact files', async () => {
          for (const [name, file] of files) await this.client.uploadArtifact(info!.artifact_uri, name, await readFile(file));
        });
      }
      if (bundleDir !== undefined) {
        await step('logged model', async () => {
          const model = await this.client.createLoggedModel({
            experimentId,
            name: modelKind ?? 'model',
            sourceRunId: runId,
            modelType: modelKind,
            params: Object.fromEntries(params(run.params).map((p) => [p.key, p.value])),
            tags: { 'kdap.model': modelKind ?? 'unknown', ...Object.fromEntries(Object.entries(versions).map(([k, v]) => [versionTagKey(k), v])) },
          });
          try {
            await this.client.uploadDirectory(model.artifact_uri, bundleDir!);
          } catch (e) {
            await this.client.finalizeLoggedModel(model.model_id, 'UPLOAD_FAILED').catch(() => undefined);
            throw e;
          }
          await this.client.finalizeLoggedModel(model.model_id, 'READY');
          await this.client.logOutputs(runId, [{ modelId: model.model_id, step: 0 }]);
        });
      }
      await step('run status', () => this.client.updateRun(runId, 'FINISHED'));
    } catch (error) {
      const status: RunStatus = error instanceof AbortError ? 'KILLED' : 'FAILED';
      const marked = info === undefined ? false : await this.#mark(info.run_id, status);
      const message = incompleteMessage({ run, experimentName, uri: this.client.trackingUri, info, status, marked, done, todo, bundleDir, cause: error });
      if (error instanceof AbortError) throw new AbortError(message, { cause: error });
      throw new TrackingError(message, { cause: error });
    } finally {
      this.client.close?.();
    }
    if (this.#options.bundleDir === undefined && bundleDir !== undefined) await rm(join(bundleDir, '..'), { recursive: true, force: true });
    return info.run_id;
  }

  /** Best effort: a server that is down cannot be told, and the error says so. */
  async #mark(runId: string, status: RunStatus): Promise<boolean> {
    try {
      const marker = this.client instanceof MlflowClient ? new MlflowClient({ trackingUri: this.client.trackingUri, retry: MARK_POLICY }) : this.client;
      await marker.updateRun(runId, status);
      return true;
    } catch {
      return false;
    }
  }
}

function checkRun(run: TrackedRun): void {
  for (const [key, value] of Object.entries(run.params)) {
    if (key.length > VALUE_LIMITS.key) throw new ParameterError(key, `MLflow keys are at most ${VALUE_LIMITS.key} characters; the param '${key.slice(0, 40)}...' has ${key.length}.`);
    if (String(value).length > VALUE_LIMITS.param) {
      throw new ParameterError(key, `MLflow params are at most ${VALUE_LIMITS.param} characters; '${key}' has ${String(value).length}. It is in the logged configuration artifact; leave it out of the params.`);
    }
  }
}

function params(record: TrackedRun['params']): KeyValue[] {
  return Object.entries(record).map(([key, value]) => ({ key, value: String(value) }));
}

function keyValueList(record: Readonly<Record<string, string>>): KeyValue[] {
  return Object.entries(record).map(([key, value]) => ({ key: tagKey(key), value: value.length > VALUE_LIMITS.tag ? value.slice(0, VALUE_LIMITS.tag) : value }));
}

function metric(key: string, value: number, step: number, timestamp: number): MetricEntry {
  return { key, value: metricValue(value), timestamp, step };
}

/** Per-iteration curves: values[i] is iteration i + 1, logged at step i + 1. */
function history(curves: TrackedRun['history'], timestamp: number): MetricEntry[] {
  const out: MetricEntry[] = [];
  for (const [key, values] of Object.entries(curves)) values.forEach((value, i) => out.push(metric(key, value, i + 1, timestamp)));
  return out;
}

function incompleteMessage(p: {
  run: TrackedRun;
  experimentName: string;
  uri: string;
  info: RunInfo | undefined;
  status: RunStatus;
  marked: boolean;
  done: Step[];
  todo: Step[];
  bundleDir: string | undefined;
  cause: unknown;
}): string {
  const cause = (p.cause as Error)?.message ?? String(p.cause);
  const lines = [`Logging run '${p.run.runName}' to MLflow at ${p.uri} (experiment '${p.experimentName}') did not complete: ${cause}`];
  if (p.info === undefined) {
    lines.push('Nothing was logged: the run was not created.');
  } else {
    lines.push(`Run ${p.info.run_id} ${p.marked ? `is marked ${p.status}` : `could not be marked ${p.status} (it may show as RUNNING)`}.`);
    lines.push(`Logged: ${p.done.length === 0 ? 'nothing' : p.done.join(', ')}. Not logged: ${p.todo.filter((s) => s !== 'run status').join(', ') || 'nothing'}.`);
  }
  if (p.bundleDir !== undefined) lines.push(`The trained model is safe: its bundle is saved at ${p.bundleDir}.`);
  const sqlite = p.uri.startsWith('sqlite:');
  const later = [`call logToMlflow({ runName: '${p.run.runName}' }) again once the ${sqlite ? 'database is writable' : 'server answers'} (a new run)`];
  if (p.info !== undefined && p.bundleDir !== undefined && p.todo.includes('bundle artifacts')) {
    later.push(`upload the bundle to this run with \`MLFLOW_TRACKING_URI=${p.uri} mlflow artifacts log-artifacts --local-dir ${p.bundleDir} --run-id ${p.info.run_id} --artifact-path bundle\``);
  }
  lines.push(`To log it later: ${later.join(', or ')}.`);
  return lines.join('\n');
}
