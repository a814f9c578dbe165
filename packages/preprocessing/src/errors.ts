/**
 * Typed errors of the data layer. Every message names what was wrong, where (file, line, column
 * when known) and what to do, so a user can fix their data without reading our code.
 */

/** Where in an input file a problem was found; fields are absent when unknown. */
export interface DataLocation {
  /** Path of the file as the caller gave it. */
  readonly file?: string;
  /** 1-based line number in the file (the header is line 1 for CSV). */
  readonly line?: number;
  /** Column name. */
  readonly column?: string;
}

/** A caller passed an option or argument that is not allowed. */
export class ParameterError extends Error {
  override readonly name = 'ParameterError';
  /** Name of the offending parameter or option. */
  readonly parameter: string;
  constructor(parameter: string, message: string) {
    super(message);
    this.parameter = parameter;
  }
}

/** The content of a file or of records is unusable (malformed, wrong types, wrong encoding). */
export class DataError extends Error {
  override readonly name = 'DataError';
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly column: string | undefined;
  constructor(message: string, location: DataLocation = {}) {
    super(message);
    this.file = location.file;
    this.line = location.line;
    this.column = location.column;
  }
}

/** A column is missing, duplicated, or has a kind an operation cannot use. */
export class SchemaError extends Error {
  override readonly name = 'SchemaError';
  readonly column: string | undefined;
  readonly file: string | undefined;
  constructor(message: string, location: { column?: string; file?: string } = {}) {
    super(message);
    this.column = location.column;
    this.file = location.file;
  }
}

/** A transform was used before `fit` (or was restored from JSON of another kind). */
export class NotFittedError extends Error {
  override readonly name = 'NotFittedError';
}

/** Formats a value for the "Got ..." tail of an error message. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
  try {
    const json = JSON.stringify(value);
    return json.length > 80 ? `${json.slice(0, 77)}...` : json;
  } catch {
    return String(value);
  }
}
