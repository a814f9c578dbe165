import * as fs from 'node:fs';
import { tableFromIPC } from 'apache-arrow';
import { DataError } from '../errors';
import type { Column } from '../table/column';
import { columnsFromArrow } from '../table/arrow';
import { arrowCopier } from './duckdb-vectors';

/** Reads an Arrow IPC file or stream (the encoding is detected from the bytes). */
export function readArrowIpc(file: string): Map<string, Column> {
  const bytes = fs.readFileSync(file);
  let table;
  try {
    table = tableFromIPC(bytes);
  } catch (error) {
    throw new DataError(
      `Cannot read '${file}' as Arrow IPC: ${(error as Error).message}. Check that it is an Arrow IPC file or stream (not Parquet or CSV).`,
      { file },
    );
  }
  if (table.schema.fields.length === 0) {
    throw new DataError(`Cannot read '${file}' as Arrow IPC: it holds no schema. Check that it is an Arrow IPC file or stream.`, { file });
  }
  // String columns are dictionary-encoded and 64-bit columns copied natively when the addon is
  // attached (same codes, texts and values).
  return columnsFromArrow(table, `'${file}'`, arrowCopier());
}
