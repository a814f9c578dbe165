import { DOUBLE, type DuckDBConnection, DuckDBScalarFunction } from '@duckdb/node-api';
import type * as Bindings from '@duckdb/node-bindings';
import { bindings, copyDoubleVector } from './duckdbVectors';

/**
 * A push sink for all-numeric scans: DuckDB calls this scalar function with each chunk of the
 * scan, and the chunk's columns are copied into the Table's buffer right there. No result chunk
 * reaches JS, so nothing waits for V8 to collect it (the streamed result of a 1M x 20 read kept
 * about 160 MB of chunks alive until the next full GC), and DuckDB's threads scan at full speed
 * instead of waiting on a small streaming buffer (docs/benchmarks.md).
 *
 * The function is registered once per DuckDB instance; its first argument names the read that
 * receives the chunk, so concurrent reads share it.
 */
const SINK_FUNCTION = 'kdap_preprocessing_table_sink';

/** Where one read wants its rows. */
interface SinkTarget {
  /** One array per numeric column, each `capacity` long. */
  readonly columns: readonly Float64Array[];
  readonly capacity: number;
  /**
   * `keyed`: argument 1 is each row's 0-based position in the file (Parquet's file_row_number).
   * `arrival`: rows are stored in the order chunks arrive and the function returns each row's
   * storage slot, so the query's ordered result tells where each file row went.
   */
  readonly mode: 'keyed' | 'arrival';
  /** Rows stored so far. */
  stored: number;
}

const targets = new Map<number, SinkTarget>();
const registeredOn = new WeakSet<object>();
let nextReadId = 1;
const slots = new Float64Array(2048);
const keys = new Float64Array(2048);

function receive(_info: Bindings.ScalarFunctionInfo, input: Bindings.DataChunk, output: Bindings.Vector): void {
  const rows = bindings.data_chunk_get_size(input);
  if (rows === 0) return;
  copyDoubleVector(input, 0, 1, keys, 0);
  const target = targets.get(keys[0] as number);
  if (target === undefined) throw new Error(`${SINK_FUNCTION} called for an unknown read (${keys[0]}).`);
  if (target.mode === 'arrival') {
    const start = target.stored;
    if (start + rows > target.capacity) throw new Error(`The scan returned more than the ${target.capacity} rows it was sized for.`);
    target.columns.forEach((column, j) => copyDoubleVector(input, j + 1, rows, column, start));
    const slotsOut = rows <= slots.length ? slots : new Float64Array(rows);
    for (let i = 0; i < rows; i += 1) slotsOut[i] = start + i;
    bindings.copy_data_to_vector(output, 0, slotsOut.buffer, 0, rows * Float64Array.BYTES_PER_ELEMENT);
    target.stored += rows;
    return;
  }
  const rowKeys = rows <= keys.length ? keys : new Float64Array(rows);
  copyDoubleVector(input, 1, rows, rowKeys, 0);
  const first = rowKeys[0] as number;
  let contiguous = first >= 0 && first + rows <= target.capacity;
  for (let i = 1; contiguous && i < rows; i += 1) contiguous = rowKeys[i] === first + i;
  if (contiguous) {
    target.columns.forEach((column, j) => copyDoubleVector(input, j + 2, rows, column, first));
  } else {
    const scratch = new Float64Array(rows);
    for (let i = 0; i < rows; i += 1) {
      const key = rowKeys[i] as number;
      if (!(key >= 0 && key < target.capacity && Number.isInteger(key))) throw new Error(`Row position ${key} is outside the ${target.capacity} rows the scan was sized for.`);
    }
    target.columns.forEach((column, j) => {
      copyDoubleVector(input, j + 2, rows, scratch, 0);
      for (let i = 0; i < rows; i += 1) column[rowKeys[i] as number] = scratch[i] as number;
    });
  }
  target.stored += rows;
}

function ensureSinkFunction(connection: DuckDBConnection, instance: object): void {
  if (registeredOn.has(instance)) return;
  const sink = new DuckDBScalarFunction();
  sink.setName(SINK_FUNCTION);
  sink.setVarArgs(DOUBLE);
  sink.setReturnType(DOUBLE);
  // Side effects: never fold, cache or skip it; NULL inputs must reach it (they become NaN).
  sink.setVolatile();
  sink.setSpecialHandling();
  bindings.scalar_function_set_function(sink.scalar_function, receive);
  connection.registerScalarFunction(sink);
  registeredOn.add(instance);
}

/** A scan whose numeric columns DuckDB pushes into `columns`. */
export interface SinkScan {
  readonly connection: DuckDBConnection;
  /** The DuckDB instance the connection belongs to (the function is registered once per instance). */
  readonly instance: object;
  /** A DuckDB relation, e.g. `read_parquet('x.parquet')`. */
  readonly relation: string;
  /** SQL expressions of DOUBLE type, one per target column. */
  readonly expressions: readonly string[];
  readonly columns: readonly Float64Array[];
  readonly capacity: number;
  /** An expression for each row's 0-based position in the file, if the source has one. */
  readonly rowKey?: string;
}

/**
 * Runs the scan; returns the number of rows, which now sit in file order at the start of each
 * column.
 */
export async function sinkScan(scan: SinkScan): Promise<number> {
  ensureSinkFunction(scan.connection, scan.instance);
  const readId = nextReadId++;
  const target: SinkTarget = { columns: scan.columns, capacity: scan.capacity, mode: scan.rowKey !== undefined ? 'keyed' : 'arrival', stored: 0 };
  targets.set(readId, target);
  try {
    const values = scan.expressions.join(', ');
    if (scan.rowKey !== undefined) {
      const counted = await scan.connection.runAndReadAll(
        `SELECT CAST(count(${SINK_FUNCTION}(${readId}, CAST(${scan.rowKey} AS DOUBLE), ${values})) AS DOUBLE) FROM ${scan.relation}`,
      );
      const rows = Number(counted.getRowsJS()[0]?.[0] ?? 0);
      if (rows !== target.stored) throw new Error(`The scan counted ${rows} rows but delivered ${target.stored}.`);
      return rows;
    }
    // The sink stores chunks as they arrive from DuckDB's threads; the result, in file order
    // (preserve_insertion_order), says where each file row was stored. It is one DOUBLE per row
    // (8 MB for 1M rows), materialized: streaming it made DuckDB's threads wait for JS.
    const result = await scan.connection.run(`SELECT ${SINK_FUNCTION}(${readId}, ${values}) FROM ${scan.relation}`);
    const runs: Run[] = [];
    let fileRow = 0;
    const chunkSlots = new Float64Array(2048);
    for (let c = 0; c < result.chunkCount; c += 1) {
      const chunk = result.getChunk(c);
      const n = chunk.rowCount;
      const into = n <= chunkSlots.length ? chunkSlots : new Float64Array(n);
      copyDoubleVector(chunk.chunk, 0, n, into, 0);
      addRuns(runs, into, n, fileRow);
      fileRow += n;
    }
    if (fileRow !== target.stored) throw new Error(`The scan returned ${fileRow} rows but stored ${target.stored}.`);
    reorderRuns(scan.columns, runs, fileRow);
    return fileRow;
  } finally {
    targets.delete(readId);
  }
}

/** Rows `fileStart..fileStart+length` of the file were stored at `slot..slot+length`. */
interface Run {
  fileStart: number;
  slot: number;
  length: number;
}

function addRuns(runs: Run[], slotsOfRows: Float64Array, rows: number, fileRow: number): void {
  for (let i = 0; i < rows; i += 1) {
    const slot = slotsOfRows[i] as number;
    const last = runs[runs.length - 1];
    if (last !== undefined && slot === last.slot + last.length) last.length += 1;
    else runs.push({ fileStart: fileRow + i, slot, length: 1 });
  }
}

/** Moves runs stored in arrival order to their file positions, one column at a time. */
function reorderRuns(columns: readonly Float64Array[], runs: readonly Run[], rows: number): void {
  // The slots must cover 0..rows-1 exactly once, or the sink and the result disagree.
  const bySlot = [...runs].sort((a, b) => a.slot - b.slot);
  let next = 0;
  for (const run of bySlot) {
    if (run.slot !== next || !Number.isInteger(run.slot)) throw new Error('The rows stored by the scan do not match the rows it returned.');
    next += run.length;
  }
  if (next !== rows) throw new Error('The rows stored by the scan do not match the rows it returned.');
  if (runs.every((run) => run.slot === run.fileStart)) return;
  const scratch = new Float64Array(rows);
  for (const column of columns) {
    scratch.set(column.subarray(0, rows));
    for (const run of runs) {
      if (run.slot !== run.fileStart) column.set(scratch.subarray(run.slot, run.slot + run.length), run.fileStart);
    }
  }
}
