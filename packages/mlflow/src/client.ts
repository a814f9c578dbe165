import { checkKnownOptions, TrackingError } from '@kdap/errors';
import { artifactBaseUrl, encodePath } from './artifact-uri';
import { MlflowHttp } from './http';
import { uploadFiles } from './local-files';
import { chunkLogBatch, type KeyValue, type MetricEntry } from './log-batch';
import { retryPolicy, type RetryPolicy } from './retry';
import { checkTrackingUri, trackingSettingsFromEnv, type TrackingSettings } from './settings';

/** A run's terminal states as MLflow names them. */
export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';

/** The parts of MLflow's RunInfo this client uses. */
export interface RunInfo {
  run_id: string;
  experiment_id: string;
  run_name?: string;
  status: RunStatus;
  start_time?: number;
  end_time?: number;
  artifact_uri: string;
  lifecycle_stage?: string;
}

/** The parts of MLflow 3's LoggedModelInfo this client uses. */
export interface LoggedModelInfo {
  model_id: string;
  experiment_id: string;
  name: string;
  artifact_uri: string;
  status: string;
  source_run_id?: string;
  model_type?: string;
}

/** A new MLflow 3 logged model: its experiment, name, source run, type, params and tags. */
export interface LoggedModelOptions {
  experimentId: string;
  name: string;
  sourceRunId?: string;
  modelType?: string;
  params?: Readonly<Record<string, string>>;
  tags?: Readonly<Record<string, string>>;
}

/** A run as get-run returns it (MLflow omits empty lists). */
export interface RunRecord {
  info: RunInfo;
  data: { metrics?: MetricEntry[]; params?: KeyValue[]; tags?: KeyValue[] };
  outputs?: { model_outputs?: { model_id: string; step: number }[] };
}

export interface MlflowClientOptions {
  /** Base URL of the tracking server; default `MLFLOW_TRACKING_URI`. */
  trackingUri?: string;
  /** Authorization header value; default from `MLFLOW_TRACKING_TOKEN` or USERNAME/PASSWORD. */
  authorization?: string;
  /** Bounds of each REST call (attempts, time per call, backoff). */
  retry?: Partial<RetryPolicy>;
}

const API = '/api/2.0/mlflow';

/**
 * A typed client of the MLflow 3 tracking REST API (the subset training needs): experiments,
 * runs, batched metrics/params/tags, artifacts through the mlflow-artifacts proxy, and logged
 * models. Every call retries throttling, 5xx and connection failures within the retry policy
 * (default 5 attempts / 60 s per call) and fails with a TrackingError naming what it was doing.
 *
 * ```ts
 * const client = MlflowClient.fromEnv();
 * const experimentId = await client.getOrCreateExperiment('kdap-budget');
 * const run = await client.createRun({ experimentId, runName: 'budget-v1' });
 * await client.logBatch(run.run_id, { params: [{ key: 'num_leaves', value: '31' }] });
 * await client.updateRun(run.run_id, 'FINISHED');
 * ```
 */
export class MlflowClient {
  /** Base URL of the server, no trailing slash. */
  readonly trackingUri: string;
  readonly #http: MlflowHttp;

  constructor(options: MlflowClientOptions = {}) {
    checkKnownOptions('MlflowClient', options, ['trackingUri', 'authorization', 'retry']);
    const env = options.trackingUri === undefined ? trackingSettingsFromEnv() : undefined;
    const uri = options.trackingUri ?? env?.trackingUri;
    if (uri === undefined) {
      throw new TrackingError('MlflowClient needs a tracking server: pass { trackingUri } or set MLFLOW_TRACKING_URI (e.g. http://127.0.0.1:5000).');
    }
    this.trackingUri = checkTrackingUri(uri, options.trackingUri === undefined ? 'MLFLOW_TRACKING_URI' : "The 'trackingUri' option of MlflowClient");
    this.#http = new MlflowHttp(options.authorization ?? env?.authorization, retryPolicy(options.retry));
  }

  /** A client for the server the MLflow environment variables name. */
  static fromSettings(settings: TrackingSettings, retry?: Partial<RetryPolicy>): MlflowClient {
    return new MlflowClient({ trackingUri: settings.trackingUri, authorization: settings.authorization, retry });
  }

  get retryPolicy(): RetryPolicy {
    return this.#http.policy;
  }

  /** The id of the experiment called `name`, created if it does not exist (a concurrent creator wins quietly). */
  async getOrCreateExperiment(name: string): Promise<string> {
    const found = await this.getExperimentByName(name);
    if (found !== undefined) return found;
    const created = await this.#http.send<{ experiment_id: string }>({
      method: 'POST',
      url: `${this.trackingUri}${API}/experiments/create`,
      what: `create experiment '${name}'`,
      json: { name },
      tolerate: (_status, code) => code === 'RESOURCE_ALREADY_EXISTS',
    });
    if (created !== undefined) return created.experiment_id;
    const raced = await this.getExperimentByName(name);
    if (raced === undefined) throw new TrackingError(`The MLflow server says experiment '${name}' exists but does not return it; it may be deleted. Restore it (mlflow experiments restore) or choose another name.`);
    return raced;
  }

  /** The id of an active experiment, or `undefined` if none has that name. */
  async getExperimentByName(name: string): Promise<string | undefined> {
    const found = await this.#http.send<{ experiment: { experiment_id: string; lifecycle_stage?: string } }>({
      method: 'GET',
      url: `${this.trackingUri}${API}/experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`,
      what: `look up experiment '${name}'`,
      tolerate: (status, code) => status === 404 || code === 'RESOURCE_DOES_NOT_EXIST',
    });
    if (found === undefined) return undefined;
    if (found.experiment.lifecycle_stage === 'deleted') {
      throw new TrackingError(`MLflow experiment '${name}' is deleted. Restore it (mlflow experiments restore --experiment-id ${found.experiment.experiment_id}) or choose another experiment name.`);
    }
    return found.experiment.experiment_id;
  }

  /** Starts a run (status RUNNING); `startTime` in ms since the epoch (default now). */
  async createRun(options: { experimentId: string; runName?: string; tags?: Readonly<Record<string, string>>; startTime?: number }): Promise<RunInfo> {
    const answer = await this.#http.send<{ run: { info: RunInfo } }>({
      method: 'POST',
      url: `${this.trackingUri}${API}/runs/create`,
      what: `create run${options.runName ? ` '${options.runName}'` : ''}`,
      json: {
        experiment_id: options.experimentId,
        run_name: options.runName,
        start_time: options.startTime ?? Date.now(),
        tags: keyValues(options.tags ?? {}),
      },
    });
    return answer!.run.info;
  }

  /**
   * Logs metrics, params and tags, split into as many log-batch requests as MLflow's limits need
   * (1,000 metrics / 100 params / 100 tags / 1 MB each).
   *
   * @returns the number of requests sent.
   */
  async logBatch(runId: string, batch: { metrics?: readonly MetricEntry[]; params?: readonly KeyValue[]; tags?: readonly KeyValue[] }): Promise<number> {
    const chunks = chunkLogBatch(runId, batch);
    for (const [i, chunk] of chunks.entries()) {
      await this.#http.send({
        method: 'POST',
        url: `${this.trackingUri}${API}/runs/log-batch`,
        what: `log batch ${i + 1} of ${chunks.length} (${chunk.metrics.length} metrics, ${chunk.params.length} params, ${chunk.tags.length} tags) to run ${runId}`,
        json: chunk,
      });
    }
    return chunks.length;
  }

  /** Sets a run's status; terminal states get `endTime` (ms since the epoch, default now). */
  async updateRun(runId: string, status: RunStatus, endTime?: number): Promise<RunInfo> {
    const terminal = status === 'FINISHED' || status === 'FAILED' || status === 'KILLED';
    const answer = await this.#http.send<{ run_info: RunInfo }>({
      method: 'POST',
      url: `${this.trackingUri}${API}/runs/update`,
      what: `mark run ${runId} ${status}`,
      json: { run_id: runId, status, end_time: terminal ? (endTime ?? Date.now()) : undefined },
    });
    return answer!.run_info;
  }

  /** The run's info, data and outputs (logged models) as MLflow returns them. */
  async getRun(runId: string): Promise<RunRecord> {
    const answer = await this.#http.send<{ run: RunRecord }>({
      method: 'GET',
      url: `${this.trackingUri}${API}/runs/get?run_id=${encodeURIComponent(runId)}`,
      what: `read run ${runId}`,
    });
    return answer!.run;
  }

  /** Uploads one artifact under `artifactUri` (a run's or a logged model's) at `path` ('config/config.json'). */
  async uploadArtifact(artifactUri: string, path: string, content: Uint8Array | string): Promise<void> {
    const url = `${artifactBaseUrl(this.trackingUri, artifactUri)}${encodePath(path)}`;
    const body = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    await this.#http.send({ method: 'PUT', url, what: `upload artifact '${path}' (${body.byteLength} bytes)`, body });
  }

  /**
   * Uploads every file under `localDir` to `artifactUri`/`destination`, keeping the layout.
   *
   * @returns the artifact paths written.
   */
  async uploadDirectory(artifactUri: string, localDir: string, destination = ''): Promise<string[]> {
    return uploadFiles(localDir, destination, (path, content) => this.uploadArtifact(artifactUri, path, content));
  }

  /** Creates an MLflow 3 logged model (status PENDING until finalized), linked to its source run. */
  async createLoggedModel(options: LoggedModelOptions): Promise<LoggedModelInfo> {
    const answer = await this.#http.send<{ model: { info: LoggedModelInfo } }>({
      method: 'POST',
      url: `${this.trackingUri}${API}/logged-models`,
      what: `create logged model '${options.name}'`,
      json: {
        experiment_id: options.experimentId,
        name: options.name,
        source_run_id: options.sourceRunId,
        model_type: options.modelType,
        params: keyValues(options.params ?? {}),
        tags: keyValues(options.tags ?? {}),
      },
    });
    return answer!.model.info;
  }

  /** Marks a logged model READY (its files are uploaded) or UPLOAD_FAILED. */
  async finalizeLoggedModel(modelId: string, status: 'READY' | 'UPLOAD_FAILED'): Promise<LoggedModelInfo> {
    const answer = await this.#http.send<{ model: { info: LoggedModelInfo } }>({
      method: 'PATCH',
      url: `${this.trackingUri}${API}/logged-models/${encodeURIComponent(modelId)}`,
      what: `finalize logged model ${modelId} as ${status}`,
      json: { model_id: modelId, status: `LOGGED_MODEL_${status}` },
    });
    return answer!.model.info;
  }

  /** Records models as outputs of a run (what the run page lists under "Logged models"). */
  async logOutputs(runId: string, models: readonly { modelId: string; step?: number }[]): Promise<void> {
    await this.#http.send({
      method: 'POST',
      url: `${this.trackingUri}${API}/runs/outputs`,
      what: `link ${models.length} logged model(s) to run ${runId}`,
      json: { run_id: runId, models: models.map((m) => ({ model_id: m.modelId, step: m.step ?? 0 })) },
    });
  }
}

/** MLflow's repeated key/value messages from a record. */
export function keyValues(record: Readonly<Record<string, string>>): KeyValue[] {
  return Object.entries(record).map(([key, value]) => ({ key, value }));
}
