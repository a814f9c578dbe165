import { AbortError, KdapError } from '@kdap/errors';
// The subpath, not the index: @kdap/core/testing is built into core's dist, and the index pulls in
// @kdap/preprocessing (DuckDB's native binding), which a bundle cannot take.
import { expectKdapError } from '@kdap/test-support/expect-kdap-error';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBundle } from '../bundle/load-bundle';
import { BUNDLE_KEY_ENV, type BundleKey } from '../bundle/manifest-integrity';
import type { ModelKind } from '../config/model-kind';
import type { FeatureTable } from '../schema/feature-table';
import type { ColumnMapping } from '../trainer/column-mapping';
import type { FittedModel } from '../trainer/fitted-model';
import type { TrainingProgress } from '../trainer/progress';
import type { Tracker } from '../trainer/tracker';
import type { Trainer } from '../trainer/trainer';

/** What the contract suite needs to exercise one trainer class. */
export interface TrainerContractSubject<K extends ModelKind> {
  kind: K;
  /** A new, unfitted trainer; `tracker` and `columns` must be passed through to the Trainer options. */
  create(options?: { tracker?: Tracker; columns?: ColumnMapping<K> }): Trainer<K, FittedModel>;
  /** Training data holding every configured feature and, unless unsupervised, the target column. */
  train: FeatureTable;
  /** Data to score (may equal `train`). */
  score: FeatureTable;
  /** The target column, or undefined for unsupervised training. */
  target?: string;
  /** The metric names `train()` must report (the Python module's names). */
  metricNames: readonly string[];
  /** A required feature (absent at predict time -> SchemaError) and an optional one (absent -> still scores). */
  requiredFeature: string;
  optionalFeature?: string;
  /** Rebuilds a scorer from a saved bundle with the model's own `load(dir, options)`, passing `options` on. */
  loadPredictor(dir: string, options?: { signingKey?: BundleKey }): Promise<{ predict(table: FeatureTable): Float64Array }>;
  /**
   * The `columns` option: a mapping, and the renames (model name -> the user's name) that turn
   * `train`/`score` into the user's own data. `modelNamesScore`: a model fitted on the user's names
   * still scores a table in the model's own names (the Python module's).
   */
  columns?: { mapping: ColumnMapping<K>; renames: Readonly<Record<string, string>>; modelNamesScore: boolean };
}

function renamed(table: FeatureTable, renames: Readonly<Record<string, string>>): FeatureTable {
  const back = new Map(Object.entries(renames).map(([model, user]) => [user, model]));
  return { rowCount: table.rowCount, columnNames: table.columnNames.map((n) => renames[n] ?? n), column: (n) => table.column(back.get(n) ?? n) };
}

function without(table: FeatureTable, name: string): FeatureTable {
  return { rowCount: table.rowCount, columnNames: table.columnNames.filter((n) => n !== name), column: (n) => table.column(n) };
}

/**
 * The Trainer contract as one jest suite, to run over every trainer (test doubles here, the real
 * models in their packages): `runTrainerContract('BudgetOptimizerTrainer', subject)`.
 */
export function runTrainerContract<K extends ModelKind>(name: string, subject: TrainerContractSubject<K>): void {
  const fit = (trainer: Trainer<K, FittedModel>, options: { signal?: AbortSignal; onProgress?: (p: TrainingProgress) => void } = {}) =>
    trainer.fit(subject.train, { target: subject.target, ...options });

  describe(`${name} follows the Trainer contract`, () => {
    it('trains, reporting the Python metric names, best iteration, history and timings', async () => {
      const trainer = subject.create();
      const events: TrainingProgress[] = [];
      const listened: TrainingProgress[] = [];
      trainer.on('progress', (p) => listened.push(p));
      const result = await fit(trainer, { onProgress: (p) => events.push(p) });
      expect(Object.keys(result.metrics).sort()).toEqual([...subject.metricNames].sort());
      expect(events.length).toBeGreaterThanOrEqual(1);
      expect(listened).toEqual(events);
      expect(events.map((e) => e.iteration)).toEqual(events.map((_, i) => i + 1));
      expect(result.bestIteration).toBeGreaterThanOrEqual(1);
      expect(result.bestIteration).toBeLessThanOrEqual(events.length);
      for (const series of Object.values(result.history)) expect(series).toHaveLength(events.length);
      for (const ms of Object.values(result.timings)) expect(ms).toBeGreaterThanOrEqual(0);
      expect(trainer.isFitted).toBe(true);
    });

    it('scores one value per row, the same on every call', async () => {
      const trainer = subject.create();
      await fit(trainer);
      const first = trainer.predict(subject.score);
      expect(first).toHaveLength(subject.score.rowCount);
      expect(trainer.predict(subject.score)).toEqual(first);
    });

    it('needs its required features at predict time and tolerates absent optional ones', async () => {
      const trainer = subject.create();
      await fit(trainer);
      const missing = expectKdapError(() => trainer.predict(without(subject.score, subject.requiredFeature)), 'ERR_KDAP_SCHEMA', `'${subject.requiredFeature}'`);
      expect(missing).toMatchObject({ column: subject.requiredFeature });
      if (subject.optionalFeature !== undefined) {
        expect(trainer.predict(without(subject.score, subject.optionalFeature))).toHaveLength(subject.score.rowCount);
      }
    });

    it('stops on an AbortSignal, before or during training', async () => {
      const before = subject.create();
      await expectKdapError(() => fit(before, { signal: AbortSignal.abort() }), 'ERR_KDAP_ABORTED');
      expect(before.isFitted).toBe(false);
      const during = subject.create();
      const controller = new AbortController();
      const run = fit(during, { signal: controller.signal, onProgress: () => controller.abort() });
      await expect(run).rejects.toThrow(AbortError);
      expect(during.isFitted).toBe(false);
    });

    it('refuses a second training while one runs', async () => {
      const trainer = subject.create();
      const first = fit(trainer);
      await expectKdapError(() => fit(trainer), 'ERR_KDAP_USAGE', /is already training/);
      await first;
    });

    it('says what to call before it is fitted', () => {
      const trainer = subject.create();
      expectKdapError(() => trainer.predict(subject.score), 'ERR_KDAP_NOT_FITTED', /\.predict\(\) needs a fitted model\. Call train\(XTrain, yTrain\) or fit\(table, \{ target \}\) first\./);
      expectKdapError(() => trainer.model, 'ERR_KDAP_NOT_FITTED');
    });

    it("logs through the tracker seam, and without one to MLflow's embedded default in the working directory", async () => {
      const untracked = subject.create();
      await fit(untracked);
      // No tracker and no MLFLOW_TRACKING_URI: @kdap/mlflow's default, ./mlflow.db + ./mlruns (as
      // MLflow 3.7+ itself), here in a directory of its own.
      const cwd = process.cwd();
      const uri = process.env['MLFLOW_TRACKING_URI'];
      const dir = mkdtempSync(join(tmpdir(), 'kdap-contract-mlflow-'));
      try {
        delete process.env['MLFLOW_TRACKING_URI'];
        process.chdir(dir);
        const runId = await untracked.logToMlflow({ runName: 'contract' });
        expect(runId).toMatch(/^[0-9a-f]{32}$/);
        expect(existsSync(join(dir, 'mlflow.db'))).toBe(true);
      } finally {
        process.chdir(cwd);
        if (uri !== undefined) process.env['MLFLOW_TRACKING_URI'] = uri;
        rmSync(dir, { recursive: true, force: true });
      }
      const runNames: string[] = [];
      const tracked = subject.create({ tracker: { logRun: async (run) => (runNames.push(run.runName), 'run-1') } });
      await fit(tracked);
      await expect(tracked.logToMlflow({ runName: 'contract' })).resolves.toBe('run-1');
      expect(runNames).toEqual(['contract']);
    });

    it('saves a bundle of its kind that scores identically after loading', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'kdap-contract-'));
      try {
        const trainer = subject.create();
        await fit(trainer);
        await trainer.save(join(dir, 'model'));
        const bundle = await loadBundle(join(dir, 'model'), { kind: subject.kind });
        expect(bundle.featureSchema.toJSON()).toEqual(trainer.featureSchema.toJSON());
        expect(bundle.manifest.target).toBe(subject.target ?? null);
        const loaded = await subject.loadPredictor(join(dir, 'model'));
        expect(loaded.predict(subject.score)).toEqual(trainer.predict(subject.score));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    if (subject.columns !== undefined) {
      const { mapping, renames, modelNamesScore } = subject.columns;
      const userTrain = renamed(subject.train, renames);
      const userScore = renamed(subject.score, renames);
      const userFit = (trainer: Trainer<K, FittedModel>, table: FeatureTable) =>
        trainer.fit(table, (mapping as { target?: string }).target === undefined ? { target: subject.target } : {});

      it("trains and scores on the user's own column names (the columns option), and its bundle keeps the mapping", async () => {
        const dir = mkdtempSync(join(tmpdir(), 'kdap-contract-columns-'));
        try {
          const trainer = subject.create({ columns: mapping });
          expect(trainer.columns).toEqual(mapping);
          await userFit(trainer, userTrain);
          const scores = trainer.predict(userScore);
          expect(scores).toHaveLength(subject.score.rowCount);
          if (modelNamesScore) expect(trainer.predict(subject.score)).toEqual(scores);
          await trainer.save(join(dir, 'model'));
          const bundle = await loadBundle(join(dir, 'model'), { kind: subject.kind });
          expect(bundle.columns).toEqual(mapping);
          const loaded = await subject.loadPredictor(join(dir, 'model'));
          expect(loaded.predict(userScore)).toEqual(scores);
          if (modelNamesScore) expect(loaded.predict(subject.score)).toEqual(scores);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });

      const roles = Object.entries(mapping) as [string, string | string[]][];
      const mappedColumn = roles.find(([r]) => r !== 'target');
      if (mappedColumn !== undefined) {
        it('names a mapped column the table lacks, and lists the columns it has', async () => {
          const [role, column] = mappedColumn;
          const name = Array.isArray(column) ? column[0]! : column;
          const table = without(userTrain, name);
          const error = await expectKdapError(() => userFit(subject.create({ columns: mapping }), table), 'ERR_KDAP_SCHEMA', `'${name}'`);
          expect(error.message).toContain(`columns.${role}`);
          expect(error.message).toContain(`Its columns are: ${table.columnNames.join(', ')}`);
        });
      } else {
        // A mapping of the target alone: its absence is the fit's target check (a ParameterError
        // of the base trainer, a SchemaError of trainers with their own target rules).
        it('names the mapped target column the table lacks, and lists the columns it has', async () => {
          const name = String(roles.find(([r]) => r === 'target')![1]);
          const table = without(userTrain, name);
          const error: unknown = await userFit(subject.create({ columns: mapping }), table).then(() => undefined, (e: unknown) => e);
          expect(error).toBeInstanceOf(KdapError);
          expect((error as KdapError).message).toContain(`target column '${name}'`);
          expect((error as KdapError).message).toContain(`Its columns are: ${table.columnNames.join(', ')}`);
        });
      }

      it('refuses an unknown column role with the roles it has', () => {
        expectKdapError(() => subject.create({ columns: { chanel: 'x' } as unknown as ColumnMapping<K> }), 'ERR_KDAP_PARAMETER', /has no column role 'chanel'.*Its roles are: /);
      });
    }

    it('signs bundles with a key, and its load honours the signingKey option and KDAP_BUNDLE_KEY', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'kdap-contract-signed-'));
      const env = process.env[BUNDLE_KEY_ENV];
      const key = 'contract-key-0123456789abcdef';
      try {
        delete process.env[BUNDLE_KEY_ENV];
        const trainer = subject.create();
        await fit(trainer);
        await trainer.save(join(dir, 'signed'), { signingKey: key });
        await trainer.save(join(dir, 'unsigned'));
        const loaded = await subject.loadPredictor(join(dir, 'signed'), { signingKey: key });
        expect(loaded.predict(subject.score)).toEqual(trainer.predict(subject.score));
        await expectKdapError(() => subject.loadPredictor(join(dir, 'signed'), { signingKey: `other-${key}` }), 'ERR_KDAP_BUNDLE', /does not match the bundle key/);
        process.env[BUNDLE_KEY_ENV] = key;
        await expectKdapError(() => subject.loadPredictor(join(dir, 'unsigned')), 'ERR_KDAP_BUNDLE', /is not signed/);
        expect((await loadBundle(join(dir, 'signed'), { kind: subject.kind })).signature).toBe('verified');
      } finally {
        if (env === undefined) delete process.env[BUNDLE_KEY_ENV];
        else process.env[BUNDLE_KEY_ENV] = env;
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
