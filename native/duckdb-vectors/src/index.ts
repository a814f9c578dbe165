/**
 * @kdap/duckdb-vectors: copies DuckDB vectors into caller-owned typed arrays, with no allocation
 * per call, through the C API of the DuckDB that @duckdb/node-api already loaded. Internal to
 * @kdap/preprocessing's readers.
 */
export { AddonLoadError, attachToDuckDB, binding, duckdbLibraryCandidates, pinnedBindingsVersion } from './binding';
export type { ArrowIpcBatch, ArrowIpcColumn, ArrowIpcField, ArrowIpcLayout, ArrowIpcType, CsvTokens, DuckDBVectorsBinding, ScanBatch, Utf8Texts } from './binding';
