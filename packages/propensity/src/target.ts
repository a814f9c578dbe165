import type { FeatureTable } from '@kdap/core';
import { InsufficientDataError, SchemaError, closest } from '@kdap/errors';

/** Text labels read as "converted" / "did not convert" when a target holds exactly two of them. */
const POSITIVE_LABELS = new Set(['1', 'true', 'yes', 'y', 't', 'converted', 'positive', 'pos']);
const NEGATIVE_LABELS = new Set(['0', 'false', 'no', 'n', 'f', 'not_converted', 'negative', 'neg']);

function listValues(values: readonly string[]): string {
  const shown = values.slice(0, 10).map((v) => `'${v}'`).join(', ');
  return values.length > 10 ? `${shown}, ... (${values.length} distinct)` : shown;
}

/**
 * The 0/1 target of a training table: a numeric column of 0 and 1, or a text column with exactly
 * two labels (yes/no, true/false, converted/not_converted, or `positiveLabel` naming the
 * positive one).
 *
 * @throws SchemaError naming the column and the values found: absent column, missing values, a
 *   single class, more than two values, numbers other than 0/1, unrecognised text labels.
 */
export function binaryTarget(owner: string, table: FeatureTable, target: string, positiveLabel?: string): Float64Array {
  if (!table.columnNames.includes(target)) {
    const hint = closest(target, table.columnNames);
    throw new SchemaError(
      `${owner}: the training table has no target column '${target}'.${hint ? ` Did you mean '${hint}'?` : ''} Its columns are: ${table.columnNames.join(', ')}.`,
      { column: target },
    );
  }
  const column = table.column(target);
  const n = table.rowCount;
  const y = new Float64Array(n);
  if (column.kind === 'categorical') {
    const used = new Set<number>();
    for (let i = 0; i < n; i++) {
      const code = column.codes[i]!;
      if (code < 0) throw new SchemaError(`${owner}: the target column '${target}' has no value in row ${i}. Drop or fill rows without a target first.`, { column: target });
      used.add(code);
    }
    const labels = [...used].sort((a, b) => a - b).map((c) => column.categories[c]!);
    if (labels.length !== 2) throw notBinary(owner, target, labels);
    let positive: string | undefined;
    if (positiveLabel !== undefined) {
      if (!labels.includes(positiveLabel)) throw new SchemaError(`${owner}: the positive label '${positiveLabel}' is not a value of the target column '${target}', which holds ${listValues(labels)}.`, { column: target });
      positive = positiveLabel;
    } else {
      const lower = labels.map((l) => l.trim().toLowerCase());
      const p = lower.findIndex((l) => POSITIVE_LABELS.has(l));
      const q = lower.findIndex((l) => NEGATIVE_LABELS.has(l));
      if (p < 0 || q < 0 || p === q) {
        throw new SchemaError(
          `${owner}: the target column '${target}' holds the labels ${listValues(labels)}; which one means "converted" is not clear. Pass { positiveLabel: '${labels[1]}' } (or the other label) to fit.`,
          { column: target },
        );
      }
      positive = labels[p];
    }
    const positiveCode = column.categories.indexOf(positive!);
    for (let i = 0; i < n; i++) y[i] = column.codes[i] === positiveCode ? 1 : 0;
    return y;
  }
  if (column.kind === 'date') throw new SchemaError(`${owner}: the target column '${target}' holds dates; a propensity target holds 0/1 (or two labels).`, { column: target });
  const seen = new Set<number>();
  for (let i = 0; i < n; i++) {
    const v = column.values[i]!;
    if (Number.isNaN(v)) throw new SchemaError(`${owner}: the target column '${target}' has no value in row ${i}. Drop or fill rows without a target first.`, { column: target });
    seen.add(v);
    y[i] = v;
  }
  const values = [...seen].sort((a, b) => a - b);
  if (values.length !== 2 || values[0] !== 0 || values[1] !== 1) throw notBinary(owner, target, values.map(String));
  return y;
}

function notBinary(owner: string, target: string, values: readonly string[]): SchemaError {
  if (values.length === 1) {
    return new SchemaError(
      `${owner}: the target column '${target}' holds a single class (every row is ${listValues(values)}). A propensity model needs both converters and non-converters.`,
      { column: target },
    );
  }
  return new SchemaError(
    `${owner}: the target column '${target}' must be binary (0/1, or two labels such as yes/no), but it holds ${values.length === 2 ? 'the values' : `${values.length} values`}: ${listValues(values)}.`,
    { column: target },
  );
}

/** Refuses training with too few converters or non-converters for a trustworthy model. */
export function checkEligibility(owner: string, target: string, y: Float64Array, minPositives: number, minNegatives: number): void {
  let positives = 0;
  for (let i = 0; i < y.length; i++) positives += y[i]!;
  const negatives = y.length - positives;
  if (positives < minPositives || negatives < minNegatives) {
    const which = positives < minPositives ? `${positives} positive rows ('${target}' = 1), fewer than the ${minPositives} required` : `${negatives} negative rows ('${target}' = 0), fewer than the ${minNegatives} required`;
    throw new InsufficientDataError(
      `${owner}: the training data has ${which} (${positives} positives, ${negatives} negatives in ${y.length} rows). ` +
        'Add more data, or lower eligibility.min_positives / eligibility.min_negatives if you accept a less trustworthy model.',
      { column: target },
    );
  }
}
