import { DataError, ParameterError, SchemaError } from '../errors';
import type { Column } from '../table/column';
import { connectDuckDB, dataErrorFromDuckDB, sqlString } from './duckdb';
import { messageOf } from './duckdb';
import { scanWithDuckDB } from './duckdbScan';
import type { ReadTableOptions } from './readOptions';

/**
 * Row-group bytes (across its columns) that one DuckDB scan may hold per thread. Each DuckDB thread
 * reads a whole row group of the columns it scans (122,880 rows x 20 doubles = 20 MB for DuckDB's
 * own files), so numeric columns are read a few at a time: 4 at a time took the peak RSS of a
 * 1M x 20 read from 1.44x to 1.28x of the Table, for about 0.1 s more (5 scans instead of 1, each
 * ending on an unevenly shared last row group); 8 at a time gave 1.33-1.41x.
 */
const ROW_GROUP_BYTES_PER_SCAN = 4 * 1024 * 1024;

/** Reads a Parquet file with DuckDB; the row count comes from the footer, so columns are allocated exactly. */
export async function readParquet(file: string, options: ReadTableOptions): Promise<Map<string, Column>> {
  const relation = `read_parquet(${sqlString(file)})`;
  const connection = await connectDuckDB();
  try {
    const footer = await connection.runAndReadAll(
      `SELECT CAST(num_rows AS DOUBLE), CAST(num_row_groups AS DOUBLE) FROM parquet_file_metadata(${sqlString(file)})`,
    );
    const [rowCount = 0, rowGroups = 1] = (footer.getRowsJS()[0] ?? []).map(Number);
    const rowsPerGroup = Math.ceil(rowCount / Math.max(1, rowGroups));
    const columnsPerScan = Math.max(1, Math.floor(ROW_GROUP_BYTES_PER_SCAN / Math.max(1, rowsPerGroup * Float64Array.BYTES_PER_ELEMENT)));
    return await scanWithDuckDB(
      connection,
      { file, relation, rowCapacity: rowCount, lineOfRow: () => undefined, rowKey: 'file_row_number', columnsPerScan },
      options,
    );
  } catch (error) {
    // DuckDB's errors come from the addon's realm, so `instanceof Error` cannot be used to spot them.
    if (error instanceof DataError || error instanceof SchemaError || error instanceof ParameterError) throw error;
    throw dataErrorFromDuckDB(error, file, 'Check that the file is a complete Parquet file (not truncated, not another format).');
  } finally {
    connection.closeSync();
  }
}
