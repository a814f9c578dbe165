import type * as arrow from 'apache-arrow';
import { ParameterError, SchemaError, describeValue } from '../errors';
import {
  type CategoricalColumn,
  type Column,
  type ColumnKind,
  type DateColumn,
  type NumericColumn,
  columnLength,
  sliceRows,
  takeRows,
} from './column';
import { columnsFromArrow, columnsToArrow } from './arrow';
import { concatColumns } from './concat';
import { type DenseMatrix, type MatrixDtype, type MatrixLayout, packMatrix } from './matrix';
import { type DataRecord, columnsFromRecords, recordsFromColumns } from './records';

/** A column of {@link TableSchema.fields}: its name and kind. */
export interface SchemaField {
  readonly name: string;
  readonly kind: ColumnKind;
}

/** A Table's schema: column name -> kind, and `fields` (apache-arrow's name) listing the columns in order. */
export type TableSchema = { readonly [name: string]: ColumnKind } & { readonly fields: readonly SchemaField[] };

/** Options of {@link Table.toMatrix}. */
export interface ToMatrixOptions {
  /** Columns in matrix order; default: every column. */
  columns?: readonly string[];
  /** Default 'row' (row-major). */
  layout?: MatrixLayout;
  /** Default 'float64'. */
  dtype?: MatrixDtype;
}

/** Options of {@link Table.fromRecords}. */
export interface FromRecordsOptions {
  /** Column kinds that override inference, e.g. `{ channel_id: 'categorical', date: 'date' }`. */
  columns?: Readonly<Record<string, ColumnKind>>;
}

/**
 * An immutable columnar table: numeric columns as Float64Array/Float32Array, categorical columns
 * dictionary-encoded, date columns as epoch milliseconds. Operations return new Tables; slicing
 * shares memory, selection shares columns, filtering copies the kept rows.
 */
export class Table {
  /** Number of rows. */
  readonly rowCount: number;
  private readonly columnsByName: ReadonlyMap<string, Column>;

  /** Builds a table from named columns of equal length. */
  constructor(columns: ReadonlyMap<string, Column> | Readonly<Record<string, Column>>) {
    const entries = columns instanceof Map ? [...columns.entries()] : Object.entries(columns as Record<string, Column>);
    const byName = new Map<string, Column>();
    let rowCount: number | undefined;
    for (const [name, column] of entries) {
      const length = columnLength(column);
      if (rowCount === undefined) rowCount = length;
      else if (length !== rowCount) {
        throw new SchemaError(
          `Column '${name}' has ${length} rows but the table's first column has ${rowCount}. All columns of a Table must have the same length.`,
          { column: name },
        );
      }
      byName.set(name, column);
    }
    this.rowCount = rowCount ?? 0;
    this.columnsByName = byName;
  }

  /** Builds a table from plain records (one object per row); kinds are inferred unless overridden. */
  static fromRecords(records: readonly DataRecord[], options: FromRecordsOptions = {}): Table {
    if (!Array.isArray(records)) {
      throw new ParameterError('records', `The 'records' argument of Table.fromRecords must be an array of objects. Got ${describeValue(records)}.`);
    }
    return new Table(columnsFromRecords(records, options.columns));
  }

  /** Converts an apache-arrow Table (copying values into typed arrays). */
  static fromArrow(table: arrow.Table): Table {
    return new Table(columnsFromArrow(table));
  }

  /** Stacks tables with the same column names (in the first table's order) and kinds. */
  static concat(tables: readonly Table[]): Table {
    const first = tables[0];
    if (first === undefined) throw new ParameterError('tables', 'The \'tables\' argument of Table.concat must hold at least one Table. Got [].');
    const names = first.columnNames;
    for (const table of tables) {
      const other = table.columnNames;
      if (other.length !== names.length || other.some((name) => !first.has(name))) {
        throw new SchemaError(
          `Table.concat needs the same columns in every table. The first has ${names.join(', ')}; another has ${other.join(', ')}.`,
        );
      }
    }
    return new Table(new Map(names.map((name) => [name, concatColumns(name, tables.map((table) => table.column(name)))])));
  }

  /** Column names in order. */
  get columnNames(): string[] {
    return [...this.columnsByName.keys()];
  }

  /** Number of columns. */
  get columnCount(): number {
    return this.columnsByName.size;
  }

  /** Number of rows; apache-arrow's name for {@link Table.rowCount}. */
  get numRows(): number {
    return this.rowCount;
  }

  /**
   * Name -> kind of every column, plus apache-arrow's `schema.fields`: the columns' names and
   * kinds in order (a non-enumerable property, so the record still compares and serializes as
   * name -> kind; a column named 'fields' keeps its kind there instead).
   */
  get schema(): TableSchema {
    const schema: Record<string, ColumnKind> = {};
    const fields: SchemaField[] = [];
    for (const [name, column] of this.columnsByName) {
      schema[name] = column.kind;
      fields.push({ name, kind: column.kind });
    }
    if (!this.columnsByName.has('fields')) Object.defineProperty(schema, 'fields', { value: fields, enumerable: false });
    return schema as TableSchema;
  }

  has(name: string): boolean {
    return this.columnsByName.has(name);
  }

  /** The column called `name`; a SchemaError lists the known names when there is none. */
  column(name: string): Column {
    const column = this.columnsByName.get(name);
    if (column === undefined) {
      throw new SchemaError(`The table has no column '${name}'. Its columns are: ${this.columnNames.join(', ')}.`, { column: name });
    }
    return column;
  }

  /** The numeric column called `name`. */
  numeric(name: string): NumericColumn {
    return this.columnOfKind(name, 'numeric') as NumericColumn;
  }

  /** The categorical column called `name`. */
  categorical(name: string): CategoricalColumn {
    return this.columnOfKind(name, 'categorical') as CategoricalColumn;
  }

  /** The date column called `name`. */
  date(name: string): DateColumn {
    return this.columnOfKind(name, 'date') as DateColumn;
  }

  private columnOfKind(name: string, kind: ColumnKind): Column {
    const column = this.column(name);
    if (column.kind !== kind) {
      throw new SchemaError(`Column '${name}' is ${column.kind}, but a ${kind} column is needed here.`, { column: name });
    }
    return column;
  }

  /** A table with only `names`, in that order (columns are shared, not copied). */
  select(names: readonly string[]): Table {
    const selected = new Map<string, Column>();
    for (const name of names) {
      if (selected.has(name)) {
        throw new SchemaError(`Column '${name}' is selected twice. Name each column once.`, { column: name });
      }
      selected.set(name, this.column(name));
    }
    return new Table(selected);
  }

  /** A table without `names`. */
  drop(names: readonly string[]): Table {
    for (const name of names) this.column(name);
    const dropped = new Set(names);
    return new Table(new Map([...this.columnsByName].filter(([name]) => !dropped.has(name))));
  }

  /** A table with columns renamed by `mapping` (old name -> new name). */
  rename(mapping: Readonly<Record<string, string>>): Table {
    for (const name of Object.keys(mapping)) this.column(name);
    const renamed = new Map<string, Column>();
    for (const [name, column] of this.columnsByName) {
      const target = mapping[name] ?? name;
      if (renamed.has(target)) {
        throw new SchemaError(`Renaming would create two columns named '${target}'. Choose unique names.`, { column: target });
      }
      renamed.set(target, column);
    }
    return new Table(renamed);
  }

  /** A table with `column` added (or replaced) under `name`. */
  withColumn(name: string, column: Column): Table {
    const next = new Map(this.columnsByName);
    next.set(name, column);
    return new Table(next);
  }

  /** Rows [start, end) sharing memory with this table; negative or out-of-range bounds are clamped. */
  slice(start = 0, end = this.rowCount): Table {
    const from = clampIndex(start, this.rowCount);
    const to = Math.max(from, clampIndex(end, this.rowCount));
    return this.mapColumns((column) => sliceRows(column, from, to));
  }

  /** The first `n` rows. */
  head(n = 5): Table {
    return this.slice(0, n);
  }

  /** The rows at `indices`, in that order (copied). */
  take(indices: ArrayLike<number>): Table {
    for (let i = 0; i < indices.length; i += 1) {
      const index = indices[i] as number;
      if (!Number.isInteger(index) || index < 0 || index >= this.rowCount) {
        throw new ParameterError('indices', `The 'indices' argument of Table.take must hold integers in [0, ${this.rowCount}). Got ${describeValue(index)} at position ${i}.`);
      }
    }
    return this.mapColumns((column) => takeRows(column, indices));
  }

  /**
   * The rows where `keep` is true: either a mask with one entry per row, or a predicate called
   * with the row index.
   */
  filter(keep: ArrayLike<boolean | number> | ((rowIndex: number) => boolean)): Table {
    const kept: number[] = [];
    if (typeof keep === 'function') {
      for (let i = 0; i < this.rowCount; i += 1) if (keep(i)) kept.push(i);
    } else {
      if (keep.length !== this.rowCount) {
        throw new ParameterError('mask', `The mask given to Table.filter must have one entry per row (${this.rowCount}). Got ${keep.length} entries.`);
      }
      for (let i = 0; i < this.rowCount; i += 1) if (keep[i]) kept.push(i);
    }
    return this.mapColumns((column) => takeRows(column, kept));
  }

  /** Plain records: NaN and missing categories become null, dates become Date objects. */
  toRecords(): DataRecord[] {
    return recordsFromColumns(this.columnsByName, this.rowCount);
  }

  /** An apache-arrow Table (numeric -> Float64/Float32, categorical -> Dictionary<Utf8, Int32>, date -> Timestamp[ms]). */
  toArrow(): arrow.Table {
    return columnsToArrow(this.columnsByName, this.rowCount);
  }

  /**
   * A dense matrix for the native bindings, copied once (not at all for a single column already
   * in the requested dtype). Categorical columns contribute their codes; missing values are NaN.
   */
  toMatrix(options: ToMatrixOptions = {}): DenseMatrix {
    const layout = options.layout ?? 'row';
    const dtype = options.dtype ?? 'float64';
    if (layout !== 'row' && layout !== 'column') {
      throw new ParameterError('layout', `The 'layout' option of toMatrix must be 'row' or 'column'. Got ${describeValue(layout)}.`);
    }
    if (dtype !== 'float64' && dtype !== 'float32') {
      throw new ParameterError('dtype', `The 'dtype' option of toMatrix must be 'float64' or 'float32'. Got ${describeValue(dtype)}.`);
    }
    const names = options.columns ?? this.columnNames;
    return packMatrix(names, names.map((name) => this.column(name)), this.rowCount, layout, dtype);
  }

  private mapColumns(transform: (column: Column) => Column): Table {
    const mapped = new Map<string, Column>();
    for (const [name, column] of this.columnsByName) mapped.set(name, transform(column));
    return new Table(mapped);
  }
}

function clampIndex(index: number, length: number): number {
  const resolved = index < 0 ? length + index : index;
  return Math.min(Math.max(0, Math.trunc(resolved)), length);
}
