import { DataError, ParameterError, SchemaError } from '../errors';
import type { Column } from '../table/column';
import { dataErrorFromDuckDB, sqlString } from './duckdb';
import { buildColumns, planColumns, scanWithDuckDB } from './duckdb-scan';
import { openScanCursor, parquetReader } from './duckdb-vectors';
import type { ReadTableOptions } from './read-options';

/**
 * Reads a Parquet file. Whole-file reads of the files users export (flat numbers, timestamps,
 * dates and texts; PLAIN/dictionary pages; uncompressed, Snappy or ZSTD) are decoded by the addon
 * itself on all cores, texts straight from the dictionary pages; anything else, and `limit` /
 * `sample` / a kind override that needs a cast, goes through DuckDB with the same column plan.
 */
export async function readParquet(file: string, options: ReadTableOptions): Promise<Map<string, Column>> {
  try {
    return (await readNatively(file, options)) ?? (await readWithDuckDB(file, options));
  } catch (error) {
    // DuckDB's errors come from the addon's realm, so `instanceof Error` cannot be used to spot them.
    if (error instanceof DataError || error instanceof SchemaError || error instanceof ParameterError) throw error;
    throw dataErrorFromDuckDB(error, file, 'Check that the file is a complete Parquet file (not truncated, not another format).');
  }
}

/** The addon's read, or undefined when the file or the options are for DuckDB. */
async function readNatively(file: string, options: ReadTableOptions): Promise<Map<string, Column> | undefined> {
  const native = options.limit === undefined && options.sample === undefined ? parquetReader() : undefined;
  if (native === undefined) return undefined;
  const schema = native.schema(file);
  if ('unsupported' in schema) return undefined;
  const plan = planColumns(schema.names, schema.types, options, file);
  if (plan.some((p) => p.cast !== undefined)) return undefined;
  const batch = await native.read(file);
  if ('unsupported' in batch) return undefined;
  // A file rewritten between the footer and the read is read again, planned afresh.
  if (batch.names.join('\0') !== schema.names.join('\0') || batch.types.join() !== schema.types.join()) return undefined;
  return buildColumns(plan, batch, options, file, () => undefined);
}

/** DuckDB's scan; the row count comes from the footer, so columns are allocated once. */
async function readWithDuckDB(file: string, options: ReadTableOptions): Promise<Map<string, Column>> {
  const footer = await openScanCursor(`SELECT CAST(num_rows AS DOUBLE) FROM parquet_file_metadata(${sqlString(file)})`);
  let rowCount = 0;
  try {
    rowCount = (await footer.read(1, 1)).columns[0]?.[0] ?? 0;
  } finally {
    footer.close();
  }
  return scanWithDuckDB({ file, relation: `read_parquet(${sqlString(file)})`, rowCapacity: rowCount, lineOfRow: () => undefined }, options);
}
