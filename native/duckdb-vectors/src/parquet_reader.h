// The addon's own Parquet reader (parquet_reader.cc), registered by addon.cc.
#pragma once

#include <napi.h>

namespace duckdb_vectors {

// Adds parquetSchema() and readParquet() to the addon's exports.
void RegisterParquetReader(Napi::Env env, Napi::Object exports);

}  // namespace duckdb_vectors
