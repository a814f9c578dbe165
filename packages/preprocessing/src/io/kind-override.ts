import { DataError, SchemaError } from '../errors';
import { type Column, type ColumnKind, encodeCategorical } from '../table/column';
import { resolveTextColumn } from './text-column';

/** Applies `columns` overrides to columns that were read with their own types (Arrow IPC). */
export function applyKindOverrides(columns: Map<string, Column>, kinds: Readonly<Record<string, ColumnKind>>, file: string): Map<string, Column> {
  for (const [name, kind] of Object.entries(kinds)) {
    const column = columns.get(name);
    if (column === undefined) {
      throw new SchemaError(
        `The 'columns' option of readTable names column '${name}', which '${file}' does not have. Its columns are: ${[...columns.keys()].join(', ')}.`,
        { column: name, file },
      );
    }
    if (column.kind === kind) continue;
    columns.set(name, convertKind(name, column, kind, file));
  }
  return columns;
}

function convertKind(name: string, column: Column, kind: ColumnKind, file: string): Column {
  if (column.kind === 'categorical') {
    return resolveTextColumn(name, { codes: column.codes, values: column.categories }, kind, file, () => undefined);
  }
  if (kind === 'categorical') {
    const texts = Array.from(column.values, (v) => (Number.isNaN(v) ? null : column.kind === 'date' ? new Date(v).toISOString() : String(v)));
    return encodeCategorical(texts);
  }
  throw new DataError(
    `Column '${name}' of '${file}' is ${column.kind} and cannot be read as ${kind}. Convert it in the file, or declare it 'categorical'.`,
    { file, column: name },
  );
}
