import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { DuckDBValue } from '@duckdb/node-api';
import type * as Bindings from '@duckdb/node-bindings';
import { type DuckDBVectorsBinding, type ScanBatch, type Utf8Texts, attachToDuckDB } from '@kdap/duckdb-vectors';
import type { ArrowNative } from '../table/arrow';
import { AddonLoadError } from '@kdap/errors';
import { connectDuckDB } from './duckdb';

/**
 * The C-API bindings that @duckdb/node-api itself loaded. Resolved through node-api so the
 * @kdap/duckdb-vectors addon attaches to the very same libduckdb (a second copy would be a second
 * DuckDB in the process).
 */
// createRequire(__filename) works in the CommonJS build and in the ESM build (tsup shims __filename).
const requireHere = createRequire(__filename);
const bindingsDir = path.dirname(requireHere.resolve('@duckdb/node-bindings/package.json', { paths: [requireHere.resolve('@duckdb/node-api')] }));
export const bindings = requireHere(bindingsDir) as typeof Bindings;

/** DuckDB type ids (`duckdb_type` of duckdb.h) the readers plan columns with. */
export const DuckDBTypeId = {
  BOOLEAN: 1,
  DOUBLE: 11,
  TIMESTAMP: 12,
  DATE: 13,
  HUGEINT: 16,
  VARCHAR: 17,
  DECIMAL: 19,
  TIMESTAMP_S: 20,
  TIMESTAMP_MS: 21,
  TIMESTAMP_NS: 22,
  TIMESTAMP_TZ: 31,
  UHUGEINT: 32,
  SQLNULL: 36,
} as const;

/**
 * How scans reach a Table. `native`: @kdap/duckdb-vectors runs the query on its own DuckDB and
 * decodes every chunk into the Table's arrays on a worker thread (texts as dictionary codes).
 * `javascript`: @duckdb/node-api streams the chunks and each value is read in JavaScript (about
 * 10x slower); used only when the addon cannot attach (not built, another DuckDB release).
 */
export type VectorCopyPath = { readonly path: 'native'; readonly duckdb: string } | { readonly path: 'javascript'; readonly reason: string };

/** An open query whose rows are read in batches, in the query's order. */
export interface ScanCursor {
  readonly names: readonly string[];
  /** DuckDB type id of each column. */
  readonly types: readonly number[];
  /**
   * Up to `maxRows` further rows; `capacity` sizes the arrays (they grow if it is too small).
   * `sortTexts`: a read that ends the scan returns its text columns' texts sorted, as UTF-8
   * (`ScanBatch.sortedTexts`), when the addon scans.
   */
  read(maxRows: number, capacity: number, sortTexts?: boolean): Promise<ScanBatch>;
  /** Releases the connection; idempotent. */
  close(): void;
}

let addon: DuckDBVectorsBinding | undefined;
let copyPath: VectorCopyPath | undefined;
let forcedJavaScript = false;

/**
 * Attaches @kdap/duckdb-vectors to this DuckDB and checks it on a chunk made here: if the addon is
 * missing, or the bindings' handles are not what it expects (another @duckdb/node-bindings
 * release), scans use node-api and the reason is kept for `vectorCopyPath()`.
 */
function attachAddon(): VectorCopyPath {
  try {
    const { binding, version } = attachToDuckDB(bindingsDir);
    // An addon built from older sources lacks the scan: say so rather than fail on the first read.
    for (const name of ['openScan', 'readScan', 'closeScan', 'tokenizeCsv', 'copyInt64', 'gatherNumbers', 'remapCodes', 'encodeTextColumns', 'decodeTexts', 'fillVarchar', 'parquetSchema', 'readParquet', 'readArrowIpc', 'readFile', 'allocateFloat64'] as const) {
      if (typeof binding[name] !== 'function') throw new AddonLoadError(`the built addon has no ${name}(): it is older than its sources; rebuild it with 'npm run build --workspace native/duckdb-vectors'`);
    }
    const type = bindings.create_logical_type(bindings.Type.DOUBLE);
    const chunk = bindings.create_data_chunk([type]);
    const values = new Float64Array([1.5, -2, Number.MAX_VALUE]);
    bindings.data_chunk_set_size(chunk, values.length);
    bindings.copy_data_to_vector(bindings.data_chunk_get_vector(chunk, 0), 0, values.buffer, 0, values.byteLength);
    const copied = new Float64Array(values.length + 1);
    binding.copyDoubleColumn(chunk, 0, values.length, copied, 1);
    if (copied.join() !== `0,${values.join()}`) throw new AddonLoadError(`the check chunk came back as ${copied.join()}`);
    addon = binding;
    return { path: 'native', duckdb: version };
  } catch (error) {
    return { path: 'javascript', reason: error instanceof Error ? error.message : String(error) };
  }
}

/** How this process scans DuckDB results into Tables (attaching the addon on first call). */
export function vectorCopyPath(): VectorCopyPath {
  copyPath ??= attachAddon();
  return forcedJavaScript ? { path: 'javascript', reason: 'forced by useJavaScriptVectorCopy(true)' } : copyPath;
}

/** Tests and benchmarks: scan with node-api even when the addon is attached. */
export function useJavaScriptVectorCopy(force: boolean): void {
  forcedJavaScript = force;
}

/** Prepares `sql` (binding it: CSV sniffing, Parquet footers) and returns a cursor over its rows. */
export async function openScanCursor(sql: string): Promise<ScanCursor> {
  if (vectorCopyPath().path === 'native' && addon !== undefined) {
    const native = addon;
    const { handle, names, types } = native.openScan(sql);
    const read = async (maxRows: number, capacity: number, sortTexts = false): Promise<ScanBatch> => ownBatch(await native.readScan(handle, maxRows, capacity, sortTexts));
    return { names, types, read, close: () => native.closeScan(handle) };
  }
  return openJavaScriptCursor(sql);
}

/** A batch of the addon's with its arrays in this realm. */
function ownBatch(batch: ScanBatch): ScanBatch {
  const sortedTexts = batch.sortedTexts?.map((texts) => (texts === null ? null : { ...texts, bytes: ownRealm(texts.bytes), offsets: ownRealm(texts.offsets) }));
  return { ...batch, columns: batch.columns.map(ownRealm), ...(sortedTexts !== undefined ? { sortedTexts } : {}) };
}

/** The addon's own Parquet reader (read-parquet.ts). */
export interface ParquetNative {
  /** Column names, DuckDB type ids and row count from the footer, or why the addon leaves the file to DuckDB. */
  schema(file: string): { names: string[]; types: number[]; rows: number } | { unsupported: string };
  /** The whole file, decoded as a DuckDB scan would decode it, or why the addon leaves it to DuckDB. */
  read(file: string): Promise<(ScanBatch & { readonly names: string[]; readonly types: number[] }) | { unsupported: string }>;
}

let nativeParquet = true;

/** Tests and benchmarks: read Parquet files with DuckDB even when the addon could (`false`). */
export function useNativeParquet(use: boolean): void {
  nativeParquet = use;
}

/** The addon's Parquet reader, or undefined when scans do not use the addon (or it is switched off). */
export function parquetReader(): ParquetNative | undefined {
  if (!nativeParquet || vectorCopyPath().path !== 'native' || addon === undefined) return undefined;
  const native = addon;
  return {
    schema: (file) => native.parquetSchema(file),
    read: async (file) => {
      const batch = await native.readParquet(file);
      return 'unsupported' in batch ? batch : { ...ownBatch(batch), names: batch.names, types: batch.types };
    },
  };
}

/**
 * The addon's typed arrays come from Node's own realm; a vm context (jest) has other typed-array
 * classes, and `instanceof` checks there would fail. Views made here share the memory.
 */
function ownRealm<T extends Float64Array | Int32Array | Uint8Array>(array: T): T {
  const tag = Object.prototype.toString.call(array);
  if (tag === '[object Int32Array]') return new Int32Array(array.buffer, array.byteOffset, array.length) as T;
  if (tag === '[object Uint8Array]') return new Uint8Array(array.buffer, array.byteOffset, array.length) as T;
  return new Float64Array(array.buffer, array.byteOffset, array.length) as T;
}

/** The addon's functions the plain-CSV path uses (plain-csv.ts), with arrays in this realm. */
export interface PlainCsvNative {
  tokenizeCsv: DuckDBVectorsBinding['tokenizeCsv'];
  gatherNumbers: DuckDBVectorsBinding['gatherNumbers'];
  remapCodes: DuckDBVectorsBinding['remapCodes'];
  readFile: DuckDBVectorsBinding['readFile'];
}

/**
 * The addon's CSV tokenizer and row helpers (plain-csv.ts), or undefined when scans do not use the
 * addon: then plain files are read by DuckDB like the others.
 */
export function csvTokenizer(): PlainCsvNative | undefined {
  if (vectorCopyPath().path !== 'native' || addon === undefined) return undefined;
  const native = addon;
  return {
    tokenizeCsv: async (...args) => {
      const tokens = await native.tokenizeCsv(...args);
      const own = <T extends Float64Array | Int32Array>(array: T | null): T | null => (array === null ? null : ownRealm(array));
      return tokens === null ? null : { ...tokens, values: tokens.values.map(own), codes: tokens.codes.map(own), numbers: tokens.numbers.map(own) };
    },
    gatherNumbers: (codes, byCode) => ownRealm(native.gatherNumbers(codes, byCode)),
    remapCodes: (codes, remap) => native.remapCodes(codes, remap),
    readFile: (file) => ownRealm(native.readFile(file)),
  };
}

/** The addon's Arrow column copies (read-arrow-ipc.ts), or undefined when the addon is not attached. */
export function arrowCopier(): (ArrowNative & Pick<DuckDBVectorsBinding, 'readArrowIpc'>) | undefined {
  if (vectorCopyPath().path !== 'native' || addon === undefined) return undefined;
  const native = addon;
  return {
    encodeTextColumns: (columns, total) => native.encodeTextColumns(columns, total).map((encoded) => ({ codes: ownRealm(encoded.codes), texts: encoded.texts })),
    copyInt64: (...args) => native.copyInt64(...args),
    remapCodes: (codes, remap) => native.remapCodes(codes, remap),
    readArrowIpc: (file, build) => {
      const layout = native.readArrowIpc(file, build);
      if (layout.columns === null) return layout;
      const columns = layout.columns.map((column) => (column === null || 'unsafe' in column ? column : 'values' in column ? { values: ownRealm(column.values) } : { codes: ownRealm(column.codes), texts: column.texts }));
      return { ...layout, columns };
    },
    allocateFloat64: (length) => ownRealm(native.allocateFloat64(length)),
  };
}

/** The strings of UTF-8 texts (utf8-categories.ts's columns): by the addon, or TextDecoder without it. */
export function decodeUtf8Texts(texts: Utf8Texts): string[] {
  if (addon !== undefined) return addon.decodeTexts(texts.bytes, texts.offsets);
  const decoder = new TextDecoder('utf-8');
  return Array.from({ length: texts.offsets.length - 1 }, (_, k) => decoder.decode(texts.bytes.subarray(texts.offsets[k], texts.offsets[k + 1])));
}

/** The addon's fillVarchar (write-parquet.ts), or undefined when scans do not use the addon. */
export function varcharFiller(): DuckDBVectorsBinding['fillVarchar'] | undefined {
  if (vectorCopyPath().path !== 'native' || addon === undefined) return undefined;
  const native = addon;
  return (...args) => native.fillVarchar(...args);
}

const MAX_SAFE = 2 ** 53;

/** The fallback cursor: node-api's streamed chunks, decoded value by value like the addon does. */
async function openJavaScriptCursor(sql: string): Promise<ScanCursor> {
  const connection = await connectDuckDB();
  try {
    const prepared = await connection.prepare(sql);
    const names = Array.from({ length: prepared.columnCount }, (_, j) => prepared.columnName(j));
    const types: number[] = Array.from({ length: prepared.columnCount }, (_, j) => prepared.columnTypeId(j) as number);
    const dictionaries = types.map(() => new Map<string, number>());
    const stream = prepared.stream();
    let pending: { chunk: Awaited<ReturnType<Awaited<typeof stream>['fetchChunk']>>; offset: number } | undefined;
    let done = false;
    return {
      names,
      types,
      close: () => connection.closeSync(),
      async read(maxRows, capacity) {
        const result = await stream;
        const values: number[][] = types.map(() => []);
        const newTexts: (string[] | null)[] = types.map((type) => (type === DuckDBTypeId.VARCHAR ? [] : null));
        let rows = 0;
        let overflow: ScanBatch['overflow'];
        while (rows < maxRows && overflow === undefined) {
          if (pending === undefined) {
            if (done) break;
            const chunk = await result.fetchChunk();
            if (chunk === null || chunk.rowCount === 0) {
              done = true;
              break;
            }
            pending = { chunk, offset: 0 };
          }
          const chunk = pending.chunk!;
          const take = Math.min(chunk.rowCount - pending.offset, maxRows - rows);
          types.forEach((type, j) => {
            const vector = chunk.getColumnVector(j);
            for (let i = pending!.offset; i < pending!.offset + take; i += 1) {
              const item = vector.getItem(i);
              if (type === DuckDBTypeId.VARCHAR) {
                const dictionary = dictionaries[j] as Map<string, number>;
                let code = -1;
                if (item !== null) {
                  code = dictionary.get(item as string) ?? -1;
                  if (code < 0) {
                    code = dictionary.size;
                    dictionary.set(item as string, code);
                    (newTexts[j] as string[]).push(item as string);
                  }
                }
                (values[j] as number[]).push(code);
                continue;
              }
              const number = numberOf(item, type);
              if (typeof item === 'bigint' && (item > MAX_SAFE || item < -MAX_SAFE) && overflow === undefined) overflow = { column: j, value: String(item) };
              (values[j] as number[]).push(number);
            }
          });
          rows += take;
          pending.offset += take;
          if (pending.offset >= chunk.rowCount) pending = undefined;
        }
        void capacity;
        const columns = types.map((type, j) => (type === DuckDBTypeId.VARCHAR ? Int32Array.from(values[j] as number[]) : Float64Array.from(values[j] as number[])));
        return { rows, columns, newTexts, done: done && pending === undefined, ...(overflow !== undefined ? { overflow } : {}) };
      },
    };
  } catch (error) {
    connection.closeSync();
    throw error;
  }
}

/** A non-text DuckDB value as the addon decodes it: numbers, 0/1, epoch milliseconds, NaN for NULL. */
function numberOf(item: DuckDBValue, type: number): number {
  if (item === null) return NaN;
  if (typeof item === 'number') return item;
  if (typeof item === 'bigint') return Number(item);
  if (typeof item === 'boolean') return item ? 1 : 0;
  const value = item as { micros?: bigint; days?: number; seconds?: bigint; millis?: bigint; nanos?: bigint };
  if (type === DuckDBTypeId.DATE && value.days !== undefined) return value.days * 86_400_000;
  if (value.micros !== undefined) return Number(value.micros) / 1000;
  if (value.millis !== undefined) return Number(value.millis);
  if (value.seconds !== undefined) return Number(value.seconds) * 1000;
  if (value.nanos !== undefined) return Number(value.nanos / 1000n) / 1000;
  return NaN;
}

// Attached when the package is imported, as pandas loads its C extensions at import: a read then
// pays no first-call cost (loading, attaching and checking the addon took ~13 ms of a 1,461-row
// CSV read's ~21 ms in the read-shapes benchmark).
copyPath = attachAddon();
