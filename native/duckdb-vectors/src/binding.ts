import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

/**
 * Layer 1 of the duckdb_vectors addon. It reads DuckDB vectors through the C API of the libduckdb
 * that @duckdb/node-bindings has loaded, so the handles it takes are the bindings' own.
 */
export interface DuckDBVectorsBinding {
  /**
   * Finds the DuckDB C API in `libraryPath`, which this process must already have loaded
   * (`dlopen(libraryPath, RTLD_NOW | RTLD_NOLOAD)`); returns `duckdb_library_version()`.
   * Attaching again to the same path is a no-op; to another path, a TypeError.
   */
  attach(libraryPath: string): string;
  /**
   * Copies the first `rows` values of DOUBLE column `column` of `chunk` (a DataChunk handle of
   * @duckdb/node-bindings) into `target` from `offset`; NULL rows become NaN. One memcpy, no
   * allocation. Uses `duckdb_data_chunk_get_vector`, `duckdb_vector_get_data` and
   * `duckdb_vector_get_validity`. Throws a TypeError for another kind of handle or a column that
   * is not DOUBLE, a RangeError for a column, row count or target range out of bounds.
   */
  copyDoubleColumn(chunk: object, column: number, rows: number, target: Float64Array, offset: number): void;
}

/** Error thrown when the compiled addon cannot be loaded or attached, with the fix. */
export class AddonLoadError extends Error {
  override readonly name = 'AddonLoadError';
}

const BUILD_HINT = "Build it with 'npm run build --workspace native/duckdb-vectors' (needs cmake and a C++17 compiler).";

let loaded: DuckDBVectorsBinding | undefined;

/** The loaded addon, not yet attached (loaded on first use). */
export function binding(): DuckDBVectorsBinding {
  if (loaded !== undefined) return loaded;
  const file = path.resolve(__dirname, '..', 'build', 'Release', 'duckdb_vectors.node');
  if (!fs.existsSync(file)) throw new AddonLoadError(`The duckdb-vectors addon is not built (${file} is missing). ${BUILD_HINT}`);
  try {
    loaded = createRequire(__filename)(file) as DuckDBVectorsBinding;
  } catch (error) {
    throw new AddonLoadError(`Could not load ${file}: ${error instanceof Error ? error.message : String(error)}. ${BUILD_HINT}`, { cause: error });
  }
  return loaded;
}

/**
 * Where the DuckDB shared library of a @duckdb/node-bindings installation may be: its platform
 * package (`@duckdb/node-bindings-<platform>-<arch>[-musl]`) holds duckdb.node and, next to it,
 * libduckdb. Only files that exist are returned; which one the process loaded is for `attach` to
 * tell.
 */
export function duckdbLibraryCandidates(bindingsPackageDir: string): string[] {
  const requireFrom = createRequire(path.join(bindingsPackageDir, 'package.json'));
  const base = `@duckdb/node-bindings-${process.platform}-${process.arch}`;
  const file = process.platform === 'darwin' ? 'libduckdb.dylib' : 'libduckdb.so';
  const found: string[] = [];
  for (const name of [base, `${base}-musl`]) {
    try {
      const library = path.join(path.dirname(requireFrom.resolve(`${name}/package.json`)), file);
      if (fs.existsSync(library)) found.push(library);
    } catch {
      // That platform package is not installed.
    }
  }
  return found;
}

/**
 * Loads the addon and attaches it to the DuckDB library that the @duckdb/node-bindings installed
 * at `bindingsPackageDir` loaded (require the bindings first). Returns the attached binding and
 * DuckDB's version; throws AddonLoadError, naming every path tried, when none is loaded.
 */
export function attachToDuckDB(bindingsPackageDir: string): { binding: DuckDBVectorsBinding; version: string; library: string } {
  const addon = binding();
  const candidates = duckdbLibraryCandidates(bindingsPackageDir);
  const failures: string[] = [];
  for (const library of candidates) {
    try {
      return { binding: addon, version: addon.attach(library), library };
    } catch (error) {
      failures.push(error instanceof Error ? error.message : String(error));
    }
  }
  throw new AddonLoadError(
    candidates.length === 0
      ? `No DuckDB shared library found for @duckdb/node-bindings at ${bindingsPackageDir} (${process.platform}-${process.arch}).`
      : `Could not attach to DuckDB: ${failures.join('; ')}`,
  );
}
