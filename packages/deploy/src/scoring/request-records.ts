import type { FeatureSpec } from '@kdap/core';
import { DataError, ParameterError, SchemaError, describe } from '@kdap/errors';

/**
 * The records of a scoring request. Accepts our `{"data": [records]}` and Azure ML's
 * `{"input_data": ...}` (a list of records, or pandas' split orientation
 * `{"columns": [...], "data": [[...]]}` as Azure's MLflow deployments send it).
 */
export function requestRecords(body: unknown): Record<string, unknown>[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ParameterError('body', `The request body must be a JSON object with "data": [records] (or Azure's "input_data"). Got ${describe(body)}.`);
  }
  const b = body as { data?: unknown; input_data?: unknown };
  const field = b.data !== undefined ? 'data' : b.input_data !== undefined ? 'input_data' : undefined;
  if (field === undefined) {
    throw new ParameterError('data', `The request body has no "data" (or "input_data") field. Send {"data": [{...one record...}]}.`);
  }
  let payload = field === 'data' ? b.data : b.input_data;
  if (payload !== null && typeof payload === 'object' && !Array.isArray(payload)) {
    const split = payload as { columns?: unknown; data?: unknown };
    if (Array.isArray(split.columns) && Array.isArray(split.data)) payload = splitToRecords(field, split.columns, split.data);
    else payload = [payload];
  }
  if (!Array.isArray(payload)) throw new ParameterError(field, `"${field}" must be a list of records (objects). Got ${describe(payload)}.`);
  if (payload.length === 0) throw new DataError(`"${field}" is an empty list: send at least one record.`, { column: field });
  payload.forEach((r, i) => {
    if (r === null || typeof r !== 'object' || Array.isArray(r)) throw new ParameterError(`${field}[${i}]`, `${field}[${i}] must be an object of feature values. Got ${describe(r)}.`);
  });
  return payload as Record<string, unknown>[];
}

function splitToRecords(field: string, columns: unknown[], rows: unknown[]): Record<string, unknown>[] {
  columns.forEach((c, j) => {
    if (typeof c !== 'string') throw new ParameterError(`${field}.columns[${j}]`, `${field}.columns[${j}] must be a column name (string). Got ${describe(c)}.`);
  });
  return rows.map((row, i) => {
    if (!Array.isArray(row) || row.length !== columns.length) {
      throw new ParameterError(`${field}.data[${i}]`, `${field}.data[${i}] must be a list of ${columns.length} values (one per column). Got ${describe(row)}.`);
    }
    return Object.fromEntries(columns.map((c, j) => [c as string, row[j]]));
  });
}

/**
 * Field-level checks against the model's feature schema before any scoring: required features
 * present, numbers finite and numeric features numeric, categories strings. The first problem
 * names the field as `data[i].feature`.
 */
export function checkRecords(records: readonly Record<string, unknown>[], features: readonly FeatureSpec[]): void {
  records.forEach((record, i) => {
    for (const f of features) {
      const value = record[f.name];
      const field = `data[${i}].${f.name}`;
      if (value === undefined || value === null) {
        if (f.required) throw new SchemaError(`${field} is missing: the model needs '${f.name}' in every record.`, { column: f.name });
        continue;
      }
      if (f.kind === 'numeric' && (typeof value !== 'number' || !Number.isFinite(value))) {
        throw new ParameterError(field, `${field} must be a finite number. Got ${describe(value)}.`);
      }
      if (f.kind === 'categorical' && typeof value !== 'string') {
        throw new ParameterError(field, `${field} must be a string (a category). Got ${describe(value)}.`);
      }
    }
  });
}
