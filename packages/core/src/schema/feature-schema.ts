import { z } from 'zod';
import { SchemaError } from '@kdap/errors';
import type { FeatureMatrix } from './feature-matrix';
import type { FeatureColumn, FeatureTable } from './feature-table';
import { rowSource } from './table-rows';

/** One feature as the fitted model knows it. */
export interface FeatureSpec {
  readonly name: string;
  readonly kind: 'numeric' | 'categorical';
  /** A required feature absent at predict time is an error; an optional one becomes missing values. */
  readonly required: boolean;
  /** Training categories in code order (categorical features only). */
  readonly categories?: readonly string[];
}

/**
 * What to do with values that do not fit. `mistyped`: a column of the wrong kind — 'error', or
 * 'coerce' (numbers read from category text, unparseable text becomes missing; numbers used as
 * category names). `unknownCategory`: a category never seen in training — 'error', or 'missing'
 * (the GBDT libraries route missing values down a learned branch).
 */
export interface FeaturePolicy {
  readonly mistyped: 'error' | 'coerce';
  readonly unknownCategory: 'error' | 'missing';
}

export const DEFAULT_FEATURE_POLICY: FeaturePolicy = { mistyped: 'error', unknownCategory: 'missing' };

/** The serialised schema, as stored in a bundle's manifest. */
export interface FeatureSchemaJSON {
  readonly features: readonly FeatureSpec[];
  readonly policy: FeaturePolicy;
}

export const featureSchemaJSON = z.strictObject({
  features: z.array(
    z.strictObject({
      name: z.string().min(1),
      kind: z.enum(['numeric', 'categorical']),
      required: z.boolean(),
      categories: z.array(z.string()).optional(),
    }),
  ),
  policy: z.strictObject({ mistyped: z.enum(['error', 'coerce']), unknownCategory: z.enum(['error', 'missing']) }),
});

export interface CaptureOptions {
  numerical: readonly string[];
  categorical: readonly string[];
  /** Features that must be present at predict time; every other feature is optional. */
  required: readonly string[];
  policy?: Partial<FeaturePolicy>;
  /** Names the caller in messages, e.g. "BudgetOptimizerTrainer". */
  owner: string;
}

/**
 * The features a model was fitted on, captured from the training table, and the check applied to
 * every table it scores: required features present, kinds as in training, categories known.
 */
export class FeatureSchema {
  readonly features: readonly FeatureSpec[];
  readonly policy: FeaturePolicy;

  private constructor(features: readonly FeatureSpec[], policy: FeaturePolicy) {
    this.features = features;
    this.policy = policy;
  }

  /** Fit time: every configured feature must be in the training table, with its configured kind. */
  static capture(table: FeatureTable, options: CaptureOptions): FeatureSchema {
    const policy = { ...DEFAULT_FEATURE_POLICY, ...options.policy };
    const present = new Set(table.columnNames);
    const configured = new Set([...options.numerical, ...options.categorical]);
    for (const name of options.required) {
      if (!configured.has(name)) {
        throw new SchemaError(`${options.owner} declares '${name}' as required, but the configuration lists no such feature.`, { column: name });
      }
    }
    const specs: FeatureSpec[] = [];
    const capture = (name: string, kind: 'numeric' | 'categorical') => {
      if (!present.has(name)) {
        throw new SchemaError(
          `The training table has no column '${name}' (a ${kind === 'numeric' ? 'numerical' : 'categorical'} feature in the configuration). ` +
            `Add it, or remove it from features.${kind === 'numeric' ? 'numerical' : 'categorical'}.`,
          { column: name },
        );
      }
      const column = table.column(name);
      const required = options.required.includes(name);
      if (kind === 'numeric') {
        if (column.kind !== 'numeric' && policy.mistyped === 'error') throw mistyped(name, 'training', 'numeric', column.kind);
        specs.push({ name, kind, required });
      } else {
        specs.push({ name, kind, required, categories: trainingCategories(name, column, policy) });
      }
    };
    for (const name of options.numerical) capture(name, 'numeric');
    for (const name of options.categorical) capture(name, 'categorical');
    return new FeatureSchema(specs, policy);
  }

  /** Restores a schema saved with `toJSON()` (from a bundle manifest). */
  static fromJSON(json: unknown): FeatureSchema {
    const parsed = featureSchemaJSON.parse(json);
    return new FeatureSchema(parsed.features, parsed.policy);
  }

  toJSON(): FeatureSchemaJSON {
    return { features: this.features, policy: this.policy };
  }

  get featureNames(): string[] {
    return this.features.map((f) => f.name);
  }

  /**
   * Encodes a table for the model, applying the policy. Extra columns are ignored (a table may
   * carry ids and targets).
   *
   * @throws SchemaError naming the feature: a required feature absent, a mistyped column or an
   *   unknown category under the 'error' policy.
   */
  encode(table: FeatureTable): FeatureMatrix {
    const rows = table.rowCount;
    const cols = this.features.length;
    const values = new Float64Array(rows * cols);
    // A row view (tableRows) is encoded from its source table: each feature gathered once, straight
    // into the matrix, instead of gathered into a column first and then copied.
    const source = rowSource(table);
    const from = source?.table ?? table;
    const index = source?.rows;
    const present = new Set(table.columnNames);
    this.features.forEach((spec, j) => {
      if (!present.has(spec.name)) {
        if (spec.required) {
          throw new SchemaError(`The required feature '${spec.name}' is absent from the table. The model was fitted with it and cannot score without it.`, { column: spec.name });
        }
        for (let i = 0; i < rows; i++) values[i * cols + j] = Number.NaN;
        return;
      }
      const column = this.asExpectedKind(spec, from.column(spec.name));
      if (spec.kind === 'numeric') {
        const v = (column as { values: ArrayLike<number> }).values;
        if (index === undefined) for (let i = 0; i < rows; i++) values[i * cols + j] = v[i]!;
        else for (let i = 0; i < rows; i++) values[i * cols + j] = v[index[i]!]!;
      } else {
        this.recodeInto(spec, column as Extract<FeatureColumn, { kind: 'categorical' }>, index, rows, values, j, cols);
      }
    });
    return { rows, cols, values, featureNames: this.featureNames };
  }

  private asExpectedKind(spec: FeatureSpec, column: FeatureColumn): FeatureColumn {
    if (column.kind === spec.kind) return column;
    if (this.policy.mistyped === 'error' || column.kind === 'date') throw mistyped(spec.name, 'scoring', spec.kind, column.kind);
    return spec.kind === 'numeric' ? numbersFromCategories(column as Extract<FeatureColumn, { kind: 'categorical' }>) : categoriesFromNumbers((column as Extract<FeatureColumn, { kind: 'numeric' }>).values);
  }

  /**
   * Writes the training-category index of each row's category into column `j` of the row-major
   * `out` (`cols` wide); NaN for missing and (by policy) unknown. Row i is row `index[i]` of
   * `column` when an index is given.
   */
  private recodeInto(
    spec: FeatureSpec,
    column: Extract<FeatureColumn, { kind: 'categorical' }>,
    index: Int32Array | undefined,
    rows: number,
    out: Float64Array,
    j: number,
    cols: number,
  ): void {
    const known = new Map((spec.categories ?? []).map((c, i) => [c, i]));
    // Per table category: its training index, NaN when missing or unknown (checked below).
    const mapping = Float64Array.from(column.categories, (c) => known.get(c) ?? Number.NaN);
    const codes = column.codes;
    const unknown = (i: number, code: number): number => {
      if (this.policy.unknownCategory === 'error') {
        throw new SchemaError(
          `The feature '${spec.name}' has the category '${column.categories[code]}' (row ${i}), which the model never saw in training. ` +
            `Known categories: ${(spec.categories ?? []).join(', ')}. Use the 'missing' unknown-category policy to score it as missing.`,
          { column: spec.name },
        );
      }
      return Number.NaN;
    };
    // Two loops rather than a test per row: scoring encodes a million rows without an index.
    if (index === undefined) {
      for (let i = 0, k = j; i < rows; i++, k += cols) {
        const code = codes[i]!;
        const mapped = code < 0 ? Number.NaN : (mapping[code] ?? Number.NaN);
        out[k] = mapped === mapped || code < 0 ? mapped : unknown(i, code);
      }
    } else {
      for (let i = 0, k = j; i < rows; i++, k += cols) {
        const code = codes[index[i]!]!;
        const mapped = code < 0 ? Number.NaN : (mapping[code] ?? Number.NaN);
        out[k] = mapped === mapped || code < 0 ? mapped : unknown(i, code);
      }
    }
  }
}

function mistyped(name: string, stage: 'training' | 'scoring', expected: string, got: string): SchemaError {
  return new SchemaError(
    `The feature '${name}' must be a ${expected} column, but the ${stage} table has a ${got} column. ` +
      `Fix the column's type (e.g. a schema override when reading the file), or use the 'coerce' mistyped-value policy.`,
    { column: name },
  );
}

function trainingCategories(name: string, column: FeatureColumn, policy: FeaturePolicy): string[] {
  if (column.kind === 'categorical') return [...column.categories];
  if (policy.mistyped === 'error' || column.kind === 'date') throw mistyped(name, 'training', 'categorical', column.kind);
  const coerced = categoriesFromNumbers(column.values);
  return [...coerced.categories];
}

/** Category text parsed as numbers; text that is not a number becomes missing. */
function numbersFromCategories(column: Extract<FeatureColumn, { kind: 'categorical' }>): FeatureColumn {
  const parsed = column.categories.map((c) => (c.trim() === '' ? Number.NaN : Number(c)));
  const values = new Float64Array(column.codes.length);
  for (let i = 0; i < values.length; i++) {
    const code = column.codes[i]!;
    values[i] = code < 0 ? Number.NaN : parsed[code]!;
  }
  return { kind: 'numeric', values };
}

/** Numbers used as category names ("3"), NaN as missing. */
function categoriesFromNumbers(values: ArrayLike<number>): Extract<FeatureColumn, { kind: 'categorical' }> {
  const categories: string[] = [];
  const index = new Map<string, number>();
  const codes = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) {
      codes[i] = -1;
      continue;
    }
    const key = String(v);
    let code = index.get(key);
    if (code === undefined) {
      code = categories.length;
      categories.push(key);
      index.set(key, code);
    }
    codes[i] = code;
  }
  return { kind: 'categorical', codes, categories };
}
