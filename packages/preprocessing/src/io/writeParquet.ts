import { randomBytes } from 'node:crypto';
import type { Table } from '../table/Table';
import { MISSING_CODE } from '../table/column';
import { connectDuckDB, sqlIdentifier, sqlString } from './duckdb';

/** Writes a table as Parquet (zstd) through DuckDB: numeric -> DOUBLE, categorical -> VARCHAR, date -> TIMESTAMP. */
export async function writeParquet(table: Table, file: string): Promise<void> {
  const connection = await connectDuckDB();
  const staging = `kdap_write_${randomBytes(6).toString('hex')}`;
  const names = table.columnNames;
  try {
    const definitions = names.map((name) => `${sqlIdentifier(name)} ${table.column(name).kind === 'categorical' ? 'VARCHAR' : 'DOUBLE'}`);
    await connection.run(`CREATE TEMP TABLE ${staging} (${definitions.join(', ')})`);
    const appender = await connection.createAppender(staging);
    const columns = names.map((name) => table.column(name));
    for (let row = 0; row < table.rowCount; row += 1) {
      for (const column of columns) {
        if (column.kind === 'categorical') {
          const code = column.codes[row] as number;
          if (code === MISSING_CODE) appender.appendNull();
          else appender.appendVarchar(column.categories[code] as string);
        } else {
          const v = column.values[row] as number;
          if (Number.isNaN(v)) appender.appendNull();
          else appender.appendDouble(v);
        }
      }
      appender.endRow();
    }
    appender.closeSync();
    const projection = names.map((name, j) =>
      columns[j]?.kind === 'date' ? `epoch_ms(CAST(${sqlIdentifier(name)} AS BIGINT)) AS ${sqlIdentifier(name)}` : sqlIdentifier(name),
    );
    await connection.run(`COPY (SELECT ${projection.join(', ')} FROM ${staging}) TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd)`);
  } finally {
    await connection.run(`DROP TABLE IF EXISTS ${staging}`).catch(() => undefined);
    connection.closeSync();
  }
}
