import { closest, describe, ParameterError, SchemaError } from '@kdap/errors';
import type { ModelKind } from '../config/model-kind';
import type { FeatureColumn, FeatureTable } from '../schema/feature-table';

/**
 * The columns each model gives a role to. A user whose data names them differently (`medium`,
 * `cost`, `day`, `revenue`) says so with the trainers' `columns` option instead of renaming.
 */
export const COLUMN_ROLES = {
  budget: ['channel', 'spend', 'date', 'target'],
  propensity: ['id', 'target', 'date'],
  anomaly: ['date', 'series', 'value'],
} as const satisfies Record<ModelKind, readonly string[]>;

export type ColumnRole<K extends ModelKind> = (typeof COLUMN_ROLES)[K][number];

/**
 * Role -> the user's column name, e.g. `{ channel: 'medium', spend: 'cost', date: 'day', target:
 * 'revenue' }`. Anomaly's `series` may name several columns (together they identify one series).
 */
export type ColumnMapping<K extends ModelKind = ModelKind> = { readonly [R in ColumnRole<K>]?: R extends 'series' ? string | readonly string[] : string };

/** What each role means, for messages. */
const ROLE_MEANING: Record<string, string> = {
  channel: 'the channel column',
  spend: 'the spend column',
  date: 'the date column',
  target: 'the target column',
  id: 'the identifier column',
  series: 'a series column',
  value: 'the value column',
};

/**
 * Checks a `columns` option: known roles of the model, non-empty column names, no column given
 * two roles. Returns a frozen copy.
 */
export function checkColumnMapping<K extends ModelKind>(owner: string, kind: K, value: unknown): ColumnMapping<K> {
  if (value === undefined) return Object.freeze({}) as ColumnMapping<K>;
  const roles: readonly string[] = COLUMN_ROLES[kind];
  const example = `{ ${roles.map((r) => `${r}: '...'`).join(', ')} }`;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ParameterError('columns', `The 'columns' option of ${owner} must map roles to your column names, e.g. ${example}. Got ${describe(value)}.`);
  }
  const out: Record<string, string | readonly string[]> = {};
  const seen = new Map<string, string>();
  for (const [role, column] of Object.entries(value)) {
    if (!roles.includes(role)) {
      const hint = closest(role, roles);
      throw new ParameterError(`columns.${role}`, `${owner} has no column role '${role}'.${hint ? ` Did you mean '${hint}'?` : ''} Its roles are: ${roles.join(', ')}.`);
    }
    if (column === undefined) continue;
    const many = role === 'series' && Array.isArray(column);
    const names: unknown[] = many ? (column as unknown[]) : [column];
    if (names.length === 0 || names.some((n) => typeof n !== 'string' || n === '')) {
      const expected = role === 'series' ? 'a column name or a non-empty list of column names' : 'a column name (a non-empty string)';
      throw new ParameterError(`columns.${role}`, `The 'columns.${role}' option of ${owner} (${ROLE_MEANING[role]}) must be ${expected}. Got ${describe(column)}.`);
    }
    for (const name of names as string[]) {
      const other = seen.get(name);
      if (other !== undefined) {
        throw new ParameterError(`columns.${role}`, `The 'columns' option of ${owner} gives column '${name}' two roles, '${other}' and '${role}'. Each role needs its own column.`);
      }
      seen.set(name, role);
    }
    out[role] = many ? Object.freeze([...(names as string[])]) : (column as string);
  }
  return Object.freeze(out) as ColumnMapping<K>;
}

/** One role whose column the model knows under its own name (the Python module's). */
export interface ColumnRename {
  role: string;
  /** The user's column name (equal to `model` when the role is not mapped). */
  column: string;
  /** The model's name for it, e.g. 'channel_id' (the user's own when the mapping set the configuration). */
  model: string;
  /** A table without the column is refused (with the columns it has). */
  required: boolean;
  /** The `columns` option names this role (messages then point at the option). */
  mapped: boolean;
}

/**
 * The renames of a model: for each role with a model name, the user's column from `mapping` (or
 * the model's name itself when the role is not mapped). A role may name several columns (anomaly's
 * series), paired in order.
 */
export function columnRenames(
  mapping: Readonly<Record<string, unknown>>,
  modelColumns: Readonly<Record<string, string | readonly string[]>>,
  required: readonly string[] = [],
): ColumnRename[] {
  return Object.entries(modelColumns).flatMap(([role, model]) => {
    const models = typeof model === 'string' ? [model] : model;
    const given = mapping[role];
    const columns = typeof given === 'string' ? [given] : Array.isArray(given) ? (given as string[]) : models;
    return models.map((m, i) => ({ role, column: columns[i] ?? m, model: m, required: required.includes(role), mapped: given !== undefined }));
  });
}

function listColumns(names: readonly string[]): string {
  return names.length === 0 ? 'none' : names.join(', ');
}

/** The SchemaError for a role's column that a table lacks: names it, the role, and the columns present. */
export function missingColumnError(owner: string, where: string, rename: Pick<ColumnRename, 'role' | 'column' | 'mapped'>, present: readonly string[]): SchemaError {
  const meaning = ROLE_MEANING[rename.role] ?? `the ${rename.role} column`;
  const hint = closest(rename.column, present);
  const fix = rename.mapped
    ? `Fix the 'columns.${rename.role}' option${hint ? ` (did you mean '${hint}'?)` : ''}, or add the column.`
    : `If yours is named differently, say which with the 'columns' option, e.g. columns: { ${rename.role}: '${hint ?? 'your_column'}' }.`;
  return new SchemaError(
    `${owner}: ${where} has no column '${rename.column}' (${meaning}${rename.mapped ? `, option columns.${rename.role}` : ''}). ${fix} Its columns are: ${listColumns(present)}.`,
    { column: rename.column },
  );
}

/**
 * A view of `table` with the user's columns under the model's names, without copying. A table
 * that already uses the model's name (e.g. the Python module's `channel_id`) is taken as is, so
 * both namings score; one holding both names for a role is refused, as is one lacking a required
 * or mapped role's column (at scoring, `scoring: true`, only a required mapped one: the feature
 * schema names the model's own). Idempotent.
 */
export function renameColumns(table: FeatureTable, renames: readonly ColumnRename[], context: { owner: string; where: string; scoring?: boolean }): FeatureTable {
  if (table === null || typeof table !== 'object' || !Array.isArray(table.columnNames)) return table;
  const present = table.columnNames;
  const byModel = new Map<string, string>();
  for (const r of renames) {
    const hasColumn = present.includes(r.column);
    const hasModel = present.includes(r.model);
    if (r.column !== r.model && hasColumn && hasModel) {
      throw new SchemaError(
        `${context.owner}: ${context.where} has both '${r.column}' (${ROLE_MEANING[r.role] ?? r.role}, option columns.${r.role}) and '${r.model}', the model's own name for it. Drop or rename one of them.`,
        { column: r.model },
      );
    }
    if (!hasColumn && !hasModel) {
      // Training: a required role, or one the user named. Scoring: a required role the user named (an
      // unmapped one is left to the feature schema's message; an optional one scores as missing).
      const refused = context.scoring === true ? r.required && r.mapped : r.required || r.mapped;
      if (refused) throw missingColumnError(context.owner, context.where, r, present);
      continue;
    }
    if (r.column !== r.model && hasColumn) byModel.set(r.model, r.column);
  }
  if (byModel.size === 0) return table;
  const toModel = new Map([...byModel].map(([model, column]) => [column, model]));
  const columnNames = present.map((n) => toModel.get(n) ?? n);
  return {
    rowCount: table.rowCount,
    columnNames,
    column: (name: string): FeatureColumn => table.column(byModel.get(name) ?? name),
  };
}

/**
 * A record (one row as an object) with the user's field names under the model's names, as
 * `renameColumns` does for tables (missing fields are left to the model's own checks).
 */
export function renameRecord(record: unknown, renames: readonly ColumnRename[], context: { owner: string; where: string }): unknown {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return record;
  const r = record as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  for (const { role, column, model } of renames) {
    if (column === model || !(column in r)) continue;
    if (model in r && r[model] !== undefined) {
      throw new SchemaError(
        `${context.owner}: ${context.where} has both '${column}' (${ROLE_MEANING[role] ?? role}, option columns.${role}) and '${model}', the model's own name for it. Drop one of them.`,
        { column: model },
      );
    }
    out ??= { ...r };
    out[model] = r[column];
    delete out[column];
  }
  return out ?? record;
}
