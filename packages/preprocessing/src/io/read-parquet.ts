import { DataError, ParameterError, SchemaError } from '../errors';
import type { Column } from '../table/column';
import { dataErrorFromDuckDB, sqlString } from './duckdb';
import { scanWithDuckDB } from './duckdb-scan';
import { openScanCursor } from './duckdb-vectors';
import type { ReadTableOptions } from './read-options';

/** Reads a Parquet file with DuckDB; the row count comes from the footer, so columns are allocated once. */
export async function readParquet(file: string, options: ReadTableOptions): Promise<Map<string, Column>> {
  try {
    const footer = await openScanCursor(`SELECT CAST(num_rows AS DOUBLE) FROM parquet_file_metadata(${sqlString(file)})`);
    let rowCount = 0;
    try {
      rowCount = (await footer.read(1, 1)).columns[0]?.[0] ?? 0;
    } finally {
      footer.close();
    }
    return await scanWithDuckDB({ file, relation: `read_parquet(${sqlString(file)})`, rowCapacity: rowCount, lineOfRow: () => undefined }, options);
  } catch (error) {
    // DuckDB's errors come from the addon's realm, so `instanceof Error` cannot be used to spot them.
    if (error instanceof DataError || error instanceof SchemaError || error instanceof ParameterError) throw error;
    throw dataErrorFromDuckDB(error, file, 'Check that the file is a complete Parquet file (not truncated, not another format).');
  }
}
