// The decompressors libduckdb carries in its own namespaces (duckdb_zstd, duckdb_snappy,
// duckdb_lz4), looked up once when the addon attaches to the DuckDB that @duckdb/node-api loaded,
// so no codec library is built, shipped or installed. One table serves every reader (Parquet
// pages, Arrow IPC bodies); a null entry means that DuckDB build does not export the function.
#pragma once

#include <cstddef>

namespace duckdb_vectors {

struct LibduckdbCodecs {
  void* (*zstdCreate)() = nullptr;
  size_t (*zstdFree)(void*) = nullptr;
  size_t (*zstdDecompress)(void*, void*, size_t, const void*, size_t) = nullptr;
  unsigned (*zstdIsError)(size_t) = nullptr;
  unsigned (*xxh32)(const void*, size_t, unsigned) = nullptr;
  bool (*snappyLength)(const char*, size_t, size_t*) = nullptr;
  bool (*snappyUncompress)(const char*, size_t, char*) = nullptr;
  int (*lz4Decode)(const char*, char*, int, int) = nullptr;
  int (*lz4DecodeWithPrefix)(const char*, char*, int, int, const char*, int) = nullptr;

  bool HasZstd() const { return zstdCreate != nullptr && zstdFree != nullptr && zstdDecompress != nullptr && zstdIsError != nullptr; }
};

/** Looks the codecs up in `library` (a dlopen handle of libduckdb); later calls keep the first table. */
void AttachLibduckdbCodecs(void* library);

/** The table, or nullptr before the addon attached to DuckDB. */
const LibduckdbCodecs* Codecs();

}  // namespace duckdb_vectors
