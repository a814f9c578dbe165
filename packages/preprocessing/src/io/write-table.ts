import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataError, ParameterError, describeValue } from '../errors';
import { Table } from '../table/table';
import { writeAtomically } from './atomic-write';
import { resolveFormat } from './format';
import { writeCsv } from './write-csv';
import { writeParquet } from './write-parquet';

/** Options of {@link writeTable}. */
export interface WriteTableOptions {
  /** Overrides the format implied by the extension: 'csv', 'tsv' or 'parquet'. */
  format?: 'csv' | 'tsv' | 'parquet';
}

/** Writes a Table as CSV/TSV or Parquet, atomically (temporary file + rename). */
export async function writeTable(table: Table, file: string, options: WriteTableOptions = {}): Promise<void> {
  if (!(table instanceof Table)) {
    throw new ParameterError('table', `The 'table' argument of writeTable must be a Table. Got ${describeValue(table)}.`);
  }
  if (typeof file !== 'string' || file === '') {
    throw new ParameterError('path', `The 'path' argument of writeTable must be a non-empty string. Got ${describeValue(file)}.`);
  }
  const format = resolveFormat(file, options.format, 'writeTable');
  if (format !== 'csv' && format !== 'tsv' && format !== 'parquet') {
    throw new ParameterError('format', `writeTable writes 'csv', 'tsv' and 'parquet' files. Got ${describeValue(format)} (from '${file}').`);
  }
  const directory = path.dirname(path.resolve(file));
  if (!fs.existsSync(directory)) {
    throw new DataError(`Cannot write '${file}': the directory '${directory}' does not exist. Create it first.`, { file });
  }
  await writeAtomically(file, (temporaryPath) =>
    format === 'parquet' ? writeParquet(table, temporaryPath) : writeCsv(table, temporaryPath, format === 'tsv' ? '\t' : ','),
  );
}
