import * as path from 'node:path';
import { DataError, ParameterError, describeValue } from '../errors';

/** File formats readTable understands. 'arrow' covers both Arrow IPC file and stream encodings. */
export type TableFormat = 'csv' | 'tsv' | 'parquet' | 'arrow' | 'json' | 'ndjson';

export const TABLE_FORMATS: readonly TableFormat[] = ['csv', 'tsv', 'parquet', 'arrow', 'json', 'ndjson'];

const FORMAT_BY_EXTENSION: Readonly<Record<string, TableFormat>> = {
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.parquet': 'parquet',
  '.pq': 'parquet',
  '.arrow': 'arrow',
  '.feather': 'arrow',
  '.ipc': 'arrow',
  '.arrows': 'arrow',
  '.json': 'json',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
};

/** The format named by `explicit`, or else the one implied by the file's extension. */
export function resolveFormat(file: string, explicit: unknown, caller: string): TableFormat {
  if (explicit !== undefined) {
    if (!TABLE_FORMATS.includes(explicit as TableFormat)) {
      throw new ParameterError(
        'format',
        `The 'format' option of ${caller} must be one of ${TABLE_FORMATS.map((f) => `'${f}'`).join(', ')}. Got ${describeValue(explicit)}.`,
      );
    }
    return explicit as TableFormat;
  }
  const extension = path.extname(file).toLowerCase();
  const format = FORMAT_BY_EXTENSION[extension];
  if (format === undefined) {
    throw new DataError(
      `Cannot tell the format of '${file}' from its extension '${extension || '(none)'}'. ` +
        `Use one of ${Object.keys(FORMAT_BY_EXTENSION).join(', ')} or pass { format: 'csv' | 'parquet' | 'arrow' | 'json' | 'ndjson' }.`,
      { file },
    );
  }
  return format;
}
