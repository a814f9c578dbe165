import { DataError, ParameterError, SchemaError } from '../errors';
import type { Column } from '../table/column';
import { connectDuckDB, dataErrorFromDuckDB, sqlString } from './duckdb';
import { messageOf } from './duckdb';
import { scanWithDuckDB } from './duckdbScan';
import type { ReadTableOptions } from './readOptions';

/** Reads a Parquet file with DuckDB; the row count comes from the footer, so columns are allocated exactly. */
export async function readParquet(file: string, options: ReadTableOptions): Promise<Map<string, Column>> {
  const relation = `read_parquet(${sqlString(file)})`;
  const connection = await connectDuckDB();
  try {
    const counted = await connection.runAndReadAll(`SELECT CAST(count(*) AS DOUBLE) AS n FROM ${relation}`);
    const rowCount = Number(counted.getRowsJS()[0]?.[0] ?? 0);
    return await scanWithDuckDB(connection, { file, relation, rowCapacity: rowCount, lineOfRow: () => undefined, rowKey: 'file_row_number' }, options);
  } catch (error) {
    // DuckDB's errors come from the addon's realm, so `instanceof Error` cannot be used to spot them.
    if (error instanceof DataError || error instanceof SchemaError || error instanceof ParameterError) throw error;
    throw dataErrorFromDuckDB(error, file, 'Check that the file is a complete Parquet file (not truncated, not another format).');
  } finally {
    connection.closeSync();
  }
}
