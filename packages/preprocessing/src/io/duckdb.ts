import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { DataError } from '../errors';

let instance: Promise<DuckDBInstance> | undefined;

/**
 * A connection to the process-wide in-memory DuckDB used for CSV and Parquet. One instance is
 * shared because creating one costs tens of milliseconds; each read gets its own connection.
 */
export async function connectDuckDB(): Promise<DuckDBConnection> {
  return (await sharedDuckDB()).connect();
}

/** The process-wide in-memory DuckDB instance. */
export function sharedDuckDB(): Promise<DuckDBInstance> {
  // DuckDB's external file cache would keep a second copy of every file read in memory; the
  // Table is the copy users want, so reads must not leave the file cached inside DuckDB too.
  instance ??= DuckDBInstance.create(':memory:', { enable_external_file_cache: 'false' });
  return instance;
}

/** A SQL string literal. */
export function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** A SQL identifier. */
export function sqlIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Turns a DuckDB error about `file` into a DataError that keeps DuckDB's line and column but drops
 * its dump of sniffer settings, which users do not need.
 */
export function dataErrorFromDuckDB(error: unknown, file: string, advice: string): DataError {
  const message = messageOf(error);
  const lineMatch = /Line: (\d+)/.exec(message);
  const columnMatch = /column "([^"]+)"/.exec(message);
  const problem = message
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^(Original Line|Possible|LINE \d|\^|\*|[a-z_]+ = )/.test(line))
    .slice(0, 3)
    .join(' ');
  const line = lineMatch ? Number(lineMatch[1]) : undefined;
  const where = line !== undefined ? ` at line ${line}` : '';
  return new DataError(`Cannot read '${file}'${where}: ${problem} ${advice}`, {
    file,
    ...(line !== undefined ? { line } : {}),
    ...(columnMatch?.[1] !== undefined ? { column: columnMatch[1] } : {}),
  });
}

/** The message of an error from any realm (the DuckDB addon's errors fail `instanceof Error` under jest). */
export function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}
