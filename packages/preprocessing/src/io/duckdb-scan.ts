import { DataError, SchemaError } from '../errors';
import { type Column, type ColumnKind, categoricalColumn, dateColumn, numericColumn } from '../table/column';
import { type Utf8Texts, categoricalFromUtf8 } from '../table/utf8-categories';
import { sqlIdentifier } from './duckdb';
import { DuckDBTypeId, type ScanCursor, decodeUtf8Texts, openScanCursor } from './duckdb-vectors';
import { ReservoirSample } from './reservoir-sample';
import type { ReadTableOptions } from './read-options';
import { type LineOfRow, resolveTextColumn } from './text-column';

/** What a DuckDB scan needs to know about its source. */
export interface ScanSource {
  readonly file: string;
  /** A DuckDB table function call, e.g. `read_csv('x.csv', ...)`. */
  readonly relation: string;
  /** The expected number of rows (an upper bound is best), so columns are allocated once. */
  readonly rowCapacity: number;
  readonly lineOfRow: LineOfRow;
}

/** How a column travels: numbers and instants as float64, texts as dictionary codes. */
export interface PlannedColumn {
  readonly name: string;
  readonly kind: ColumnKind;
  readonly transfer: 'number' | 'text';
  /** A cast when DuckDB's type is not one the scan decodes as wanted; undefined: the column as is. */
  readonly cast?: string;
}

/** Rows per read when sampling: the reservoir sees every row, the memory holds one block. */
const SAMPLE_BLOCK_ROWS = 65_536;

/**
 * Reads a DuckDB relation into columns in one pass: plan the columns from DuckDB's types and the
 * caller's overrides, scan (the addon decodes chunks straight into typed arrays; texts arrive as
 * dictionary codes), then build the Table's columns.
 */
export async function scanWithDuckDB(source: ScanSource, options: ReadTableOptions): Promise<Map<string, Column>> {
  // 1. Plan: DuckDB's column types (binding the query sniffs a CSV, reads a Parquet footer).
  let cursor = await openScanCursor(`SELECT * FROM ${source.relation}`);
  try {
    const plan = planColumns(cursor.names, cursor.types, options, source.file);
    if (plan.some((p) => p.cast !== undefined)) {
      cursor.close();
      const select = plan.map((p) => (p.cast === undefined ? sqlIdentifier(p.name) : `${p.cast} AS ${sqlIdentifier(p.name)}`));
      cursor = await openScanCursor(`SELECT ${select.join(', ')} FROM ${source.relation}`);
    }

    // 2. Scan.
    const scanned =
      options.sample !== undefined
        ? await scanSample(cursor, new ReservoirSample(options.sample.rows, options.sample.seed))
        : await scanRows(cursor, options.limit ?? Number.MAX_SAFE_INTEGER, Math.min(source.rowCapacity, options.limit ?? Infinity));

    // 3. Build the Table's columns.
    return buildColumns(plan, scanned, options, source.file, options.sample !== undefined ? () => undefined : source.lineOfRow);
  } finally {
    cursor.close();
  }
}

/**
 * Plans each column of a scan from its DuckDB type id and the caller's `columns` overrides (which
 * must name columns the file has).
 */
export function planColumns(names: readonly string[], types: readonly number[], options: ReadTableOptions, file: string): PlannedColumn[] {
  const overrides = options.columns ?? {};
  for (const name of Object.keys(overrides)) {
    if (!names.includes(name)) {
      throw new SchemaError(`The 'columns' option of readTable names column '${name}', which '${file}' does not have. Its columns are: ${names.join(', ')}.`, {
        column: name,
        file,
      });
    }
  }
  return names.map((name, j) => planColumn(name, types[j] as number, overrides[name]));
}

/** The Table's columns from a scan's arrays; an integer beyond +-2^53 is a DataError naming its column. */
export function buildColumns(plan: readonly PlannedColumn[], scanned: Scanned, options: ReadTableOptions, file: string, lineOfRow: LineOfRow): Map<string, Column> {
  if (scanned.overflow !== undefined) {
    const name = plan[scanned.overflow.column]?.name as string;
    throw new DataError(
      `Column '${name}' of '${file}' holds the integer ${scanned.overflow.value}, beyond +-2^53: a Table's float64 values cannot hold it exactly. ` +
        `Declare the column { columns: { ${name}: 'categorical' } } if it is an identifier, or store it as a float in the file.`,
      { file, column: name },
    );
  }
  const overrides = options.columns ?? {};
  const columns = new Map<string, Column>();
  plan.forEach((p, j) => {
    const values = scanned.columns[j] as Float64Array | Int32Array;
    const sorted = scanned.sortedTexts?.[j];
    if (p.transfer === 'number') {
      columns.set(p.name, p.kind === 'date' ? dateColumn(values as Float64Array) : numericColumn(values as Float64Array));
    } else if (sorted != null) {
      columns.set(p.name, sortedTextColumn(p.name, values as Int32Array, sorted, overrides[p.name], file, lineOfRow));
    } else {
      columns.set(p.name, resolveTextColumn(p.name, { codes: values, values: scanned.newTexts[j] as string[] }, overrides[p.name], file, lineOfRow, true));
    }
  });
  return columns;
}

/**
 * A text column whose texts the scan sorted (categories order, all used): categorical with its
 * categories kept as UTF-8 until used, unless some text may be a number or the column was declared
 * numeric or date; those are decided on the texts as any other text column.
 */
function sortedTextColumn(name: string, codes: Int32Array, sorted: SortedTexts, override: ColumnKind | undefined, file: string, lineOfRow: LineOfRow): Column {
  if (override === 'categorical' || (override === undefined && sorted.numberTexts === 0)) return categoricalFromUtf8(codes, sorted, decodeUtf8Texts);
  return resolveTextColumn(name, { codes, values: decodeUtf8Texts(sorted) }, override, file, lineOfRow, true, ({ values }) => categoricalColumn(codes, values));
}

type SortedTexts = Utf8Texts & { readonly numberTexts: number };

export interface Scanned {
  /** Float64Array per number column, Int32Array of codes per text column. */
  readonly columns: (Float64Array | Int32Array)[];
  /** Per text column, its texts in code order (null for the columns in `sortedTexts`). */
  readonly newTexts: (string[] | null)[];
  /** Per text column, its texts sorted as UTF-8 when the scan sorted them (codes in that order). */
  readonly sortedTexts?: (SortedTexts | null)[];
  readonly overflow?: { column: number; value: string };
}

/** The first `maxRows` rows (all of them by default), in one native read; texts come sorted. */
async function scanRows(cursor: ScanCursor, maxRows: number, capacity: number): Promise<Scanned> {
  const batch = await cursor.read(Math.max(1, maxRows), capacity, true);
  return batch;
}

/**
 * A seeded uniform sample of the rows, drawn here rather than by DuckDB (whose parallel
 * reservoir need not repeat across runs): every format yields the same rows for the same data
 * and seed. Rows are read in blocks, so memory holds the sample and one block.
 */
async function scanSample(cursor: ScanCursor, sample: ReservoirSample): Promise<Scanned> {
  const texts: (string[] | null)[] = cursor.types.map((type) => (type === DuckDBTypeId.VARCHAR ? [] : null));
  const kept = cursor.types.map((type) => (type === DuckDBTypeId.VARCHAR ? new Int32Array(sample.size) : new Float64Array(sample.size)));
  const slots = new Int32Array(SAMPLE_BLOCK_ROWS);
  for (;;) {
    const batch = await cursor.read(SAMPLE_BLOCK_ROWS, SAMPLE_BLOCK_ROWS);
    if (batch.overflow !== undefined) return { columns: kept, newTexts: texts, overflow: batch.overflow };
    batch.newTexts.forEach((added, j) => added !== null && (texts[j] as string[]).push(...added));
    for (let i = 0; i < batch.rows; i += 1) slots[i] = sample.offer();
    batch.columns.forEach((values, j) => {
      const target = kept[j] as Float64Array | Int32Array;
      for (let i = 0; i < batch.rows; i += 1) {
        const slot = slots[i] as number;
        if (slot >= 0) target[slot] = values[i] as number;
      }
    });
    if (batch.done || batch.rows === 0) break;
  }
  // The slots go back to file order.
  const order = sample.slotsInRowOrder();
  const columns = kept.map((values) => {
    const ordered = values instanceof Int32Array ? new Int32Array(order.length) : new Float64Array(order.length);
    order.forEach((slot, i) => (ordered[i] = values[slot] as number));
    return ordered;
  });
  return { columns, newTexts: texts };
}

const NUMBER_TYPES = new Set<number>([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
/** Decimal and 128-bit integers: DuckDB casts them to DOUBLE (the scan decodes 64-bit at most). */
const CAST_TO_DOUBLE = new Set<number>([DuckDBTypeId.DECIMAL, DuckDBTypeId.HUGEINT, DuckDBTypeId.UHUGEINT]);
const TEMPORAL_TYPES = new Set<number>([DuckDBTypeId.DATE, DuckDBTypeId.TIMESTAMP, DuckDBTypeId.TIMESTAMP_TZ, DuckDBTypeId.TIMESTAMP_S, DuckDBTypeId.TIMESTAMP_MS, DuckDBTypeId.TIMESTAMP_NS]);

/**
 * A column's kind and transfer: numbers and instants keep DuckDB's type (the scan converts them to
 * float64 natively); texts, and columns whose override disagrees with their type, travel as text
 * and are resolved on their distinct values (text-column.ts).
 */
function planColumn(name: string, type: number, override: ColumnKind | undefined): PlannedColumn {
  const id = sqlIdentifier(name);
  if ((NUMBER_TYPES.has(type) || CAST_TO_DOUBLE.has(type)) && (override === undefined || override === 'numeric')) {
    return { name, kind: 'numeric', transfer: 'number', ...(CAST_TO_DOUBLE.has(type) ? { cast: `CAST(${id} AS DOUBLE)` } : {}) };
  }
  if (TEMPORAL_TYPES.has(type) && (override === undefined || override === 'date')) {
    return { name, kind: 'date', transfer: 'number' };
  }
  return { name, kind: override ?? 'categorical', transfer: 'text', ...(type === DuckDBTypeId.VARCHAR ? {} : { cast: `CAST(${id} AS VARCHAR)` }) };
}
