import { KdapError } from './kdap-error';

/** Where in the input a problem was found; fields are absent when unknown. */
export interface DataLocation {
  /** Path of the file as the caller gave it. */
  readonly file?: string | undefined;
  /** 1-based line number in the file (the header is line 1 for CSV). */
  readonly line?: number | undefined;
  /** Column name. */
  readonly column?: string | undefined;
  /** 0-based row of a table or record array, when there is no file. */
  readonly row?: number | undefined;
}

/** The content of a file, table or records is unusable: malformed, wrong types, NaN/Infinity, empty. */
export class DataError extends KdapError {
  override readonly name: string = 'DataError';
  readonly code: 'ERR_KDAP_DATA' | 'ERR_KDAP_INSUFFICIENT_DATA' = 'ERR_KDAP_DATA';
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly column: string | undefined;
  readonly row: number | undefined;

  constructor(message: string, location: DataLocation = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.file = location.file;
    this.line = location.line;
    this.column = location.column;
    this.row = location.row;
  }
}

/**
 * Too little data for a trustworthy model: too few rows, positives, negatives or history.
 * The message gives the counts found and the threshold.
 */
export class InsufficientDataError extends DataError {
  override readonly name = 'InsufficientDataError';
  override readonly code = 'ERR_KDAP_INSUFFICIENT_DATA';
}

/**
 * A column or feature is missing, duplicated, unknown, or has a kind an operation cannot use
 * (at training or at scoring time).
 */
export class SchemaError extends KdapError {
  override readonly name = 'SchemaError';
  readonly code = 'ERR_KDAP_SCHEMA';
  /** The column (feature) at fault. */
  readonly column: string | undefined;
  readonly file: string | undefined;

  constructor(message: string, location: { column?: string | undefined; file?: string | undefined } = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.column = location.column;
    this.file = location.file;
  }
}
