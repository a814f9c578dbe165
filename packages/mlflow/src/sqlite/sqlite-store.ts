import { randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkKnownOptions, ParameterError, TrackingError } from '@kdap/errors';
import type { LoggedModelInfo, LoggedModelOptions, RunInfo, RunStatus } from '../client';
import { uploadFiles } from '../local-files';
import type { KeyValue, MetricEntry } from '../log-batch';
import type { TrackingBackend } from '../tracking-backend';
import { sqliteDatabaseClass, type SqliteDatabase } from './load-sqlite';
import { MLFLOW_SCHEMA_HISTORY, MLFLOW_SCHEMA_MLFLOW_VERSION, MLFLOW_SCHEMA_REVISION, MLFLOW_SCHEMA_SEED_ROWS, MLFLOW_SCHEMA_STATEMENTS } from './mlflow-schema';
import { DEFAULT_ARTIFACT_ROOT, DEFAULT_SQLITE_URI, sqlitePathFromUri, sqliteUriOf } from './sqlite-uri';

export interface SqliteTrackingStoreOptions {
  /** The database: 'sqlite:///mlflow.db' (relative to the working directory, MLflow's default) or 'sqlite:////abs/mlflow.db'. */
  trackingUri?: string;
  /** Where new experiments keep their artifacts (default './mlruns' in the working directory, as MLflow). */
  artifactRoot?: string;
  /** How long a write waits for another process holding the database lock, in ms (default 20,000, MLflow's busy timeout). */
  busyTimeoutMs?: number;
}

/** MLflow's busy timeout for SQLite (mlflow/store/db/utils.py: PRAGMA busy_timeout = 20000). */
const MLFLOW_BUSY_TIMEOUT_MS = 20_000;
/** The workspace every resource belongs to when MLflow workspaces are off (the default). */
const DEFAULT_WORKSPACE = 'default';
/** LoggedModelStatus.to_int() in MLflow. */
const LOGGED_MODEL_STATUS = { PENDING: 1, READY: 2, UPLOAD_FAILED: 3 } as const;
/** MLflow stores infinities as the largest finite doubles (SqlAlchemyStore.sanitize_metric_value). */
const MAX_DOUBLE = 1.7976931348623157e308;

interface ExperimentRow {
  experiment_id: number;
  name: string;
  artifact_location: string | null;
  lifecycle_stage: string;
}

interface RunRow {
  run_uuid: string;
  name: string | null;
  status: RunStatus;
  start_time: number | null;
  end_time: number | null;
  artifact_uri: string;
  experiment_id: number;
  lifecycle_stage: string;
}

/**
 * MLflow's own SQLite tracking store, written directly: what `mlflow ui` opens when it is started
 * in the same directory (MLflow 3.7+ defaults to `sqlite:///mlflow.db` with artifacts in
 * `./mlruns`). A new database gets the schema of the pinned MLflow at alembic revision
 * {@link MLFLOW_SCHEMA_REVISION} (MLflow {@link MLFLOW_SCHEMA_MLFLOW_VERSION}); a database at
 * another revision is refused with a TrackingError that says which MLflow to use or to run
 * `mlflow db upgrade`. Rows are written the way MLflow's SqlAlchemyStore writes them (runs and
 * their tags, params, metrics with latest_metrics, logged models and run outputs); artifacts are
 * copied under the run's or model's artifact location.
 *
 * Every write is one `BEGIN IMMEDIATE` transaction with MLflow's 20 s busy timeout and the
 * rollback journal MLflow leaves in place, so several processes (and MLflow itself) can log to
 * one database at once.
 */
export class SqliteTrackingStore implements TrackingBackend {
  /** The database as MLflow names it: 'sqlite:////abs/path/mlflow.db'. */
  readonly trackingUri: string;
  /** The database file. */
  readonly path: string;
  /** Absolute artifact root for experiments this store creates. */
  readonly artifactRoot: string;
  readonly #busyTimeoutMs: number;
  #db: SqliteDatabase | undefined;

  constructor(options: SqliteTrackingStoreOptions = {}) {
    checkKnownOptions('SqliteTrackingStore', options, ['trackingUri', 'artifactRoot', 'busyTimeoutMs']);
    this.path = sqlitePathFromUri(options.trackingUri ?? DEFAULT_SQLITE_URI, options.trackingUri === undefined ? 'The default tracking URI' : "The 'trackingUri' option of SqliteTrackingStore");
    this.trackingUri = sqliteUriOf(this.path);
    this.artifactRoot = resolve(options.artifactRoot ?? DEFAULT_ARTIFACT_ROOT);
    const timeout = options.busyTimeoutMs ?? MLFLOW_BUSY_TIMEOUT_MS;
    if (!Number.isInteger(timeout) || timeout < 0) throw new ParameterError('busyTimeoutMs', `The 'busyTimeoutMs' option of SqliteTrackingStore must be an integer >= 0 (milliseconds). Got ${timeout}.`);
    this.#busyTimeoutMs = timeout;
  }

  /** Closes the database handle; the next call opens it again. */
  close(): void {
    this.#db?.close();
    this.#db = undefined;
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** The alembic revision the database records, or `undefined` when the file does not exist yet. Does not create it. */
  schemaRevision(): string | undefined {
    if (!existsSync(this.path)) return undefined;
    const db = new (sqliteDatabaseClass())(this.path, { timeout: this.#busyTimeoutMs, fileMustExist: true });
    try {
      return revisionOf(db);
    } finally {
      db.close();
    }
  }

  /** The id of the active experiment called `name`, created (with artifacts under the artifact root) if none exists. */
  async getOrCreateExperiment(name: string): Promise<string> {
    if (name.trim() === '') throw new ParameterError('experimentName', 'MLflow experiment names must not be empty.');
    return this.#write(`create experiment '${name}'`, (db) => {
      const found = db.prepare('SELECT experiment_id, name, artifact_location, lifecycle_stage FROM experiments WHERE name = ? AND workspace = ?').get(name, DEFAULT_WORKSPACE) as ExperimentRow | undefined;
      if (found !== undefined) {
        if (found.lifecycle_stage === 'deleted') {
          throw new TrackingError(
            `MLflow experiment '${name}' in ${this.path} is deleted. Restore it (MLFLOW_TRACKING_URI=${this.trackingUri} mlflow experiments restore --experiment-id ${found.experiment_id}) or choose another experiment name.`,
          );
        }
        return String(found.experiment_id);
      }
      const now = Date.now();
      const id = Number(
        db.prepare('INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time, workspace) VALUES (?, NULL, ?, ?, ?, ?)').run(name, 'active', now, now, DEFAULT_WORKSPACE)
          .lastInsertRowid,
      );
      db.prepare('UPDATE experiments SET artifact_location = ? WHERE experiment_id = ?').run(appendToLocation(this.artifactRoot, String(id)), id);
      return String(id);
    });
  }

  /** Starts a run (status RUNNING) with its tags; `startTime` in ms since the epoch (default now). */
  async createRun(options: { experimentId: string; runName?: string; tags?: Readonly<Record<string, string>>; startTime?: number }): Promise<RunInfo> {
    const runId = randomUUID().replace(/-/g, '');
    return this.#write(`create run${options.runName ? ` '${options.runName}'` : ''}`, (db) => {
      const experiment = this.#activeExperiment(db, options.experimentId);
      const artifactUri = appendToLocation(writableLocation(experiment, this.path), runId, 'artifacts');
      const tags: Record<string, string> = { ...options.tags };
      const runName = options.runName ?? tags['mlflow.runName'] ?? `kdap-${runId.slice(0, 8)}`;
      if (options.runName !== undefined && tags['mlflow.runName'] !== undefined && tags['mlflow.runName'] !== options.runName) {
        throw new ParameterError('runName', `The run name '${options.runName}' and the 'mlflow.runName' tag '${tags['mlflow.runName']}' differ; MLflow refuses both. Pass one.`);
      }
      tags['mlflow.runName'] = runName;
      const startTime = options.startTime ?? Date.now();
      db.prepare(
        'INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time, source_version, lifecycle_stage, artifact_uri, experiment_id, deleted_time) ' +
          'VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, NULL)',
      ).run(runId, runName, 'UNKNOWN', '', '', tags['mlflow.user'] ?? '', 'RUNNING', startTime, '', 'active', artifactUri, experiment.experiment_id);
      const insertTag = db.prepare('INSERT INTO tags ("key", value, run_uuid) VALUES (?, ?, ?)');
      for (const [key, value] of Object.entries(tags)) insertTag.run(key, value, runId);
      return { run_id: runId, experiment_id: String(experiment.experiment_id), run_name: runName, status: 'RUNNING', start_time: startTime, artifact_uri: artifactUri, lifecycle_stage: 'active' };
    });
  }

  /**
   * Logs metrics (into the history and latest_metrics), params (a logged param cannot change
   * value, as in MLflow) and tags (overwritten; 'mlflow.runName' also renames the run), in one
   * transaction.
   *
   * @returns 1: the number of transactions (the REST client returns its request count).
   */
  async logBatch(runId: string, batch: { metrics?: readonly MetricEntry[]; params?: readonly KeyValue[]; tags?: readonly KeyValue[] }): Promise<number> {
    const metrics = batch.metrics ?? [];
    const params = batch.params ?? [];
    const tags = batch.tags ?? [];
    return this.#write(`log ${metrics.length} metrics, ${params.length} params and ${tags.length} tags to run ${runId}`, (db) => {
      this.#activeRun(db, runId);
      const findParam = db.prepare('SELECT value FROM params WHERE "key" = ? AND run_uuid = ?');
      const insertParam = db.prepare('INSERT INTO params ("key", value, run_uuid) VALUES (?, ?, ?)');
      for (const { key, value } of params) {
        const old = findParam.get(key, runId) as { value: string } | undefined;
        if (old === undefined) insertParam.run(key, value, runId);
        else if (old.value !== value) {
          throw new TrackingError(`Param '${key}' of run ${runId} was already logged with value '${old.value}'; MLflow does not allow changing it to '${value}'. Log a new run instead.`);
        }
      }
      const upsertTag = db.prepare('INSERT INTO tags ("key", value, run_uuid) VALUES (?, ?, ?) ON CONFLICT ("key", run_uuid) DO UPDATE SET value = excluded.value');
      for (const { key, value } of tags) {
        upsertTag.run(key, value, runId);
        if (key === 'mlflow.runName') db.prepare('UPDATE runs SET name = ? WHERE run_uuid = ?').run(value, runId);
      }
      if (metrics.length > 0) logMetrics(db, runId, metrics);
      return 1;
    });
  }

  /** Sets a run's status; terminal states get `endTime` (ms since the epoch, default now). */
  async updateRun(runId: string, status: RunStatus, endTime?: number): Promise<RunInfo> {
    const terminal = status === 'FINISHED' || status === 'FAILED' || status === 'KILLED';
    return this.#write(`mark run ${runId} ${status}`, (db) => {
      this.#activeRun(db, runId);
      if (terminal) db.prepare('UPDATE runs SET status = ?, end_time = ? WHERE run_uuid = ?').run(status, endTime ?? Date.now(), runId);
      else db.prepare('UPDATE runs SET status = ? WHERE run_uuid = ?').run(status, runId);
      return runInfo(this.#activeRun(db, runId));
    });
  }

  /** Writes one artifact under `artifactUri` (a run's or logged model's local artifact location) at `path` ('config/config.json'). */
  async uploadArtifact(artifactUri: string, path: string, content: Uint8Array | string): Promise<void> {
    const target = artifactFile(artifactUri, path);
    try {
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, content);
    } catch (e) {
      throw new TrackingError(`Could not write artifact '${path}' to ${target}: ${(e as Error).message}. Check that the artifact directory is writable.`, { cause: e });
    }
  }

  /**
   * Copies every file under `localDir` to `artifactUri`/`destination`, keeping the layout.
   *
   * @returns the artifact paths written.
   */
  async uploadDirectory(artifactUri: string, localDir: string, destination = ''): Promise<string[]> {
    return uploadFiles(localDir, destination, (path, content) => this.uploadArtifact(artifactUri, path, content));
  }

  /** Creates an MLflow 3 logged model (PENDING until finalized) under `<experiment artifacts>/models/<model_id>/artifacts`. */
  async createLoggedModel(options: LoggedModelOptions): Promise<LoggedModelInfo> {
    const modelId = `m-${randomUUID().replace(/-/g, '')}`;
    return this.#write(`create logged model '${options.name}'`, (db) => {
      const experiment = this.#activeExperiment(db, options.experimentId);
      const location = appendToLocation(writableLocation(experiment, this.path), 'models', modelId, 'artifacts');
      const now = Date.now();
      db.prepare(
        'INSERT INTO logged_models (model_id, experiment_id, name, artifact_location, creation_timestamp_ms, last_updated_timestamp_ms, status, lifecycle_stage, model_type, source_run_id, status_message) ' +
          'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)',
      ).run(modelId, experiment.experiment_id, options.name, location, now, now, LOGGED_MODEL_STATUS.PENDING, 'active', options.modelType ?? null, options.sourceRunId ?? null);
      const param = db.prepare('INSERT INTO logged_model_params (model_id, experiment_id, param_key, param_value) VALUES (?, ?, ?, ?)');
      for (const [key, value] of Object.entries(options.params ?? {})) param.run(modelId, experiment.experiment_id, key, value);
      const tag = db.prepare('INSERT INTO logged_model_tags (model_id, experiment_id, tag_key, tag_value) VALUES (?, ?, ?, ?)');
      for (const [key, value] of Object.entries(options.tags ?? {})) tag.run(modelId, experiment.experiment_id, key, value);
      return {
        model_id: modelId,
        experiment_id: String(experiment.experiment_id),
        name: options.name,
        artifact_uri: location,
        status: 'LOGGED_MODEL_PENDING',
        source_run_id: options.sourceRunId,
        model_type: options.modelType,
      };
    });
  }

  /** Marks a logged model READY (its files are written) or UPLOAD_FAILED. */
  async finalizeLoggedModel(modelId: string, status: 'READY' | 'UPLOAD_FAILED'): Promise<LoggedModelInfo> {
    return this.#write(`finalize logged model ${modelId} as ${status}`, (db) => {
      const changed = db.prepare('UPDATE logged_models SET status = ?, last_updated_timestamp_ms = ? WHERE model_id = ?').run(LOGGED_MODEL_STATUS[status], Date.now(), modelId).changes;
      if (changed === 0) throw new TrackingError(`Logged model ${modelId} does not exist in ${this.path}.`);
      const row = db.prepare('SELECT model_id, experiment_id, name, artifact_location, model_type, source_run_id FROM logged_models WHERE model_id = ?').get(modelId)!;
      return {
        model_id: String(row.model_id),
        experiment_id: String(row.experiment_id),
        name: String(row.name),
        artifact_uri: String(row.artifact_location),
        status: `LOGGED_MODEL_${status}`,
        source_run_id: (row.source_run_id as string | null) ?? undefined,
        model_type: (row.model_type as string | null) ?? undefined,
      };
    });
  }

  /** Records models as outputs of a run (what the run page lists under "Logged models"). */
  async logOutputs(runId: string, models: readonly { modelId: string; step?: number }[]): Promise<void> {
    await this.#write(`link ${models.length} logged model(s) to run ${runId}`, (db) => {
      this.#activeRun(db, runId);
      const insert = db.prepare(
        'INSERT INTO inputs (input_uuid, source_type, source_id, destination_type, destination_id, step) VALUES (?, ?, ?, ?, ?, ?) ' +
          'ON CONFLICT (source_type, source_id, destination_type, destination_id) DO NOTHING',
      );
      for (const m of models) insert.run(randomUUID().replace(/-/g, ''), 'RUN_OUTPUT', runId, 'MODEL_OUTPUT', m.modelId, m.step ?? 0);
    });
  }

  #activeExperiment(db: SqliteDatabase, experimentId: string): ExperimentRow {
    const row = db.prepare('SELECT experiment_id, name, artifact_location, lifecycle_stage FROM experiments WHERE experiment_id = ?').get(Number(experimentId)) as ExperimentRow | undefined;
    if (row === undefined) throw new TrackingError(`MLflow experiment ${experimentId} does not exist in ${this.path}.`);
    if (row.lifecycle_stage !== 'active') throw new TrackingError(`MLflow experiment '${row.name}' (${experimentId}) in ${this.path} is deleted; restore it or log to another experiment.`);
    return row;
  }

  #activeRun(db: SqliteDatabase, runId: string): RunRow {
    const row = db.prepare('SELECT run_uuid, name, status, start_time, end_time, artifact_uri, experiment_id, lifecycle_stage FROM runs WHERE run_uuid = ?').get(runId) as RunRow | undefined;
    if (row === undefined) throw new TrackingError(`MLflow run ${runId} does not exist in ${this.path}.`);
    if (row.lifecycle_stage !== 'active') throw new TrackingError(`MLflow run ${runId} in ${this.path} is deleted; MLflow does not log to deleted runs.`);
    return row;
  }

  /** Runs `action` in one BEGIN IMMEDIATE transaction on the (opened, checked) database. */
  async #write<T>(what: string, action: (db: SqliteDatabase) => T): Promise<T> {
    const db = this.#open();
    try {
      return db.transaction(() => action(db)).immediate();
    } catch (e) {
      if (e instanceof TrackingError || e instanceof ParameterError) throw e;
      throw new TrackingError(`Could not ${what} in the MLflow database ${this.path}: ${(e as Error).message}${busyHint(e, this.#busyTimeoutMs)}`, { cause: e });
    }
  }

  /** Opens the database, creating MLflow's schema in a new file; refuses a database at another revision. */
  #open(): SqliteDatabase {
    if (this.#db?.open) return this.#db;
    const Database = sqliteDatabaseClass();
    checkDirectoryOf(this.path);
    let db: SqliteDatabase;
    try {
      db = new Database(this.path, { timeout: this.#busyTimeoutMs });
    } catch (e) {
      throw new TrackingError(`Could not open the MLflow database ${this.path}: ${(e as Error).message}. Check that its directory exists and is writable.`, { cause: e });
    }
    try {
      // What MLflow sets on every SQLite connection (mlflow/store/db/utils.py).
      db.pragma('foreign_keys = ON');
      db.transaction(() => this.#ensureSchema(db)).immediate();
    } catch (e) {
      db.close();
      if (e instanceof TrackingError) throw e;
      const notADatabase = /not a database|file is encrypted/i.test((e as Error).message);
      throw new TrackingError(
        notADatabase
          ? `${this.path} is not a SQLite database, so MLflow cannot use it as its tracking store. Move it away or point MLFLOW_TRACKING_URI at another file (sqlite:///other.db).`
          : `Could not prepare the MLflow database ${this.path}: ${(e as Error).message}${busyHint(e, this.#busyTimeoutMs)}`,
        { cause: e },
      );
    }
    this.#db = db;
    return db;
  }

  #ensureSchema(db: SqliteDatabase): void {
    const revision = revisionOf(db);
    if (revision === MLFLOW_SCHEMA_REVISION) return;
    if (revision !== undefined) throw new TrackingError(revisionMessage(this.path, revision));
    const existing = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all().map((r) => String(r.name));
    if (existing.length > 0) {
      throw new TrackingError(
        `${this.path} is a SQLite database but not MLflow's (it has no alembic_version table; it has ${existing.slice(0, 5).join(', ')}${existing.length > 5 ? ', ...' : ''}). ` +
          'Point MLFLOW_TRACKING_URI at another file (sqlite:///mlflow.db in an empty directory) so this one is left alone.',
      );
    }
    for (const statement of MLFLOW_SCHEMA_STATEMENTS) db.exec(statement);
    db.prepare('INSERT INTO alembic_version (version_num) VALUES (?)').run(MLFLOW_SCHEMA_REVISION);
    for (const [table, { columns, rows }] of Object.entries(MLFLOW_SCHEMA_SEED_ROWS)) {
      const insert = db.prepare(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
      for (const row of rows) insert.run(...row);
    }
    // MLflow's Default experiment (id 0), which its UI and client expect, as SqlAlchemyStore creates it.
    const now = Date.now();
    db.prepare('INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time, workspace) VALUES (0, ?, ?, ?, ?, ?, ?)').run(
      'Default',
      appendToLocation(this.artifactRoot, '0'),
      'active',
      now,
      now,
      DEFAULT_WORKSPACE,
    );
  }
}

/** The alembic revision a database records, or undefined when it has no alembic_version table. */
function revisionOf(db: SqliteDatabase): string | undefined {
  const table = db.prepare("SELECT 1 AS present FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'").get();
  if (table === undefined) return undefined;
  const row = db.prepare('SELECT version_num FROM alembic_version').get();
  return row === undefined ? '(none)' : String(row.version_num);
}

/** What to do about a database at another alembic revision than the pinned MLflow's. */
export function revisionMessage(path: string, revision: string): string {
  const uri = sqliteUriOf(path);
  const head = `The MLflow database ${path} is at schema revision ${revision}, but @kdap/mlflow writes MLflow ${MLFLOW_SCHEMA_MLFLOW_VERSION}'s schema (alembic revision ${MLFLOW_SCHEMA_REVISION}) and leaves other revisions alone.`;
  const server = `or log through a tracking server that owns it (mlflow server --backend-store-uri ${uri}, then MLFLOW_TRACKING_URI=http://127.0.0.1:5000)`;
  if (MLFLOW_SCHEMA_HISTORY.includes(revision)) {
    return `${head} It was written by an older MLflow: back it up, then upgrade it with MLflow ${MLFLOW_SCHEMA_MLFLOW_VERSION} (pip install mlflow==${MLFLOW_SCHEMA_MLFLOW_VERSION}; mlflow db upgrade ${uri}), ${server}.`;
  }
  return `${head} It was written by a newer MLflow (a revision MLflow ${MLFLOW_SCHEMA_MLFLOW_VERSION} does not know): use a @kdap/mlflow release made for that MLflow, point MLFLOW_TRACKING_URI at a new database (sqlite:///other.db), ${server}.`;
}

function busyHint(error: unknown, timeoutMs: number): string {
  return /SQLITE_BUSY|database is locked/i.test(`${(error as { code?: string })?.code} ${(error as Error)?.message}`)
    ? ` (another process held the database for more than ${timeoutMs / 1000} s; try again, or raise busyTimeoutMs)`
    : '';
}

/** MLflow's append_to_uri_path for the locations this store writes: a local path or a file: URI. */
function appendToLocation(location: string, ...parts: string[]): string {
  return [location.replace(/\/+$/, ''), ...parts].join('/');
}

/** The experiment's artifact location when it is on this machine; refused otherwise (s3:, mlflow-artifacts:, ...). */
function writableLocation(experiment: ExperimentRow, dbPath: string): string {
  const location = experiment.artifact_location;
  if (location === null || location === '') throw new TrackingError(`MLflow experiment '${experiment.name}' in ${dbPath} has no artifact location; MLflow itself cannot log artifacts to it. Choose another experiment name.`);
  if (localPath(location) === undefined) {
    throw new TrackingError(
      `MLflow experiment '${experiment.name}' in ${dbPath} keeps its artifacts at '${location}', which only a tracking server can write to. ` +
        `Log through that server (MLFLOW_TRACKING_URI=http://...), or choose another experiment name so its artifacts go to ./mlruns.`,
    );
  }
  return location;
}

/** The local directory of a plain path or file: URI, else undefined. */
function localPath(location: string): string | undefined {
  if (location.startsWith('file:')) return fileURLToPath(location.startsWith('file:///') ? location : `file://${location.slice('file:'.length)}`);
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(location)) return undefined;
  return resolve(location);
}

/** The file an artifact path names under a local artifact location; refuses paths that leave it. */
function artifactFile(artifactUri: string, path: string): string {
  const base = localPath(artifactUri);
  if (base === undefined) throw new TrackingError(`The artifact location '${artifactUri}' is not on this machine; the SQLite store writes local artifacts only.`);
  const target = resolve(base, ...path.split('/').filter((s) => s !== ''));
  const inside = relative(base, target);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) throw new ParameterError('path', `Artifact paths stay inside the run's artifact directory; '${path}' does not.`);
  return target;
}

function checkDirectoryOf(file: string): void {
  const dir = dirname(file);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new TrackingError(`The directory of the MLflow database ${file} does not exist. Create it, or point MLFLOW_TRACKING_URI at a file in an existing directory.`);
  }
}

function runInfo(row: RunRow): RunInfo {
  return {
    run_id: row.run_uuid,
    experiment_id: String(row.experiment_id),
    run_name: row.name ?? undefined,
    status: row.status,
    start_time: row.start_time ?? undefined,
    end_time: row.end_time ?? undefined,
    artifact_uri: row.artifact_uri,
    lifecycle_stage: row.lifecycle_stage,
  };
}

/** A metric value as MLflow stores it: NaN as 0 with is_nan, infinities as the largest finite doubles. */
function sanitize(value: MetricEntry['value']): { value: number; isNan: 0 | 1 } {
  const n = typeof value === 'number' ? value : value === 'NaN' ? Number.NaN : value === 'Infinity' ? Infinity : -Infinity;
  if (Number.isNaN(n)) return { value: 0, isNan: 1 };
  if (n === Infinity) return { value: MAX_DOUBLE, isNan: 0 };
  if (n === -Infinity) return { value: -MAX_DOUBLE, isNan: 0 };
  return { value: n, isNan: 0 };
}

/** Inserts metric history rows (duplicates ignored, as MLflow does) and moves latest_metrics forward by (step, timestamp, value). */
function logMetrics(db: SqliteDatabase, runId: string, metrics: readonly MetricEntry[]): void {
  const insert = db.prepare('INSERT INTO metrics ("key", value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING');
  const latest = new Map<string, { value: number; isNan: 0 | 1; timestamp: number; step: number }>();
  for (const m of metrics) {
    const { value, isNan } = sanitize(m.value);
    insert.run(m.key, value, m.timestamp, runId, m.step, isNan);
    const best = latest.get(m.key);
    if (best === undefined || newer({ step: m.step, timestamp: m.timestamp, value }, best)) latest.set(m.key, { value, isNan, timestamp: m.timestamp, step: m.step });
  }
  const find = db.prepare('SELECT value, timestamp, step FROM latest_metrics WHERE "key" = ? AND run_uuid = ?');
  const upsert = db.prepare(
    'INSERT INTO latest_metrics ("key", value, timestamp, step, is_nan, run_uuid) VALUES (?, ?, ?, ?, ?, ?) ' +
      'ON CONFLICT ("key", run_uuid) DO UPDATE SET value = excluded.value, timestamp = excluded.timestamp, step = excluded.step, is_nan = excluded.is_nan',
  );
  for (const [key, m] of [...latest.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const old = find.get(key, runId) as { value: number; timestamp: number; step: number } | undefined;
    if (old === undefined || newer(m, old)) upsert.run(key, m.value, m.timestamp, m.step, m.isNan, runId);
  }
}

/** MLflow's _compare_metrics: strictly more recent by (step, timestamp, value). */
function newer(a: { step: number; timestamp: number; value: number }, b: { step: number; timestamp: number; value: number }): boolean {
  if (a.step !== b.step) return a.step > b.step;
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  return a.value > b.value;
}
