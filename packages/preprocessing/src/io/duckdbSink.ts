import { ANY, DOUBLE, type DuckDBConnection, DuckDBScalarFunction, DuckDBVarCharVector } from '@duckdb/node-api';
import type * as Bindings from '@duckdb/node-bindings';
import { bindings, copyDoubleVector } from './duckdbVectors';

/**
 * A push sink for scans without sample or limit: DuckDB calls this scalar function with each
 * chunk of the scan, and the chunk's columns are copied into the Table's arrays right there
 * (numeric columns with one copy per vector, text columns value by value). No result chunk reaches
 * JS, so nothing waits for V8 to collect it (the streamed result of a 1M x 20 read kept about
 * 160 MB of chunks alive until the next full GC), and DuckDB's threads scan at full speed instead
 * of waiting on a small streaming buffer (docs/benchmarks.md).
 *
 * The function is registered once per DuckDB instance; its first argument names the read that
 * receives the chunk, so concurrent reads share it. Its arguments are: the read's id, the row's
 * file position (keyed reads), then one expression per column, DOUBLE or VARCHAR.
 */
const SINK_FUNCTION = 'kdap_preprocessing_table_sink';

/**
 * A column a sink scan fills: numbers (DOUBLE expression), or texts (VARCHAR expression) stored
 * as dictionary codes (-1 for NULL) into `values`, in order of arrival.
 */
export type SinkColumn =
  | { readonly kind: 'double'; readonly expression: string; readonly values: Float64Array }
  | { readonly kind: 'text'; readonly expression: string; readonly codes: Float64Array; readonly values: string[]; readonly dictionary: Map<string, number> };

/** A text column for a sink scan of up to `capacity` rows. */
export function textSinkColumn(expression: string, capacity: number): SinkColumn & { kind: 'text' } {
  return { kind: 'text', expression, codes: new Float64Array(capacity), values: [], dictionary: new Map() };
}

/** Where one read wants its rows. */
interface SinkTarget {
  /** The columns this scan fills, in argument order; arrays are `capacity` long. */
  readonly columns: readonly SinkColumn[];
  readonly capacity: number;
  /**
   * `keyed`: argument 1 is each row's 0-based position in the file (Parquet's file_row_number).
   * `arrival`: chunks are stored in the order they arrive; the function returns the chunk's
   * first storage slot on its first row (-1 on the others), so the query's ordered result tells
   * where each file chunk went.
   */
  readonly mode: 'keyed' | 'arrival';
  /** Arrival mode: rows of the chunk stored from each first slot. */
  readonly chunkRows: Map<number, number>;
  /** Rows stored so far. */
  stored: number;
}

/** Column batches of one keyed read: more scans than this cost more in footer parsing than they save. */
const MAX_SCANS = 16;

const targets = new Map<number, SinkTarget>();
const registeredOn = new WeakSet<object>();
let nextReadId = 1;
const slots = new Float64Array(2048);
const keys = new Float64Array(2048);
/** Values of one column of a chunk whose rows go to scattered positions. */
const scattered = new Float64Array(2048);

/** Copies `rows` values of argument `argument` into `column` from `at`, or to `positions` when given. */
function store(input: Bindings.DataChunk, argument: number, rows: number, column: SinkColumn, at: number, positions?: Float64Array): void {
  if (column.kind === 'double') {
    if (positions === undefined) {
      copyDoubleVector(input, argument, rows, column.values, at);
      return;
    }
    const scratch = rows <= scattered.length ? scattered : new Float64Array(rows);
    copyDoubleVector(input, argument, rows, scratch, 0);
    for (let i = 0; i < rows; i += 1) column.values[positions[i] as number] = scratch[i] as number;
    return;
  }
  const vector = DuckDBVarCharVector.fromRawVector(bindings.data_chunk_get_vector(input, argument), rows);
  const { codes, values, dictionary } = column;
  for (let i = 0; i < rows; i += 1) {
    const text = vector.getItem(i);
    let code = -1;
    if (text !== null) {
      const known = dictionary.get(text);
      if (known !== undefined) code = known;
      else {
        code = values.length;
        values.push(text);
        dictionary.set(text, code);
      }
    }
    codes[positions === undefined ? at + i : (positions[i] as number)] = code;
  }
}

function receive(_info: Bindings.ScalarFunctionInfo, input: Bindings.DataChunk, output: Bindings.Vector): void {
  const rows = bindings.data_chunk_get_size(input);
  if (rows === 0) return;
  copyDoubleVector(input, 0, 1, keys, 0);
  const target = targets.get(keys[0] as number);
  if (target === undefined) throw new Error(`${SINK_FUNCTION} called for an unknown read (${keys[0]}).`);
  if (target.mode === 'arrival') {
    const start = target.stored;
    if (start + rows > target.capacity) throw new Error(`The scan returned more than the ${target.capacity} rows it was sized for.`);
    target.columns.forEach((column, j) => store(input, j + 1, rows, column, start));
    const slotsOut = rows <= slots.length ? slots : new Float64Array(rows);
    slotsOut.fill(-1, 0, rows);
    slotsOut[0] = start;
    bindings.copy_data_to_vector(output, 0, slotsOut.buffer, 0, rows * Float64Array.BYTES_PER_ELEMENT);
    target.chunkRows.set(start, rows);
    target.stored += rows;
    return;
  }
  const rowKeys = rows <= keys.length ? keys : new Float64Array(rows);
  copyDoubleVector(input, 1, rows, rowKeys, 0);
  const first = rowKeys[0] as number;
  let contiguous = first >= 0 && first + rows <= target.capacity;
  for (let i = 1; contiguous && i < rows; i += 1) contiguous = rowKeys[i] === first + i;
  if (contiguous) {
    target.columns.forEach((column, j) => store(input, j + 2, rows, column, first));
  } else {
    for (let i = 0; i < rows; i += 1) {
      const key = rowKeys[i] as number;
      if (!(key >= 0 && key < target.capacity && Number.isInteger(key))) throw new Error(`Row position ${key} is outside the ${target.capacity} rows the scan was sized for.`);
    }
    target.columns.forEach((column, j) => store(input, j + 2, rows, column, 0, rowKeys));
  }
  target.stored += rows;
}

function ensureSinkFunction(connection: DuckDBConnection, instance: object): void {
  if (registeredOn.has(instance)) return;
  const sink = new DuckDBScalarFunction();
  sink.setName(SINK_FUNCTION);
  // DOUBLE and VARCHAR arguments: each column arrives in its own type.
  sink.setVarArgs(ANY);
  sink.setReturnType(DOUBLE);
  // Side effects: never fold, cache or skip it; NULL inputs must reach it (they become NaN / null).
  sink.setVolatile();
  sink.setSpecialHandling();
  bindings.scalar_function_set_function(sink.scalar_function, receive);
  connection.registerScalarFunction(sink);
  registeredOn.add(instance);
}

/** A scan whose columns DuckDB pushes into `columns`. */
export interface SinkScan {
  readonly connection: DuckDBConnection;
  /** The DuckDB instance the connection belongs to (the function is registered once per instance). */
  readonly instance: object;
  /** A DuckDB relation, e.g. `read_parquet('x.parquet')`. */
  readonly relation: string;
  /** The columns to fill, each `capacity` long. */
  readonly columns: readonly SinkColumn[];
  readonly capacity: number;
  /** An expression for each row's 0-based position in the file, if the source has one. */
  readonly rowKey?: string;
  /** With a row key: scan at most this many columns at a time (smaller Parquet row-group buffers). */
  readonly columnsPerScan?: number;
}

/**
 * Runs the scan; returns the number of rows, which now sit in file order at the start of each
 * column.
 */
export async function sinkScan(scan: SinkScan): Promise<number> {
  ensureSinkFunction(scan.connection, scan.instance);
  if (scan.rowKey !== undefined) {
    const batch = Math.max(1, scan.columnsPerScan ?? scan.columns.length, Math.ceil(scan.columns.length / MAX_SCANS));
    let rows = -1;
    for (let from = 0; from < scan.columns.length; from += batch) {
      const batchRows = await keyedScan(scan, scan.rowKey, scan.columns.slice(from, Math.min(scan.columns.length, from + batch)));
      if (rows >= 0 && batchRows !== rows) throw new Error(`The scans of one file returned ${rows} and ${batchRows} rows.`);
      rows = batchRows;
    }
    return rows;
  }
  return arrivalScan(scan);
}

/** The function call that sends `columns` of each chunk to read `readId`. */
function sinkCall(readId: number, columns: readonly SinkColumn[], rowKey?: string): string {
  // The id and the row key are cast: with ANY arguments, an integer literal would arrive as INTEGER.
  const leading = [`CAST(${readId} AS DOUBLE)`, ...(rowKey === undefined ? [] : [`CAST(${rowKey} AS DOUBLE)`])];
  return `${SINK_FUNCTION}(${[...leading, ...columns.map((column) => column.expression)].join(', ')})`;
}

async function keyedScan(scan: SinkScan, rowKey: string, columns: readonly SinkColumn[]): Promise<number> {
  const readId = nextReadId++;
  const target: SinkTarget = { columns, capacity: scan.capacity, mode: 'keyed', chunkRows: new Map(), stored: 0 };
  targets.set(readId, target);
  try {
    const counted = await scan.connection.runAndReadAll(`SELECT CAST(count(${sinkCall(readId, columns, rowKey)}) AS DOUBLE) FROM ${scan.relation}`);
    const rows = Number(counted.getRowsJS()[0]?.[0] ?? 0);
    if (rows !== target.stored) throw new Error(`The scan counted ${rows} rows but delivered ${target.stored}.`);
    return rows;
  } finally {
    targets.delete(readId);
  }
}

async function arrivalScan(scan: SinkScan): Promise<number> {
  const readId = nextReadId++;
  const target: SinkTarget = { columns: scan.columns, capacity: scan.capacity, mode: 'arrival', chunkRows: new Map(), stored: 0 };
  targets.set(readId, target);
  try {
    // The sink stores chunks as they arrive from DuckDB's threads; the result, in file order
    // (preserve_insertion_order), lists each chunk's first slot: a few hundred rows for 1M rows.
    // (Returning every row's slot made an 8 MB result plus as much garbage in copies.)
    const result = await scan.connection.run(`SELECT slot FROM (SELECT ${sinkCall(readId, scan.columns)} AS slot FROM ${scan.relation}) WHERE slot >= 0`);
    const runs: Run[] = [];
    let fileRow = 0;
    const chunkSlots = new Float64Array(2048);
    for (let c = 0; c < result.chunkCount; c += 1) {
      const chunk = result.getChunk(c);
      const n = chunk.rowCount;
      const into = n <= chunkSlots.length ? chunkSlots : new Float64Array(n);
      copyDoubleVector(chunk.chunk, 0, n, into, 0);
      for (let i = 0; i < n; i += 1) {
        const slot = into[i] as number;
        const length = target.chunkRows.get(slot);
        if (length === undefined) throw new Error('The rows stored by the scan do not match the rows it returned.');
        target.chunkRows.delete(slot);
        const last = runs[runs.length - 1];
        if (last !== undefined && last.slot + last.length === slot) last.length += length;
        else runs.push({ fileStart: fileRow, slot, length });
        fileRow += length;
      }
    }
    if (fileRow !== target.stored || target.chunkRows.size > 0) throw new Error(`The scan returned ${fileRow} rows but stored ${target.stored}.`);
    // Text columns' codes move with the numbers.
    reorderRuns(scan.columns.map((column) => (column.kind === 'double' ? column.values : column.codes)), runs, fileRow);
    return fileRow;
  } finally {
    targets.delete(readId);
  }
}

/** Rows `fileStart..fileStart+length` of the file were stored at `slot..slot+length`. */
export interface Run {
  fileStart: number;
  slot: number;
  length: number;
}

/**
 * Moves runs stored in arrival order to their file positions (`runs` in file order), one column at
 * a time, in place. Runs are written in file order; before a run is written, the runs not yet
 * placed that are stored in its way are copied aside. DuckDB's threads deliver chunks only a few
 * buffers out of order (1M-row CSV: at most 8,192 rows aside at once), so the aside buffer stays
 * small; a whole scratch column held about 7 MB at the peak of a 1M-row read. The buffer is reused
 * (slices per run would be garbage until V8's next GC: 8 MB per column).
 * `asideRows`: the aside buffer's first size (tests make it small to exercise its growth).
 */
export function reorderRuns(columns: readonly Float64Array[], runs: readonly Run[], rows: number, asideRows = 16_384): void {
  // The slots must cover 0..rows-1 exactly once, or the sink and the result disagree.
  const bySlot = [...runs].sort((a, b) => a.slot - b.slot);
  let next = 0;
  for (const run of bySlot) {
    if (run.slot !== next || !Number.isInteger(run.slot)) throw new Error('The rows stored by the scan do not match the rows it returned.');
    next += run.length;
  }
  if (next !== rows) throw new Error('The rows stored by the scan do not match the rows it returned.');
  let fileRow = 0;
  for (const run of runs) {
    if (run.fileStart !== fileRow) throw new Error('The rows stored by the scan do not match the rows it returned.');
    fileRow += run.length;
  }
  if (runs.every((run) => run.slot === run.fileStart)) return;
  const aside = new AsideBuffer(asideRows);
  for (const column of columns) {
    const placed = new Set<Run>();
    // bySlot[0..reached) are the runs stored before the end of the last run written.
    let reached = 0;
    for (const run of runs) {
      const end = run.fileStart + run.length;
      for (; reached < bySlot.length && (bySlot[reached] as Run).slot < end; reached += 1) {
        const other = bySlot[reached] as Run;
        if (other !== run && !placed.has(other)) aside.keep(other, column.subarray(other.slot, other.slot + other.length));
      }
      if (!aside.restore(run, column, run.fileStart) && run.slot !== run.fileStart) {
        // Not overwritten yet: every run stored before this one's start was set aside or placed.
        column.copyWithin(run.fileStart, run.slot, run.slot + run.length);
      }
      placed.add(run);
    }
  }
}

/** Rows of runs set aside during a reorder, in one reused buffer. */
class AsideBuffer {
  #buffer: Float64Array;
  #used = 0;
  readonly #spans = new Map<Run, { start: number; length: number }>();

  constructor(rows: number) {
    this.#buffer = new Float64Array(Math.max(1, rows));
  }

  keep(run: Run, values: Float64Array): void {
    if (this.#used + values.length > this.#buffer.length) this.#makeRoom(values.length);
    this.#buffer.set(values, this.#used);
    this.#spans.set(run, { start: this.#used, length: values.length });
    this.#used += values.length;
  }

  /** Copies `run`'s rows, if set aside, into `column` at `at` and frees them; false if not aside. */
  restore(run: Run, column: Float64Array, at: number): boolean {
    const span = this.#spans.get(run);
    if (span === undefined) return false;
    column.set(this.#buffer.subarray(span.start, span.start + span.length), at);
    this.#spans.delete(run);
    if (this.#spans.size === 0) this.#used = 0;
    return true;
  }

  /** Packs the spans still held to the front; grows the buffer if that is not enough. */
  #makeRoom(needed: number): void {
    const spans = [...this.#spans.values()].sort((a, b) => a.start - b.start);
    const live = spans.reduce((sum, span) => sum + span.length, 0);
    const target = live + needed > this.#buffer.length ? new Float64Array(Math.max(2 * this.#buffer.length, 2 * (live + needed))) : this.#buffer;
    let at = 0;
    for (const span of spans) {
      // Moving left within one buffer, in order, never overwrites a span not yet moved.
      if (target === this.#buffer) target.copyWithin(at, span.start, span.start + span.length);
      else target.set(this.#buffer.subarray(span.start, span.start + span.length), at);
      span.start = at;
      at += span.length;
    }
    this.#buffer = target;
    this.#used = at;
  }
}
