// duckdb_vectors: copies a DuckDB vector's values straight into a caller's Float64Array.
//
// @duckdb/node-bindings' vector_get_data hands out a fresh copy of a vector's buffer per call;
// reading 1M x 20 doubles that way leaves ~160 MB of short-lived Buffers behind, and until V8
// collects them they add ~25-35 MB to a read's peak RSS (docs/benchmarks.md). This addon takes
// the same DataChunk handle the bindings give JavaScript and memcpy's the column into the
// Table's own array, with no allocation.
//
// It does not link DuckDB. attach() opens the libduckdb that @duckdb/node-bindings already
// loaded (RTLD_NOLOAD: the very same instance, never a second copy) and looks up the eight C
// functions below. Every handle is checked before use: it must be an External carrying the
// bindings' DataChunk type tag; column, row count, column type and target range are validated,
// so no value from JavaScript reaches DuckDB unchecked.
#include <dlfcn.h>

#include <kdap/napi_common.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <string>

namespace {

using kdap::ArgError;

// The DuckDB C API functions used here (duckdb.h, stable C API). Handles are opaque pointers.
using idx_t = uint64_t;
using duckdb_data_chunk = void*;
using duckdb_vector = void*;
using duckdb_logical_type = void*;
using duckdb_type = int32_t;  // enum DUCKDB_TYPE
constexpr duckdb_type DUCKDB_TYPE_DOUBLE = 11;

struct DuckDBApi {
  const char* (*library_version)();
  idx_t (*data_chunk_get_column_count)(duckdb_data_chunk);
  idx_t (*data_chunk_get_size)(duckdb_data_chunk);
  duckdb_vector (*data_chunk_get_vector)(duckdb_data_chunk, idx_t);
  duckdb_logical_type (*vector_get_column_type)(duckdb_vector);
  duckdb_type (*get_type_id)(duckdb_logical_type);
  void (*destroy_logical_type)(duckdb_logical_type*);
  void* (*vector_get_data)(duckdb_vector);
  uint64_t* (*vector_get_validity)(duckdb_vector);
};

// The type tag @duckdb/node-bindings puts on DataChunk externals (bindings/src/type_tags.h of
// duckdb-node-neo). A handle without it is refused, so no other object is read as a chunk.
constexpr napi_type_tag kDataChunkTypeTag = {0x2C7537AB063A4296ULL, 0xB1E70F08B0BBD1A3ULL};

// One DuckDB per process: the library is process-wide, so the looked-up table is too.
std::mutex gApiMutex;
const DuckDBApi* gApi = nullptr;
std::string gLibraryPath;

template <class F>
void Lookup(void* library, const char* name, F*& out, const std::string& path) {
  void* symbol = dlsym(library, name);
  if (symbol == nullptr) {
    throw ArgError{ArgError::Type, std::string("'libraryPath' (") + path + ") does not export " + name +
                                       ": it is not a DuckDB library with the C API"};
  }
  out = reinterpret_cast<F*>(symbol);
}

// attach(libraryPath: string): string
Napi::Value Attach(const Napi::CallbackInfo& info) {
  return kdap::Guard(info, [&]() -> Napi::Value {
    std::string path = kdap::ReadString(info, 0, "libraryPath");
    std::lock_guard<std::mutex> lock(gApiMutex);
    if (gApi != nullptr) {
      if (path != gLibraryPath) {
        throw ArgError{ArgError::Type, "already attached to " + gLibraryPath + "; cannot attach to " + path +
                                           " too (one DuckDB per process)"};
      }
      return Napi::String::New(info.Env(), gApi->library_version());
    }
    // RTLD_NOLOAD: only a library this process has already loaded, i.e. the bindings' own.
    void* library = dlopen(path.c_str(), RTLD_NOW | RTLD_NOLOAD);
    if (library == nullptr) {
      const char* why = dlerror();
      throw ArgError{ArgError::Type, "'libraryPath' (" + path + ") is not loaded in this process" +
                                         (why ? std::string(" (") + why + ")" : std::string()) +
                                         ": load @duckdb/node-api first, and pass the libduckdb next to its duckdb.node"};
    }
    auto* api = new DuckDBApi();
    try {
      Lookup(library, "duckdb_library_version", api->library_version, path);
      Lookup(library, "duckdb_data_chunk_get_column_count", api->data_chunk_get_column_count, path);
      Lookup(library, "duckdb_data_chunk_get_size", api->data_chunk_get_size, path);
      Lookup(library, "duckdb_data_chunk_get_vector", api->data_chunk_get_vector, path);
      Lookup(library, "duckdb_vector_get_column_type", api->vector_get_column_type, path);
      Lookup(library, "duckdb_get_type_id", api->get_type_id, path);
      Lookup(library, "duckdb_destroy_logical_type", api->destroy_logical_type, path);
      Lookup(library, "duckdb_vector_get_data", api->vector_get_data, path);
      Lookup(library, "duckdb_vector_get_validity", api->vector_get_validity, path);
    } catch (...) {
      delete api;
      dlclose(library);
      throw;
    }
    // The handle stays open for the life of the process (the bindings hold the library anyway).
    gApi = api;
    gLibraryPath = path;
    return Napi::String::New(info.Env(), gApi->library_version());
  });
}

const DuckDBApi& Api() {
  std::lock_guard<std::mutex> lock(gApiMutex);
  if (gApi == nullptr) throw ArgError{ArgError::Type, "not attached to DuckDB: call attach(libraryPath) first"};
  return *gApi;
}

duckdb_data_chunk ReadChunk(const Napi::CallbackInfo& info, size_t i, const char* name) {
  Napi::Value v = kdap::Arg(info, i);
  if (v.Type() != napi_external) {
    throw ArgError{ArgError::Type, std::string("'") + name + "' must be a DuckDB DataChunk handle, got " + kdap::Describe(v)};
  }
  bool tagged = false;
  napi_status status = napi_check_object_type_tag(info.Env(), v, &kDataChunkTypeTag, &tagged);
  if (status != napi_ok || !tagged) {
    throw ArgError{ArgError::Type, std::string("'") + name + "' must be a DuckDB DataChunk handle, got another external"};
  }
  void* chunk = v.As<Napi::External<void>>().Data();
  if (chunk == nullptr) throw ArgError{ArgError::Type, std::string("'") + name + "' is an empty DataChunk handle"};
  return chunk;
}

// copyDoubleColumn(chunk, column, rows, target, offset): void
Napi::Value CopyDoubleColumn(const Napi::CallbackInfo& info) {
  return kdap::Guard(info, [&]() -> Napi::Value {
    const DuckDBApi& api = Api();
    duckdb_data_chunk chunk = ReadChunk(info, 0, "chunk");
    const idx_t columns = api.data_chunk_get_column_count(chunk);
    const idx_t size = api.data_chunk_get_size(chunk);
    if (columns == 0) throw ArgError{ArgError::Range, "'chunk' has no columns"};
    const int64_t column = kdap::ReadInt(info, 1, "column", 0, static_cast<int64_t>(columns) - 1);
    const int64_t rows = kdap::ReadInt(info, 2, "rows", 0, static_cast<int64_t>(size));
    kdap::ArrayView target = kdap::ReadTypedArray(info, 3, "target", {napi_float64_array});
    const int64_t offset = kdap::ReadInt(info, 4, "offset", 0, (1LL << 53));
    if (static_cast<uint64_t>(offset) + static_cast<uint64_t>(rows) > target.length) {
      throw ArgError{ArgError::Range, "'target' holds " + std::to_string(target.length) + " values; " +
                                          std::to_string(rows) + " rows from offset " + std::to_string(offset) + " do not fit"};
    }
    duckdb_vector vector = api.data_chunk_get_vector(chunk, static_cast<idx_t>(column));
    if (vector == nullptr) throw ArgError{ArgError::Range, "'column' " + std::to_string(column) + " has no vector"};
    duckdb_logical_type type = api.vector_get_column_type(vector);
    const duckdb_type id = type == nullptr ? -1 : api.get_type_id(type);
    if (type != nullptr) api.destroy_logical_type(&type);
    if (id != DUCKDB_TYPE_DOUBLE) {
      throw ArgError{ArgError::Type, "'column' " + std::to_string(column) + " is not a DOUBLE column (DuckDB type id " +
                                         std::to_string(id) + "); cast it to DOUBLE in the query"};
    }
    if (rows == 0) return info.Env().Undefined();
    double* out = static_cast<double*>(target.data) + offset;
    const auto* data = static_cast<const double*>(api.vector_get_data(vector));
    std::memcpy(out, data, static_cast<size_t>(rows) * sizeof(double));
    // No validity mask means every row is valid; otherwise NULL rows become NaN.
    const uint64_t* validity = api.vector_get_validity(vector);
    if (validity != nullptr) {
      const idx_t n = static_cast<idx_t>(rows);
      for (idx_t word = 0; word * 64 < n; word++) {
        const uint64_t bits = validity[word];
        if (bits == ~0ULL) continue;
        const idx_t end = std::min<idx_t>(n, word * 64 + 64);
        for (idx_t row = word * 64; row < end; row++) {
          if (((bits >> (row & 63)) & 1ULL) == 0) out[row] = std::numeric_limits<double>::quiet_NaN();
        }
      }
    }
    return info.Env().Undefined();
  });
}

Napi::Object Module(Napi::Env env, Napi::Object exports) {
  exports.Set("attach", Napi::Function::New(env, Attach, "attach"));
  exports.Set("copyDoubleColumn", Napi::Function::New(env, CopyDoubleColumn, "copyDoubleColumn"));
  return exports;
}

}  // namespace

NODE_API_MODULE(duckdb_vectors, Module)
