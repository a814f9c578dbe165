import { ParameterError, describeValue } from '../errors';
import type { ColumnKind } from '../table/column';
import type { TableFormat } from './format';

/** Options of {@link readTable}. */
export interface ReadTableOptions {
  /** Overrides the format implied by the extension. */
  format?: TableFormat;
  /** Column kinds that override inference, e.g. `{ channel_id: 'categorical', date: 'date' }`. */
  columns?: Readonly<Record<string, ColumnKind>>;
  /** Renames columns after reading (file name -> table name). Overrides use the file's names. */
  rename?: Readonly<Record<string, string>>;
  /** Reads at most this many rows from the start of the file (for previews). */
  limit?: number;
  /** Reads a seeded uniform random sample of `rows` rows instead of the whole file. */
  sample?: { rows: number; seed: number };
  /** CSV field delimiter; default ',' (and a tab for .tsv). */
  delimiter?: string;
}

const KNOWN_OPTIONS = new Set(['format', 'columns', 'rename', 'limit', 'sample', 'delimiter']);
const KINDS: readonly ColumnKind[] = ['numeric', 'categorical', 'date'];

/** Checks every option before any file is touched; misspelled options are refused by name. */
export function validateReadOptions(options: unknown): ReadTableOptions {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object') {
    throw new ParameterError('options', `The options of readTable must be an object. Got ${describeValue(options)}.`);
  }
  const given = options as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!KNOWN_OPTIONS.has(key)) {
      throw new ParameterError(key, `readTable has no '${key}' option. Known options: ${[...KNOWN_OPTIONS].join(', ')}.`);
    }
  }
  const { columns, rename, limit, sample, delimiter } = given;
  if (columns !== undefined) {
    if (columns === null || typeof columns !== 'object') {
      throw new ParameterError('columns', `The 'columns' option of readTable must be an object of column kinds. Got ${describeValue(columns)}.`);
    }
    for (const [name, kind] of Object.entries(columns)) {
      if (!KINDS.includes(kind as ColumnKind)) {
        throw new ParameterError(
          'columns',
          `The 'columns' option of readTable must map each column to 'numeric', 'categorical' or 'date'. Got ${describeValue(kind)} for '${name}'.`,
        );
      }
    }
  }
  if (rename !== undefined) {
    if (rename === null || typeof rename !== 'object' || Object.values(rename).some((v) => typeof v !== 'string' || v === '')) {
      throw new ParameterError('rename', `The 'rename' option of readTable must map column names to non-empty strings. Got ${describeValue(rename)}.`);
    }
  }
  if (limit !== undefined && (!Number.isInteger(limit) || (limit as number) < 0)) {
    throw new ParameterError('limit', `The 'limit' option of readTable must be an integer >= 0. Got ${describeValue(limit)}.`);
  }
  if (sample !== undefined) {
    const s = sample as { rows?: unknown; seed?: unknown } | null;
    if (s === null || typeof s !== 'object' || !Number.isInteger(s.rows) || (s.rows as number) < 0 || !Number.isInteger(s.seed)) {
      throw new ParameterError('sample', `The 'sample' option of readTable must be { rows: integer >= 0, seed: integer }. Got ${describeValue(sample)}.`);
    }
    if (limit !== undefined) {
      throw new ParameterError('sample', `The 'sample' and 'limit' options of readTable cannot be combined. Got both.`);
    }
  }
  if (delimiter !== undefined && (typeof delimiter !== 'string' || delimiter.length !== 1)) {
    throw new ParameterError('delimiter', `The 'delimiter' option of readTable must be a single character. Got ${describeValue(delimiter)}.`);
  }
  return given as ReadTableOptions;
}
