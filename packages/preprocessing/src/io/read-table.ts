import * as fs from 'node:fs';
import { DataError, ParameterError, SchemaError, describeValue } from '../errors';
import { Table } from '../table/table';
import { type Column, MISSING_CODE, columnLength, takeRows } from '../table/column';
import { ReservoirSample } from './reservoir-sample';
import { resolveFormat } from './format';
import { type ReadTableOptions, validateReadOptions } from './read-options';
import { readCsv } from './read-csv';
import { readParquet } from './read-parquet';
import { readArrowIpc } from './read-arrow-ipc';
import { readJson, readNdjson } from './read-json';
import { applyKindOverrides } from './kind-override';

/**
 * Reads a CSV, TSV, Parquet, Arrow IPC (file or stream), JSON or NDJSON file into a Table. The
 * format comes from `options.format` or the extension. Bad input raises DataError/SchemaError
 * naming the file, the line or column where known, and what to do.
 */
export async function readTable(file: string, options?: ReadTableOptions): Promise<Table> {
  if (typeof file !== 'string' || file === '') {
    throw new ParameterError('path', `The 'path' argument of readTable must be a non-empty string. Got ${describeValue(file)}.`);
  }
  const checked = validateReadOptions(options);
  const format = resolveFormat(file, checked.format, 'readTable');
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new DataError(`The file '${file}' does not exist. Check the path (relative paths start at ${process.cwd()}).`, { file });
  }
  if (stat.isDirectory()) {
    throw new DataError(`'${file}' is a directory, not a file. Pass the path of a data file inside it.`, { file });
  }
  if (stat.size === 0) {
    throw new DataError(`The file '${file}' is empty (0 bytes). Write the data to it or pick another file.`, { file });
  }

  const kinds = checked.columns ?? {};
  let columns: Map<string, Column>;
  let sampledByEngine = false;
  switch (format) {
    case 'csv':
    case 'tsv':
      columns = await readCsv(file, checked, format === 'tsv' ? '\t' : ',');
      sampledByEngine = true;
      break;
    case 'parquet':
      columns = await readParquet(file, checked);
      sampledByEngine = true;
      break;
    case 'arrow':
      columns = applyKindOverrides(readArrowIpc(file), kinds, file);
      break;
    case 'json':
      columns = readJson(file, kinds);
      break;
    case 'ndjson':
      columns = readNdjson(file, kinds);
      break;
  }
  if (!sampledByEngine) columns = limitRows(columns, checked);
  // An empty preview that was asked for (limit 0) is not an empty file.
  const emptyRequested = checked.limit === 0 || checked.sample?.rows === 0;
  if (!emptyRequested) rejectEmptyData(columns, file, kinds);
  return renameColumns(new Table(columns), checked.rename ?? {}, file);
}

function limitRows(columns: Map<string, Column>, options: ReadTableOptions): Map<string, Column> {
  const first = columns.values().next().value;
  const rows = first === undefined ? 0 : columnLength(first);
  let indices: ArrayLike<number> | undefined;
  if (options.limit !== undefined && options.limit < rows) {
    indices = Int32Array.from({ length: options.limit }, (_, i) => i);
  } else if (options.sample !== undefined) {
    const sample = new ReservoirSample(options.sample.rows, options.sample.seed);
    const rowOfSlot = new Int32Array(Math.min(rows, options.sample.rows));
    for (let row = 0; row < rows; row += 1) {
      const slot = sample.offer();
      if (slot >= 0) rowOfSlot[slot] = row;
    }
    indices = Int32Array.from(sample.slotsInRowOrder(), (slot) => rowOfSlot[slot] as number);
  }
  if (indices === undefined) return columns;
  const kept = indices;
  return new Map([...columns].map(([name, column]) => [name, takeRows(column, kept)]));
}

/** Header-only files and columns without a single value are errors: a model cannot learn from them. */
function rejectEmptyData(columns: Map<string, Column>, file: string, kinds: Readonly<Record<string, string>>): void {
  if (columns.size === 0) {
    throw new DataError(`The file '${file}' has no columns. Check that it holds a table with a header.`, { file });
  }
  const first = columns.values().next().value as Column;
  if (columnLength(first) === 0) {
    throw new DataError(`The file '${file}' has a header but no data rows. Add rows or pick another file.`, { file });
  }
  for (const [name, column] of columns) {
    if (kinds[name] !== undefined) continue;
    const allMissing =
      column.kind === 'categorical' ? column.codes.every((code) => code === MISSING_CODE) : column.values.every((v) => Number.isNaN(v));
    if (allMissing) {
      throw new DataError(
        `Column '${name}' of '${file}' is empty in every row. Drop it from the file, or declare its kind ` +
          `(e.g. { columns: { ${name}: 'numeric' } }) to keep it as all-missing.`,
        { file, column: name },
      );
    }
  }
}

function renameColumns(table: Table, mapping: Readonly<Record<string, string>>, file: string): Table {
  for (const name of Object.keys(mapping)) {
    if (!table.has(name)) {
      throw new SchemaError(
        `The 'rename' option of readTable names column '${name}', which '${file}' does not have. Its columns are: ${table.columnNames.join(', ')}.`,
        { column: name, file },
      );
    }
  }
  return Object.keys(mapping).length === 0 ? table : table.rename(mapping);
}
