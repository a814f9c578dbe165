import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expectKdapError } from '@kdap/test-support';
import { mlflowPython } from '../testing/mlflow-python';
import { sqliteDatabaseClass } from './load-sqlite';
import { MLFLOW_SCHEMA_HISTORY, MLFLOW_SCHEMA_MLFLOW_VERSION, MLFLOW_SCHEMA_REVISION, MLFLOW_SCHEMA_STATEMENTS } from './mlflow-schema';
import { SqliteTrackingStore } from './sqlite-store';
import { DEFAULT_SQLITE_URI, sqlitePathFromUri } from './sqlite-uri';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'kdap-sqlite-store-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function storeIn(dir: string): SqliteTrackingStore {
  return new SqliteTrackingStore({ trackingUri: `sqlite:///${join(dir, 'mlflow.db')}`, artifactRoot: join(dir, 'mlruns') });
}

/** Rows of a query on a database file, through the same SQLite library. */
function query(path: string, sql: string, ...params: unknown[]): Record<string, unknown>[] {
  const db = new (sqliteDatabaseClass())(path, { fileMustExist: true });
  try {
    return db.prepare(sql).all(...params);
  } finally {
    db.close();
  }
}

/** Every CREATE statement of a database as sqlite_master holds it, sorted. */
function schemaOf(path: string): string[] {
  return query(path, "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'")
    .map((r) => String(r.sql))
    .sort();
}

/**
 * A CREATE statement with its clauses (one per line, as SQLAlchemy writes them) in sorted order:
 * MLflow emits some table constraints in Python set order, which differs between runs.
 */
function clauses(sql: string): string {
  return sql
    .split('\n')
    .map((line) => line.trim().replace(/,$/, ''))
    .sort()
    .join('\n');
}

describe('the MLflow SQLite schema', () => {
  // Fails when .venv-ref's MLflow is upgraded and mlflow-schema.ts was not regenerated with it.
  it(`is the one the pinned MLflow creates, at its alembic head (${MLFLOW_SCHEMA_REVISION}, MLflow ${MLFLOW_SCHEMA_MLFLOW_VERSION})`, async () => {
    const script = resolve(__dirname, '../../scripts/mlflow-sqlite-schema.py');
    const run = spawnSync(mlflowPython(), [script], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, timeout: 120_000 });
    expect(run.status).toBe(0);
    const pinned = JSON.parse(run.stdout) as { mlflow_version: string; revision: string; recorded_revision: string[]; history: string[]; statements: string[] };
    const regenerate = 'Regenerate: .venv-ref/bin/python packages/mlflow/scripts/mlflow-sqlite-schema.py --write packages/mlflow/src/sqlite/mlflow-schema.ts';
    expect({ version: pinned.mlflow_version, revision: pinned.revision, hint: regenerate }).toEqual({ version: MLFLOW_SCHEMA_MLFLOW_VERSION, revision: MLFLOW_SCHEMA_REVISION, hint: regenerate });
    expect(pinned.recorded_revision).toEqual([MLFLOW_SCHEMA_REVISION]);
    expect(pinned.history).toEqual(MLFLOW_SCHEMA_HISTORY);
    expect(pinned.statements.map(clauses).sort()).toEqual(MLFLOW_SCHEMA_STATEMENTS.map(clauses).sort());

    // And what the store writes into a new file is exactly that.
    const store = storeIn(root);
    await store.getOrCreateExperiment('kdap-schema');
    store.close();
    const db = join(root, 'mlflow.db');
    expect(store.schemaRevision()).toBe(MLFLOW_SCHEMA_REVISION);
    const ours = schemaOf(db);
    expect(ours.length).toBeGreaterThan(100);
    expect(ours).toEqual([...MLFLOW_SCHEMA_STATEMENTS].sort());
    expect(query(db, 'SELECT experiment_id, name, artifact_location, lifecycle_stage, workspace FROM experiments ORDER BY experiment_id')).toEqual([
      { experiment_id: 0, name: 'Default', artifact_location: `${join(root, 'mlruns')}/0`, lifecycle_stage: 'active', workspace: 'default' },
      { experiment_id: 1, name: 'kdap-schema', artifact_location: `${join(root, 'mlruns')}/1`, lifecycle_stage: 'active', workspace: 'default' },
    ]);
    expect(query(db, 'SELECT name FROM workspaces')).toEqual([{ name: 'default' }]);
    // MLflow's connection settings leave the rollback journal as it is.
    expect(query(db, 'PRAGMA journal_mode')).toEqual([{ journal_mode: 'delete' }]);
  }, 120_000);
});

describe('a database at another schema revision', () => {
  async function atRevision(revision: string): Promise<string> {
    const store = storeIn(root);
    await store.getOrCreateExperiment('kdap-old');
    store.close();
    const db = new (sqliteDatabaseClass())(join(root, 'mlflow.db'));
    db.prepare('UPDATE alembic_version SET version_num = ?').run(revision);
    db.close();
    return readFileSync(join(root, 'mlflow.db')).toString('base64');
  }

  it('written by an older MLflow is refused, left alone, and the message says to run mlflow db upgrade with the pinned MLflow', async () => {
    const older = MLFLOW_SCHEMA_HISTORY.at(-2)!;
    const before = await atRevision(older);
    const store = storeIn(root);
    const e = await expectKdapError(() => store.getOrCreateExperiment('kdap-new'), 'ERR_KDAP_TRACKING', `is at schema revision ${older}, but @kdap/mlflow writes MLflow ${MLFLOW_SCHEMA_MLFLOW_VERSION}'s schema (alembic revision ${MLFLOW_SCHEMA_REVISION})`);
    expect(e.message).toContain(`written by an older MLflow: back it up, then upgrade it with MLflow ${MLFLOW_SCHEMA_MLFLOW_VERSION} (pip install mlflow==${MLFLOW_SCHEMA_MLFLOW_VERSION}; mlflow db upgrade sqlite:///${join(root, 'mlflow.db')})`);
    expect(readFileSync(join(root, 'mlflow.db')).toString('base64')).toBe(before);
    expect(store.schemaRevision()).toBe(older);
  });

  it('written by a newer MLflow is refused with what to use instead', async () => {
    await atRevision('0123456789ab');
    await expectKdapError(() => storeIn(root).createRun({ experimentId: '1' }), 'ERR_KDAP_TRACKING', /written by a newer MLflow .* point MLFLOW_TRACKING_URI at a new database .*\(mlflow server --backend-store-uri/);
  });

  it('a SQLite file that is not MLflow\'s, or not SQLite at all, is refused and not touched', async () => {
    const other = new (sqliteDatabaseClass())(join(root, 'mlflow.db'));
    other.exec('CREATE TABLE notes (text TEXT)');
    other.close();
    await expectKdapError(() => storeIn(root).getOrCreateExperiment('x'), 'ERR_KDAP_TRACKING', /is a SQLite database but not MLflow's .* it has notes\)/);
    expect(query(join(root, 'mlflow.db'), "SELECT name FROM sqlite_master WHERE type = 'table'")).toEqual([{ name: 'notes' }]);
    writeFileSync(join(root, 'mlflow.db'), 'not a database, just text that is long enough to have a header of its own..........');
    await expectKdapError(() => storeIn(root).getOrCreateExperiment('x'), 'ERR_KDAP_TRACKING', /is not a SQLite database/);
  });
});

describe('what the store writes', () => {
  it('keeps MLflow\'s metric semantics: NaN and infinities, latest_metrics by (step, timestamp, value), duplicates ignored', async () => {
    const store = storeIn(root);
    const experimentId = await store.getOrCreateExperiment('kdap-metrics');
    const run = await store.createRun({ experimentId, runName: 'metrics', startTime: 1000 });
    expect(run).toMatchObject({ run_name: 'metrics', status: 'RUNNING', artifact_uri: `${join(root, 'mlruns')}/${experimentId}/${run.run_id}/artifacts` });
    await store.logBatch(run.run_id, {
      metrics: [
        { key: 'loss', value: 3, timestamp: 10, step: 1 },
        { key: 'loss', value: 2, timestamp: 10, step: 2 },
        { key: 'loss', value: 2, timestamp: 10, step: 2 },
        { key: 'odd', value: 'NaN', timestamp: 10, step: 0 },
        { key: 'big', value: 'Infinity', timestamp: 10, step: 0 },
      ],
    });
    await store.logBatch(run.run_id, { metrics: [{ key: 'loss', value: 9, timestamp: 5, step: 1 }] });
    const db = join(root, 'mlflow.db');
    expect(query(db, 'SELECT "key", value, step, is_nan FROM metrics WHERE run_uuid = ? ORDER BY "key", step, value', run.run_id)).toEqual([
      { key: 'big', value: 1.7976931348623157e308, step: 0, is_nan: 0 },
      { key: 'loss', value: 3, step: 1, is_nan: 0 },
      { key: 'loss', value: 9, step: 1, is_nan: 0 },
      { key: 'loss', value: 2, step: 2, is_nan: 0 },
      { key: 'odd', value: 0, step: 0, is_nan: 1 },
    ]);
    expect(query(db, 'SELECT "key", value, step, is_nan FROM latest_metrics WHERE run_uuid = ? ORDER BY "key"', run.run_id)).toEqual([
      { key: 'big', value: 1.7976931348623157e308, step: 0, is_nan: 0 },
      { key: 'loss', value: 2, step: 2, is_nan: 0 },
      { key: 'odd', value: 0, step: 0, is_nan: 1 },
    ]);
  });

  it('refuses to change a logged param, renames the run with mlflow.runName, and keeps artifacts inside the run', async () => {
    const store = storeIn(root);
    const run = await store.createRun({ experimentId: await store.getOrCreateExperiment('kdap-params'), runName: 'first' });
    await store.logBatch(run.run_id, { params: [{ key: 'num_leaves', value: '31' }] });
    await store.logBatch(run.run_id, { params: [{ key: 'num_leaves', value: '31' }], tags: [{ key: 'mlflow.runName', value: 'second' }] });
    await expectKdapError(() => store.logBatch(run.run_id, { params: [{ key: 'num_leaves', value: '63' }] }), 'ERR_KDAP_TRACKING', "Param 'num_leaves' of run");
    expect(query(join(root, 'mlflow.db'), 'SELECT name FROM runs WHERE run_uuid = ?', run.run_id)).toEqual([{ name: 'second' }]);
    await expectKdapError(() => store.uploadArtifact(run.artifact_uri, '../../escape.txt', 'x'), 'ERR_KDAP_PARAMETER', "Artifact paths stay inside the run's artifact directory");
    await store.uploadArtifact(run.artifact_uri, 'a/b.txt', 'x');
    expect(readFileSync(join(run.artifact_uri, 'a', 'b.txt'), 'utf8')).toBe('x');
    const finished = await store.updateRun(run.run_id, 'FINISHED', 5000);
    expect(finished).toMatchObject({ status: 'FINISHED', end_time: 5000, run_name: 'second' });
  });

  it('refuses experiments whose artifacts only a server can write', async () => {
    const store = storeIn(root);
    await store.getOrCreateExperiment('kdap-local');
    store.close();
    const db = new (sqliteDatabaseClass())(join(root, 'mlflow.db'));
    db.prepare("INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time, workspace) VALUES ('served', 'mlflow-artifacts:/2', 'active', 0, 0, 'default')").run();
    db.close();
    const served = await store.getOrCreateExperiment('served');
    await expectKdapError(() => store.createRun({ experimentId: served }), 'ERR_KDAP_TRACKING', "keeps its artifacts at 'mlflow-artifacts:/2', which only a tracking server can write to");
  });
});

describe('sqlite tracking URIs', () => {
  it('resolves relative and absolute database paths as SQLAlchemy does, and refuses in-memory databases', () => {
    expect(sqlitePathFromUri(DEFAULT_SQLITE_URI, 'x', '/work/dir')).toBe('/work/dir/mlflow.db');
    expect(sqlitePathFromUri('sqlite:////abs/runs%20db/mlflow.db', 'x')).toBe('/abs/runs db/mlflow.db');
    expectKdapError(() => sqlitePathFromUri('sqlite://', 'MLFLOW_TRACKING_URI'), 'ERR_KDAP_PARAMETER', /MLFLOW_TRACKING_URI must name a SQLite database file/);
    expectKdapError(() => sqlitePathFromUri('sqlite:///:memory:', 'x'), 'ERR_KDAP_PARAMETER', /in-memory database would lose the runs/);
    expectKdapError(() => sqlitePathFromUri('sqlite:///m.db?timeout=5', 'x'), 'ERR_KDAP_PARAMETER', /takes no query options/);
    expect(new SqliteTrackingStore({ trackingUri: 'sqlite:////tmp/x/mlflow.db' }).trackingUri).toBe('sqlite:////tmp/x/mlflow.db');
    expectKdapError(() => new SqliteTrackingStore({ busyTimeoutMs: -1 }), 'ERR_KDAP_PARAMETER', "The 'busyTimeoutMs' option of SqliteTrackingStore must be an integer >= 0");
  });
});
