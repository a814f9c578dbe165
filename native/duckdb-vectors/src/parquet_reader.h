// The addon's own Parquet reader (parquet_reader.cc), registered by addon.cc.
#pragma once

#include <napi.h>

namespace duckdb_vectors {

// Looks up the Snappy and ZSTD decompressors in the libduckdb the bindings loaded (`library` is its
// dlopen handle). A codec whose functions are missing is left to DuckDB's own reader.
void AttachParquetCodecs(void* library);

// Adds parquetSchema() and readParquet() to the addon's exports.
void RegisterParquetReader(Napi::Env env, Napi::Object exports);

}  // namespace duckdb_vectors
