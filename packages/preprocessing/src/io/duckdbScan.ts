import type { DuckDBConnection, DuckDBDataChunk, DuckDBVector } from '@duckdb/node-api';
import { SchemaError } from '../errors';
import { type Column, type ColumnKind, type DictionaryCodes, dateColumn, dictionaryCodes, numericColumn } from '../table/column';
import { sharedDuckDB, sqlIdentifier } from './duckdb';
import { type SinkColumn, sinkScan, textSinkColumn } from './duckdbSink';
import { copyDoubleColumn } from './duckdbVectors';
import { ReservoirSample } from './reservoirSample';
import type { ReadTableOptions } from './readOptions';
import { type LineOfRow, resolveTextColumn } from './textColumn';

const NUMERIC_TYPES = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|BOOLEAN|DECIMAL.*)$/;
const TEMPORAL_TYPES = /^(DATE|TIMESTAMP|TIMESTAMP_S|TIMESTAMP_MS|TIMESTAMP_NS|TIMESTAMP WITH TIME ZONE)$/;

type Transfer = 'double' | 'text';

interface PlannedColumn {
  readonly name: string;
  readonly expression: string;
  readonly transfer: Transfer;
  readonly kind: ColumnKind;
}

/** What a DuckDB scan needs to know about its source. */
export interface ScanSource {
  readonly file: string;
  /** A DuckDB table function call, e.g. `read_csv('x.csv', ...)`. */
  readonly relation: string;
  /** An upper bound on the number of rows, so columns are allocated once. */
  readonly rowCapacity: number;
  readonly lineOfRow: LineOfRow;
  /** An expression for each row's 0-based position in the file, if the source has one (Parquet's file_row_number). */
  readonly rowKey?: string;
  /** With a row key: how many columns one DuckDB scan reads at most (see readParquet). */
  readonly columnsPerScan?: number;
}

/**
 * Runs a scan in DuckDB and copies it into typed arrays chunk by chunk, so no full copy of the
 * result exists besides the Table. Scans without sample or limit are pushed into the columns by
 * DuckDB itself (duckdbSink.ts); previews (sample, limit) stream their result (docs/benchmarks.md).
 */
export async function scanWithDuckDB(connection: DuckDBConnection, source: ScanSource, options: ReadTableOptions): Promise<Map<string, Column>> {
  const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source.relation}`);
  const schema = described.getRowObjectsJson() as { column_name: string; column_type: string }[];
  const overrides = options.columns ?? {};
  for (const name of Object.keys(overrides)) {
    if (!schema.some((column) => column.column_name === name)) {
      throw new SchemaError(
        `The 'columns' option of readTable names column '${name}', which '${source.file}' does not have. Its columns are: ${schema.map((c) => c.column_name).join(', ')}.`,
        { column: name, file: source.file },
      );
    }
  }
  const plan = schema.map((column) => planColumn(column.column_name, column.column_type, overrides[column.column_name]));
  let query = `SELECT ${plan.map((p) => `${p.expression} AS ${sqlIdentifier(p.name)}`).join(', ')} FROM ${source.relation}`;
  let capacity = source.rowCapacity;
  if (options.limit !== undefined) {
    query += ` LIMIT ${options.limit}`;
    capacity = Math.min(capacity, options.limit);
  }
  // Sampling happens here, not in DuckDB: its parallel reservoir sample need not repeat across
  // runs, and this way every format yields the same sample for the same data and seed.
  const sample = options.sample === undefined ? undefined : new ReservoirSample(options.sample.rows, options.sample.seed);
  if (sample !== undefined) capacity = Math.min(capacity, sample.size);

  // One buffer for all numeric columns (column-major): a single large allocation instead of one
  // per column keeps V8's external-memory accounting from triggering repeated full GCs.
  const doubleCount = plan.filter((p) => p.transfer === 'double').length;
  const shared = new ArrayBuffer(capacity * doubleCount * Float64Array.BYTES_PER_ELEMENT);
  let slot = 0;
  const doubles: (Float64Array | undefined)[] = plan.map((p) =>
    p.transfer === 'double' ? new Float64Array(shared, capacity * Float64Array.BYTES_PER_ELEMENT * slot++, capacity) : undefined,
  );
  let rows = 0;
  if (sample === undefined && options.limit === undefined && plan.length > 0) {
    // Whole files: DuckDB pushes the chunks straight into the columns (duckdbSink.ts).
    const sinkColumns: SinkColumn[] = plan.map((p, j) => {
      const values = doubles[j];
      return values !== undefined ? { kind: 'double', expression: p.expression, values } : textSinkColumn(p.expression, capacity);
    });
    rows = await sinkScan({
      connection,
      instance: await sharedDuckDB(),
      relation: source.relation,
      columns: sinkColumns,
      capacity,
      // A data column of the same name would hide the virtual row-number column.
      ...(source.rowKey !== undefined && !schema.some((column) => column.column_name === source.rowKey) ? { rowKey: source.rowKey } : {}),
      ...(source.columnsPerScan !== undefined ? { columnsPerScan: source.columnsPerScan } : {}),
    });
    const encoded = sinkColumns.map((column) => (column.kind === 'text' ? { codes: column.codes.subarray(0, rows), values: column.values } : undefined));
    return collectColumns(plan, doubles, encoded, rows, overrides, source.file, source.lineOfRow);
  }
  // Previews stream the result; text values are kept as strings until the end.
  const texts: ((string | null)[] | undefined)[] = plan.map((p) => (p.transfer === 'text' ? [] : undefined));
  const result = await connection.stream(query);
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) break;
    const n = chunk.rowCount;
    if (sample !== undefined) {
      keepSampledRows(chunk, plan, sample, doubles, texts);
      continue;
    }
    if (rows + n > capacity) {
      capacity = Math.max(rows + n, Math.ceil(capacity * 1.5));
      doubles.forEach((array, j) => {
        if (array === undefined) return;
        const grown = new Float64Array(capacity);
        grown.set(array.subarray(0, rows));
        doubles[j] = grown;
      });
    }
    for (let j = 0; j < plan.length; j += 1) {
      const target = doubles[j];
      if (target !== undefined) {
        copyDoubleColumn(chunk, j, target, rows);
      } else {
        const vector = chunk.getColumnVector(j) as DuckDBVector<string>;
        const list = texts[j] as (string | null)[];
        for (let i = 0; i < n; i += 1) list.push(vector.getItem(i));
      }
    }
    rows += n;
  }

  // A sample's slots are put back in row order; its rows carry no file line.
  const order = sample?.slotsInRowOrder();
  if (sample !== undefined && order !== undefined) {
    rows = sample.filled;
    doubles.forEach((array, j) => {
      if (array !== undefined) doubles[j] = Float64Array.from(order, (slot) => array[slot] as number);
    });
    texts.forEach((list, j) => {
      if (list !== undefined) texts[j] = Array.from(order, (slot) => list[slot] ?? null);
    });
  }
  const encoded = texts.map((list) => (list === undefined ? undefined : dictionaryCodes(list)));
  return collectColumns(plan, doubles, encoded, rows, overrides, source.file, order === undefined ? source.lineOfRow : () => undefined);
}

/** The Table's columns from what the scan filled: `rows` numbers, or dictionary codes for texts. */
function collectColumns(
  plan: readonly PlannedColumn[],
  doubles: readonly (Float64Array | undefined)[],
  texts: readonly (DictionaryCodes | undefined)[],
  rows: number,
  overrides: Readonly<Record<string, ColumnKind>>,
  file: string,
  lineOfRow: LineOfRow,
): Map<string, Column> {
  const columns = new Map<string, Column>();
  plan.forEach((p, j) => {
    const array = doubles[j];
    if (array !== undefined) {
      const values = array.subarray(0, rows);
      columns.set(p.name, p.kind === 'date' ? dateColumn(values) : numericColumn(values));
    } else {
      columns.set(p.name, resolveTextColumn(p.name, texts[j] as DictionaryCodes, overrides[p.name], file, lineOfRow));
    }
  });
  return columns;
}

/** Stores the rows of `chunk` that the reservoir keeps into their slots. */
function keepSampledRows(
  chunk: DuckDBDataChunk,
  plan: readonly PlannedColumn[],
  sample: ReservoirSample,
  doubles: (Float64Array | undefined)[],
  texts: ((string | null)[] | undefined)[],
): void {
  const scratch = new Float64Array(chunk.rowCount);
  const slots = Int32Array.from({ length: chunk.rowCount }, () => sample.offer());
  plan.forEach((_, j) => {
    const target = doubles[j];
    if (target !== undefined) {
      copyDoubleColumn(chunk, j, scratch, 0);
      slots.forEach((slot, i) => {
        if (slot >= 0) target[slot] = scratch[i] as number;
      });
    } else {
      const vector = chunk.getColumnVector(j) as DuckDBVector<string>;
      const list = texts[j] as (string | null)[];
      slots.forEach((slot, i) => {
        if (slot >= 0) list[slot] = vector.getItem(i);
      });
    }
  });
}

function planColumn(name: string, duckType: string, override: ColumnKind | undefined): PlannedColumn {
  const id = sqlIdentifier(name);
  if (NUMERIC_TYPES.test(duckType) && (override === undefined || override === 'numeric')) {
    return { name, expression: `CAST(${id} AS DOUBLE)`, transfer: 'double', kind: 'numeric' };
  }
  if (TEMPORAL_TYPES.test(duckType) && (override === undefined || override === 'date')) {
    const instant = duckType === 'TIMESTAMP WITH TIME ZONE' ? id : `CAST(${id} AS TIMESTAMP)`;
    return { name, expression: `CAST(epoch_ms(${instant}) AS DOUBLE)`, transfer: 'double', kind: 'date' };
  }
  return { name, expression: `CAST(${id} AS VARCHAR)`, transfer: 'text', kind: override ?? 'categorical' };
}
