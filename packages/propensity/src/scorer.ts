import { columnRenames, FeatureSchema, loadBundle, renameColumns, type BundleKey, type ColumnMapping, type ColumnRename, type FeatureColumn, type FeatureMatrix, type FeatureTable } from '@kdap/core';
import { BundleError, DataError, DisposedError, ParameterError, SchemaError, describe } from '@kdap/errors';
import { categoricalColumn, encodeCategorical, MISSING_CODE, numericColumn, Table, type CategoricalColumn, type DataRecord } from '@kdap/preprocessing';
import { Booster } from '@kdap/xgboost-node';
import { calibratorFromJSON, type CalibratorState } from './calibrator';
import { categoricalDrift, numericDrift, ScoreDistribution, type FeatureDrift, type ScoreDistributionState } from './distribution';
import { PropensityModel, type DriftBaseline, type PropensityState } from './model';
import type { CalibrationReport } from './report';

const NAME = 'PropensityScorer';

/** One scored customer, in the Python module's shape. */
export interface PropensityScore {
  /** The row's `features.id_column` value (text), or null when the input has none. */
  customer_id: string | null;
  /** Calibrated probability of converting (0-1). */
  propensity_score: number;
  /** |2p - 1| (0-1): how far the score is from a coin flip; 0.78 -> 0.56. */
  confidence: number;
  /** 100 x share of the training customers' calibrated scores <= this score (0-100). */
  percentile_rank: number;
  /** The first configured segment whose min_score the score reaches. */
  segment_assignment: string;
}

/** Scores of many customers as columns (what `scoreMany` builds its records from; cheap to write to Parquet). */
export interface ScoreColumns {
  customer_id: Array<string | null>;
  propensity_score: Float64Array;
  confidence: Float64Array;
  percentile_rank: Float64Array;
  /** Index into `segments` per row. */
  segment_codes: Int32Array;
  segments: readonly string[];
}

/** One feature's contribution to a customer's score. */
export interface TopFactor {
  feature: string;
  /** SHAP contribution in the booster's log-odds (before calibration); positive raises the score. */
  contribution: number;
  /** The customer's value (a number, a category, or null when missing). */
  value: number | string | null;
}

/** What `drift(table)` returns. */
export interface DriftReport {
  rows: number;
  /** PSI of the calibrated score against the training scores (deciles + missing bin). < 0.1 stable, 0.1-0.25 moderate, > 0.25 major. */
  score_psi: number;
  features: Record<string, FeatureDrift>;
}

type ScorerInput = readonly DataRecord[] | FeatureTable;

/**
 * Scores customers with a fitted propensity model: calibrated score, confidence, percentile rank
 * against the training population, segment; SHAP top factors; drift against training. Load one
 * from a bundle with `PropensityScorer.load(dir)` or get one from `trainer.scorer()`.
 *
 * Inputs: records or a Table. Extra columns are ignored. A feature column absent from the input
 * is a SchemaError; a missing value (null / NaN) is scored as missing (XGBoost's learned default
 * branch); a category never seen in training is scored as missing (counted by `drift`); ±Infinity
 * is a DataError. An empty input gives an empty result.
 */
export class PropensityScorer {
  readonly #model: PropensityModel;
  readonly #schema: FeatureSchema;
  readonly #owned: boolean;
  /** The trainer's `columns` option: inputs may name the id column so (or use `features.id_column`). */
  readonly columns: ColumnMapping<'propensity'>;
  readonly #renames: ColumnRename[];
  #disposed = false;

  /** @internal Use `trainer.scorer()` or `PropensityScorer.load(dir)`. */
  constructor(model: PropensityModel, schema: FeatureSchema, options: { owned: boolean; columns?: ColumnMapping<'propensity'> }) {
    this.#model = model;
    this.#schema = schema;
    this.#owned = options.owned;
    this.columns = Object.freeze({ ...(options.columns ?? {}) });
    this.#renames = columnRenames(this.columns, { id: model.state.idColumn }).filter((r) => r.column !== r.model);
  }

  /**
   * Loads a scorer from a bundle written by `PropensityTrainer.save`. With `signingKey` (default:
   * `KDAP_BUNDLE_KEY`), only a bundle signed with it loads.
   */
  static async load(dir: string, options: { signingKey?: BundleKey } = {}): Promise<PropensityScorer> {
    const bundle = await loadBundle(dir, { kind: 'propensity', signingKey: options.signingKey });
    const need = (file: string) => {
      if (!(file in bundle.state)) throw new BundleError(dir, `Model bundle '${dir}' has no state/${file}; it was not written by PropensityTrainer.`);
      return bundle.state[file];
    };
    const bytes = bundle.modelFiles['model.json'];
    if (bytes === undefined) throw new BundleError(dir, `Model bundle '${dir}' has no model.json; it was not written by PropensityTrainer.`);
    const booster = Booster.fromBuffer(new Uint8Array(bytes));
    try {
      const model = new PropensityModel(
        booster,
        calibratorFromJSON(need('calibration.json') as CalibratorState),
        ScoreDistribution.fromJSON(need('score_distribution.json') as ScoreDistributionState),
        need('calibration_report.json') as CalibrationReport | null,
        need('drift_baseline.json') as DriftBaseline,
        bundle.metrics,
        need('propensity.json') as PropensityState,
      );
      return new PropensityScorer(model, bundle.featureSchema, { owned: true, columns: bundle.columns as ColumnMapping<'propensity'> });
    } catch (e) {
      booster.dispose();
      throw e;
    }
  }

  /** Held-out metrics of training (Python names; `_uncalibrated` = before calibration). */
  get metrics(): Readonly<Record<string, number>> {
    return this.#alive().metrics;
  }

  /** The calibration report on the held-out metric rows. */
  get report(): CalibrationReport | null {
    return this.#alive().report;
  }

  /** Feature names in model order. */
  get featureNames(): string[] {
    return this.#schema.featureNames;
  }

  /** Split sizes, threshold, segments, XGBoost parameters. */
  get state(): Readonly<PropensityState> {
    return this.#alive().state;
  }

  /** Scores one customer record. */
  score(record: DataRecord): PropensityScore {
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      throw new ParameterError('record', `The 'record' argument of ${NAME}.score must be an object of column values. Got ${describe(record)}.`);
    }
    return this.scoreMany([record])[0]!;
  }

  /** Scores many customers (one native prediction call for the whole batch). */
  scoreMany(input: ScorerInput): PropensityScore[] {
    const c = this.scoreColumns(input);
    const out: PropensityScore[] = new Array(c.propensity_score.length);
    for (let i = 0; i < out.length; i++) {
      out[i] = {
        customer_id: c.customer_id[i]!,
        propensity_score: c.propensity_score[i]!,
        confidence: c.confidence[i]!,
        percentile_rank: c.percentile_rank[i]!,
        segment_assignment: c.segments[c.segment_codes[i]!]!,
      };
    }
    return out;
  }

  /** Calibrated scores only, one per row (the Trainer contract's `predict`). */
  predict(input: ScorerInput): Float64Array {
    const model = this.#alive();
    return model.predict(this.#encode(this.#table(input, 'predict'), 'predict'));
  }

  /**
   * Scores as columns: the fast path for large tables. With `{ ids: false }` the `customer_id`
   * list is left empty (pass the input's id column through instead of building a million strings).
   */
  scoreColumns(input: ScorerInput, options: { ids?: boolean } = {}): ScoreColumns {
    const model = this.#alive();
    const table = this.#table(input, 'scoreMany');
    const scores = model.predict(this.#encode(table, 'scoreMany'));
    const n = scores.length;
    const confidence = new Float64Array(n);
    const percentile = model.distribution.percentileRanks(scores);
    const codes = new Int32Array(n);
    const segments = model.state.segments;
    for (let i = 0; i < n; i++) {
      const p = scores[i]!;
      confidence[i] = Math.abs(2 * p - 1);
      let k = 0;
      while (k < segments.length - 1 && p < segments[k]!.min_score) k++;
      codes[i] = k;
    }
    return { customer_id: options.ids === false ? [] : this.#ids(table), propensity_score: scores, confidence, percentile_rank: percentile, segment_codes: codes, segments: segments.map((s) => s.name) };
  }

  /**
   * Scores as a Table with the columns of `scoreMany`'s records (customer_id, propensity_score,
   * confidence, percentile_rank, segment_assignment), built from typed arrays: what batch scoring
   * writes to Parquet/CSV (`kdap score`). The input's id column passes through as text codes (no
   * string per row); absent, customer_id is all missing, as in `scoreMany`.
   */
  scoreTable(input: ScorerInput): Table {
    const table = this.#table(input, 'scoreTable');
    const c = this.scoreColumns(table, { ids: false });
    return new Table({
      customer_id: this.#idColumn(table),
      propensity_score: numericColumn(c.propensity_score),
      confidence: numericColumn(c.confidence),
      percentile_rank: numericColumn(c.percentile_rank),
      segment_assignment: categoricalColumn(c.segment_codes, c.segments),
    });
  }

  /**
   * The `top` features that moved each customer's score most (by |SHAP contribution|), in the
   * booster's log-odds, highest first. The contributions plus the bias sum to the uncalibrated
   * log-odds; calibration then maps that score monotonically.
   */
  topFactors(input: ScorerInput, options: { top?: number } = {}): TopFactor[][] {
    const model = this.#alive();
    const top = options.top ?? 3;
    if (!Number.isInteger(top) || top < 1) throw new ParameterError('top', `The 'top' option of ${NAME}.topFactors must be an integer >= 1. Got ${describe(top)}.`);
    const table = this.#table(input, 'topFactors');
    const X = this.#encode(table, 'topFactors');
    const shap = model.contributions(X);
    const names = this.#schema.featureNames;
    const width = X.cols + 1;
    const out: TopFactor[][] = [];
    for (let i = 0; i < X.rows; i++) {
      const order = names.map((_, j) => j).sort((a, b) => Math.abs(shap[i * width + b]!) - Math.abs(shap[i * width + a]!));
      out.push(
        order.slice(0, top).map((j) => {
          const raw = X.values[i * X.cols + j]!;
          const spec = this.#schema.features[j]!;
          const value = Number.isNaN(raw) ? null : spec.kind === 'categorical' ? (spec.categories?.[raw] ?? null) : raw;
          return { feature: names[j]!, contribution: shap[i * width + j]!, value };
        }),
      );
    }
    return out;
  }

  /**
   * Population stability of the score and of each feature against training, with counts of
   * missing values, unseen categories and numbers outside the training range.
   */
  drift(input: ScorerInput): DriftReport {
    const model = this.#alive();
    const table = this.#table(input, 'drift');
    if (table.rowCount === 0) throw new DataError(`${NAME}.drift needs at least one row; the table is empty.`);
    const scores = model.predict(this.#encode(table, 'drift'));
    const features: Record<string, FeatureDrift> = {};
    for (const spec of this.#schema.features) {
      const baseline = model.baseline.features[spec.name];
      if (baseline === undefined) continue;
      const column = table.column(spec.name);
      if (baseline.kind === 'categorical') {
        const texts =
          column.kind === 'categorical'
            ? Array.from(column.codes, (c) => (c < 0 ? undefined : column.categories[c]))
            : Array.from((column as { values: ArrayLike<number> }).values, (v) => (Number.isNaN(v) ? undefined : String(v)));
        features[spec.name] = categoricalDrift(baseline, texts);
      } else {
        features[spec.name] = numericDrift(baseline, (column as { values: ArrayLike<number> }).values);
      }
    }
    return { rows: table.rowCount, score_psi: numericDrift(model.baseline.score, scores).psi, features };
  }

  /** Frees the native model (when this scorer owns it: loaded from a bundle); idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    if (this.#owned) this.#model.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  #alive(): PropensityModel {
    if (this.#disposed || this.#model.isDisposed) throw new DisposedError(NAME);
    return this.#model;
  }

  #table(input: ScorerInput, method: string): FeatureTable {
    if (Array.isArray(input)) {
      if (input.length === 0) return { rowCount: 0, columnNames: [], column: () => ({ kind: 'numeric', values: new Float64Array(0) }) };
      // Numbers for numeric features even when every record leaves them null.
      const records = input as readonly DataRecord[];
      const keys = new Set<string>();
      for (const record of records) {
        if (record === null || typeof record !== 'object') throw new ParameterError('records', `${NAME}.${method} takes records (objects of column values). Got ${describe(record)}.`);
        for (const key of Object.keys(record)) keys.add(key);
      }
      const kinds = Object.fromEntries(this.#schema.features.filter((f) => keys.has(f.name)).map((f) => [f.name, f.kind]));
      return this.#withModelColumns(Table.fromRecords(records, { columns: kinds }));
    }
    const table = input as FeatureTable;
    if (table === null || typeof table !== 'object' || !Array.isArray(table.columnNames) || typeof table.rowCount !== 'number') {
      throw new ParameterError('input', `${NAME}.${method} takes an array of records or a Table. Got ${describe(input)}.`);
    }
    return this.#withModelColumns(table);
  }

  /** The user's id column (the `columns` option) under `features.id_column`. */
  #withModelColumns(table: FeatureTable): FeatureTable {
    return this.#renames.length === 0 ? table : renameColumns(table, this.#renames, { owner: NAME, where: 'the input', scoring: true });
  }

  #encode(table: FeatureTable, method: string): FeatureMatrix {
    if (table.rowCount === 0) return { rows: 0, cols: this.#schema.features.length, values: new Float64Array(0), featureNames: this.#schema.featureNames };
    const present = new Set(table.columnNames);
    const absent = this.#schema.features.filter((f) => !present.has(f.name)).map((f) => f.name);
    if (absent.length > 0) {
      throw new SchemaError(
        `${NAME}.${method}: the input has no column ${absent.map((n) => `'${n}'`).join(', ')}; the model was trained with ${absent.length === 1 ? 'it' : 'them'}. ` +
          `Its features are: ${this.#schema.featureNames.join(', ')}. Send null for an unknown value rather than leaving the column out.`,
        { column: absent[0] },
      );
    }
    for (const spec of this.#schema.features) {
      const column: FeatureColumn = table.column(spec.name);
      if (column.kind !== 'numeric') continue;
      for (let i = 0; i < table.rowCount; i++) {
        const v = column.values[i]!;
        if (v === Infinity || v === -Infinity) {
          throw new DataError(`${NAME}.${method}: the feature '${spec.name}' is ${v} in row ${i}. Scores need finite numbers; send null (missing) if the value is unknown.`, { column: spec.name, row: i });
        }
      }
    }
    try {
      return this.#schema.encode(table);
    } catch (e) {
      if (e instanceof SchemaError) throw new SchemaError(`${NAME}.${method}: ${e.message}`, { column: e.column }, { cause: e });
      throw e;
    }
  }

  /** The id column as text codes: categorical ids as they are, numeric ids as their text (as `#ids`), absent ones missing. */
  #idColumn(table: FeatureTable): CategoricalColumn {
    const idColumn = this.#model.state.idColumn;
    if (!table.columnNames.includes(idColumn)) return categoricalColumn(new Int32Array(table.rowCount).fill(MISSING_CODE), []);
    const column = table.column(idColumn);
    if (column.kind === 'categorical') {
      // A Table's own column object passes through untouched: the readers may keep its texts as
      // UTF-8 bytes, decoded on first use of `categories`, which the Parquet writer copies without
      // making a JavaScript string per id (1,000,000 ids: no decode at all).
      if (column.codes instanceof Int32Array) return column as CategoricalColumn;
      return categoricalColumn(Int32Array.from(column.codes), column.categories);
    }
    return encodeCategorical(this.#ids(table));
  }

  #ids(table: FeatureTable): Array<string | null> {
    const idColumn = this.#model.state.idColumn;
    const n = table.rowCount;
    if (!table.columnNames.includes(idColumn)) return new Array<string | null>(n).fill(null);
    const column = table.column(idColumn);
    if (column.kind === 'categorical') return Array.from(column.codes, (c) => (c < 0 ? null : column.categories[c]!));
    return Array.from(column.values, (v) => (Number.isNaN(v) ? null : String(v)));
  }
}
