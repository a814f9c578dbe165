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
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include <kdap/napi_common.h>

#include "libduckdb_codecs.h"
#include "parquet_reader.h"
#include "scan_columns.h"
#include "arrow_ipc.h"
#include "arrow_ipc_codecs.h"
#include "huge_pages.h"
#include "csv_tokenizer.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <thread>
#include <tuple>
#include <vector>

namespace {

using kdap::ArgError;
using duckdb_vectors::Block;
using duckdb_vectors::Dictionary;
using duckdb_vectors::SortDictionary;
using duckdb_vectors::SortedTexts;

// The DuckDB C API functions used here (duckdb.h, stable C API). Handles are opaque pointers.
using idx_t = uint64_t;
using duckdb_data_chunk = void*;
using duckdb_vector = void*;
using duckdb_logical_type = void*;
using duckdb_type = int32_t;  // enum DUCKDB_TYPE
constexpr duckdb_type DUCKDB_TYPE_DOUBLE = 11;

// duckdb_result (duckdb.h, 1.x): passed by value to duckdb_fetch_chunk, so its layout is declared
// exactly; only internal_data is used, through the accessor functions.
struct Result {
  idx_t deprecated_column_count;
  idx_t deprecated_row_count;
  idx_t deprecated_rows_changed;
  void* deprecated_columns;
  char* deprecated_error_message;
  void* internal_data;
};

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
  // The scan cursor (scan.cc-style section below): its own database, one connection per scan.
  int32_t (*create_config)(void**);
  int32_t (*set_config)(void*, const char*, const char*);
  void (*destroy_config)(void**);
  int32_t (*open_ext)(const char*, void**, void*, char**);
  int32_t (*connect)(void*, void**);
  void (*disconnect)(void**);
  int32_t (*prepare)(void*, const char*, void**);
  const char* (*prepare_error)(void*);
  void (*destroy_prepare)(void**);
  idx_t (*prepared_statement_column_count)(void*);
  const char* (*prepared_statement_column_name)(void*, idx_t);
  duckdb_type (*prepared_statement_column_type)(void*, idx_t);
  int32_t (*pending_prepared_streaming)(void*, void**);
  const char* (*pending_error)(void*);
  void (*destroy_pending)(void**);
  int32_t (*execute_pending)(void*, struct Result*);
  duckdb_data_chunk (*fetch_chunk)(struct Result);
  const char* (*result_error)(struct Result*);
  void (*destroy_result)(struct Result*);
  void (*destroy_data_chunk)(duckdb_data_chunk*);
  void (*free)(void*);
  // Writing texts into a chunk (fillVarchar).
  void (*vector_assign_string_element_len)(duckdb_vector, idx_t, const char*, idx_t);
  void (*vector_ensure_validity_writable)(duckdb_vector);
  void (*validity_set_row_validity)(uint64_t*, idx_t, bool);
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
      Lookup(library, "duckdb_create_config", api->create_config, path);
      Lookup(library, "duckdb_set_config", api->set_config, path);
      Lookup(library, "duckdb_destroy_config", api->destroy_config, path);
      Lookup(library, "duckdb_open_ext", api->open_ext, path);
      Lookup(library, "duckdb_connect", api->connect, path);
      Lookup(library, "duckdb_disconnect", api->disconnect, path);
      Lookup(library, "duckdb_prepare", api->prepare, path);
      Lookup(library, "duckdb_prepare_error", api->prepare_error, path);
      Lookup(library, "duckdb_destroy_prepare", api->destroy_prepare, path);
      Lookup(library, "duckdb_prepared_statement_column_count", api->prepared_statement_column_count, path);
      Lookup(library, "duckdb_prepared_statement_column_name", api->prepared_statement_column_name, path);
      Lookup(library, "duckdb_prepared_statement_column_type", api->prepared_statement_column_type, path);
      Lookup(library, "duckdb_pending_prepared_streaming", api->pending_prepared_streaming, path);
      Lookup(library, "duckdb_pending_error", api->pending_error, path);
      Lookup(library, "duckdb_destroy_pending", api->destroy_pending, path);
      Lookup(library, "duckdb_execute_pending", api->execute_pending, path);
      Lookup(library, "duckdb_fetch_chunk", api->fetch_chunk, path);
      Lookup(library, "duckdb_result_error", api->result_error, path);
      Lookup(library, "duckdb_destroy_result", api->destroy_result, path);
      Lookup(library, "duckdb_destroy_data_chunk", api->destroy_data_chunk, path);
      Lookup(library, "duckdb_free", api->free, path);
      Lookup(library, "duckdb_vector_assign_string_element_len", api->vector_assign_string_element_len, path);
      Lookup(library, "duckdb_vector_ensure_validity_writable", api->vector_ensure_validity_writable, path);
      Lookup(library, "duckdb_validity_set_row_validity", api->validity_set_row_validity, path);
    } catch (...) {
      delete api;
      dlclose(library);
      throw;
    }
    // Parquet pages and Arrow IPC bodies decode with libduckdb's codecs (a missing one: Parquet
    // falls back to DuckDB's reader, Arrow says which codec is unavailable).
    duckdb_vectors::AttachLibduckdbCodecs(library);
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

// ---------------------------------------------------------------------------------------------
// Scan cursor: runs a query on the addon's own DuckDB database (one per process, opened on first
// use, one connection per scan) and decodes its streamed chunks straight into column buffers on
// a worker thread: numbers, booleans, dates and timestamps into float64 (timestamps as epoch
// milliseconds with the microsecond fraction), VARCHAR into int32 dictionary codes by hashing the
// string bytes, so no JavaScript string exists per value, only one per distinct text. Chunks
// arrive in the query's order (DuckDB preserves insertion order), so rows need no reordering.
// ---------------------------------------------------------------------------------------------

constexpr duckdb_type T_BOOLEAN = 1, T_TINYINT = 2, T_SMALLINT = 3, T_INTEGER = 4, T_BIGINT = 5, T_UTINYINT = 6,
                      T_USMALLINT = 7, T_UINTEGER = 8, T_UBIGINT = 9, T_FLOAT = 10, T_DOUBLE = 11, T_TIMESTAMP = 12,
                      T_DATE = 13, T_VARCHAR = 17, T_TIMESTAMP_S = 20, T_TIMESTAMP_MS = 21, T_TIMESTAMP_NS = 22,
                      T_TIMESTAMP_TZ = 31, T_SQLNULL = 36;

bool Decodable(duckdb_type t) {
  switch (t) {
    case T_BOOLEAN: case T_TINYINT: case T_SMALLINT: case T_INTEGER: case T_BIGINT: case T_UTINYINT:
    case T_USMALLINT: case T_UINTEGER: case T_UBIGINT: case T_FLOAT: case T_DOUBLE: case T_TIMESTAMP:
    case T_DATE: case T_VARCHAR: case T_TIMESTAMP_S: case T_TIMESTAMP_MS: case T_TIMESTAMP_NS: case T_TIMESTAMP_TZ:
    case T_SQLNULL:
      return true;
    default:
      return false;
  }
}

std::mutex gDatabaseMutex;
void* gDatabase = nullptr;

void* Database(const DuckDBApi& api) {
  std::lock_guard<std::mutex> lock(gDatabaseMutex);
  if (gDatabase != nullptr) return gDatabase;
  void* config = nullptr;
  if (api.create_config(&config) != 0) throw std::runtime_error("duckdb_create_config failed");
  // DuckDB's external file cache would keep a second copy of every file read; the Table is the
  // copy users want.
  api.set_config(config, "enable_external_file_cache", "false");
  char* error = nullptr;
  void* database = nullptr;
  const int32_t state = api.open_ext(nullptr, &database, config, &error);
  api.destroy_config(&config);
  if (state != 0) {
    std::string message = error != nullptr ? error : "unknown error";
    if (error != nullptr) api.free(error);
    throw std::runtime_error("cannot open DuckDB: " + message);
  }
  gDatabase = database;  // process lifetime, like the library itself
  return gDatabase;
}

// The DuckDB type id 5 (BIGINT) value that made a read fail: beyond +-2^53 a double cannot hold it.
struct Overflow {
  bool happened = false;
  size_t column = 0;
  std::string value;
};

struct Scan {
  const DuckDBApi* api = nullptr;
  void* connection = nullptr;
  void* prepared = nullptr;
  void* pending = nullptr;
  Result result{};
  bool executed = false;
  bool finished = false;
  std::vector<std::string> names;
  std::vector<duckdb_type> types;
  std::vector<Dictionary> dictionaries;
  // A chunk that did not fit in the last read, and the rows of it already stored.
  duckdb_data_chunk carry = nullptr;
  idx_t carryOffset = 0;
  std::mutex busy;

  ~Scan() {
    if (carry != nullptr) api->destroy_data_chunk(&carry);
    if (executed) api->destroy_result(&result);
    if (pending != nullptr) api->destroy_pending(&pending);
    if (prepared != nullptr) api->destroy_prepare(&prepared);
    if (connection != nullptr) api->disconnect(&connection);
  }
};

struct ScanTraits {
  using Raw = Scan*;
  static void Free(Scan* scan) { delete scan; }
  static constexpr const char* kName = "DuckDB scan";
  static constexpr napi_type_tag kTag = {0x6b646170'7363616eULL, 0x64756b64'62763031ULL};
};
constexpr napi_type_tag ScanTraits::kTag;

constexpr double kMaxSafe = 9007199254740992.0;  // 2^53

// Decodes rows [from, from + count) of column `j` of `chunk` into `out` at `at`.
void DecodeColumn(Scan& scan, duckdb_data_chunk chunk, size_t j, idx_t from, idx_t count, void* out, Overflow& overflow) {
  const DuckDBApi& api = *scan.api;
  duckdb_vector vector = api.data_chunk_get_vector(chunk, j);
  const uint64_t* validity = api.vector_get_validity(vector);
  const void* raw = api.vector_get_data(vector);
  const duckdb_type type = scan.types[j];
  auto valid = [&](idx_t row) { return validity == nullptr || ((validity[row >> 6] >> (row & 63)) & 1ULL) != 0; };
  if (type == T_VARCHAR) {
    auto* codes = static_cast<int32_t*>(out);
    // duckdb_string_t: 4-byte length, then 12 inline bytes, or a 4-byte prefix and a pointer.
    const auto* strings = static_cast<const uint8_t*>(raw);
    Dictionary& dictionary = scan.dictionaries[j];
    for (idx_t i = 0; i < count; i++) {
      const idx_t row = from + i;
      if (!valid(row)) {
        codes[i] = -1;
        continue;
      }
      codes[i] = dictionary.CodeOfEntry(strings + row * 16);
    }
    return;
  }
  auto* values = static_cast<double*>(out);
  auto copy = [&](auto typed, double scale) {
    using T = std::remove_cv_t<std::remove_pointer_t<decltype(typed)>>;
    const auto* data = static_cast<const T*>(raw) + from;
    for (idx_t i = 0; i < count; i++) values[i] = static_cast<double>(data[i]) * scale;
  };
  switch (type) {
    case T_DOUBLE: std::memcpy(values, static_cast<const double*>(raw) + from, count * sizeof(double)); break;
    case T_FLOAT: copy(static_cast<const float*>(nullptr), 1.0); break;
    case T_BOOLEAN: copy(static_cast<const uint8_t*>(nullptr), 1.0); break;
    case T_TINYINT: copy(static_cast<const int8_t*>(nullptr), 1.0); break;
    case T_SMALLINT: copy(static_cast<const int16_t*>(nullptr), 1.0); break;
    case T_INTEGER: copy(static_cast<const int32_t*>(nullptr), 1.0); break;
    case T_UTINYINT: copy(static_cast<const uint8_t*>(nullptr), 1.0); break;
    case T_USMALLINT: copy(static_cast<const uint16_t*>(nullptr), 1.0); break;
    case T_UINTEGER: copy(static_cast<const uint32_t*>(nullptr), 1.0); break;
    case T_BIGINT:
    case T_UBIGINT: {
      const bool isSigned = type == T_BIGINT;
      for (idx_t i = 0; i < count; i++) {
        const idx_t row = from + i;
        double value;
        if (isSigned) {
          const int64_t v = static_cast<const int64_t*>(raw)[row];
          value = static_cast<double>(v);
          if ((v > (1LL << 53) || v < -(1LL << 53)) && valid(row) && !overflow.happened) {
            overflow = Overflow{true, j, std::to_string(v)};
          }
        } else {
          const uint64_t v = static_cast<const uint64_t*>(raw)[row];
          value = static_cast<double>(v);
          if (v > (1ULL << 53) && valid(row) && !overflow.happened) overflow = Overflow{true, j, std::to_string(v)};
        }
        values[i] = value;
      }
      break;
    }
    case T_DATE: {
      const auto* days = static_cast<const int32_t*>(raw) + from;
      for (idx_t i = 0; i < count; i++) {
        const int32_t d = days[i];
        // DuckDB's 'infinity' dates are the int32 extremes.
        values[i] = d == std::numeric_limits<int32_t>::max()    ? std::numeric_limits<double>::infinity()
                    : d == -std::numeric_limits<int32_t>::max() ? -std::numeric_limits<double>::infinity()
                                                                 : static_cast<double>(d) * 86400000.0;
      }
      break;
    }
    case T_TIMESTAMP:
    case T_TIMESTAMP_TZ:
    case T_TIMESTAMP_S:
    case T_TIMESTAMP_MS:
    case T_TIMESTAMP_NS: {
      const auto* ticks = static_cast<const int64_t*>(raw) + from;
      for (idx_t i = 0; i < count; i++) {
        const int64_t t = ticks[i];
        double ms;
        if (t == std::numeric_limits<int64_t>::max()) ms = std::numeric_limits<double>::infinity();
        else if (t == -std::numeric_limits<int64_t>::max()) ms = -std::numeric_limits<double>::infinity();
        // Divisions, not multiplications by 0.001: the quotient is the double nearest the exact
        // milliseconds, so the microsecond part survives (doubles near 1.7e12 ms resolve 0.25 us).
        else if (type == T_TIMESTAMP_S) ms = static_cast<double>(t) * 1000.0;
        else if (type == T_TIMESTAMP_MS) ms = static_cast<double>(t);
        else if (type == T_TIMESTAMP_NS) ms = static_cast<double>(t / 1000) / 1000.0 + static_cast<double>(t % 1000) / 1e6;
        else ms = static_cast<double>(t) / 1000.0;
        values[i] = ms;
      }
      break;
    }
    case T_SQLNULL: break;
    default: throw std::runtime_error("column " + std::to_string(j) + " has a DuckDB type the scan cannot decode");
  }
  if (validity != nullptr || type == T_SQLNULL) {
    for (idx_t i = 0; i < count; i++) {
      if (type == T_SQLNULL || !valid(from + i)) values[i] = std::numeric_limits<double>::quiet_NaN();
    }
  }
}

// openScan(sql): { handle, names, types }. Prepares `sql` on a new connection of the process's
// database (this binds the query: CSV sniffing and Parquet footers happen here); nothing runs yet.
Napi::Value OpenScan(const Napi::CallbackInfo& info) {
  return kdap::Guard(info, [&]() -> Napi::Value {
    const DuckDBApi& api = Api();
    const std::string sql = kdap::ReadString(info, 0, "sql");
    auto scan = std::make_unique<Scan>();
    scan->api = &api;
    if (api.connect(Database(api), &scan->connection) != 0) throw std::runtime_error("cannot connect to DuckDB");
    if (api.prepare(scan->connection, sql.c_str(), &scan->prepared) != 0) {
      const char* error = api.prepare_error(scan->prepared);
      // DuckDB's own message (with its line and column for CSV errors), for the reader to rephrase.
      throw std::runtime_error(error != nullptr ? error : "the query cannot be prepared");
    }
    const idx_t columns = api.prepared_statement_column_count(scan->prepared);
    Napi::Env env = info.Env();
    Napi::Array names = Napi::Array::New(env, columns);
    Napi::Array types = Napi::Array::New(env, columns);
    for (idx_t j = 0; j < columns; j++) {
      const char* name = api.prepared_statement_column_name(scan->prepared, j);
      scan->names.emplace_back(name != nullptr ? name : "");
      if (name != nullptr) api.free(const_cast<char*>(name));
      scan->types.push_back(api.prepared_statement_column_type(scan->prepared, j));
      names.Set(j, Napi::String::New(env, scan->names.back()));
      types.Set(j, Napi::Number::New(env, scan->types.back()));
    }
    scan->dictionaries.resize(columns);
    Napi::Object out = Napi::Object::New(env);
    auto box = std::make_shared<kdap::Box<ScanTraits>>(scan.release());
    out.Set("handle", kdap::WrapHandle<ScanTraits>(env, box));
    out.Set("names", names);
    out.Set("types", types);
    return out;
  });
}

class ReadWorker : public Napi::AsyncWorker {
 public:
  ReadWorker(Napi::Env env, std::shared_ptr<kdap::Box<ScanTraits>> box, size_t maxRows, size_t capacity, bool sortTexts)
      : Napi::AsyncWorker(env),
        deferred_(Napi::Promise::Deferred::New(env)),
        box_(std::move(box)),
        maxRows_(maxRows),
        capacity_(capacity),
        sortTexts_(sortTexts) {}


  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    Scan& scan = *box_->raw;
    std::lock_guard<std::mutex> lock(scan.busy);
    const DuckDBApi& api = *scan.api;
    const size_t columns = scan.types.size();
    texts_.resize(columns);
    place_.resize(columns);
    for (size_t j = 0; j < columns; j++) {
      if (!Decodable(scan.types[j])) {
        SetError("column '" + scan.names[j] + "' has a DuckDB type the scan cannot decode (type id " + std::to_string(scan.types[j]) + "); cast it in the query");
        return;
      }
      if (scan.types[j] == T_VARCHAR) {
        texts_[j] = std::make_unique<Block>();
        texts_[j]->columns = 1;
        texts_[j]->element = 4;
      } else {
        place_[j] = numbers_.columns++;
      }
    }
    try {
      Reserve(std::max<size_t>(1, std::min(capacity_, maxRows_)));
    } catch (const std::bad_alloc&) {
      SetError("out of memory while reserving the query's rows");
      return;
    }
    if (!scan.executed && !scan.finished) {
      if (api.pending_prepared_streaming(scan.prepared, &scan.pending) != 0) {
        const char* error = api.pending_error(scan.pending);
        SetError(error != nullptr ? error : "cannot start the query");
        return;
      }
      if (api.execute_pending(scan.pending, &scan.result) != 0) {
        const char* error = api.result_error(&scan.result);
        SetError(error != nullptr ? error : "the query failed");
        api.destroy_result(&scan.result);
        return;
      }
      scan.executed = true;
    }
    try {
      while (rows_ < maxRows_ && !overflow_.happened) {
        if (scan.carry == nullptr) {
          if (scan.finished) break;
          scan.carry = api.fetch_chunk(scan.result);
          scan.carryOffset = 0;
          if (scan.carry == nullptr) {
            const char* error = api.result_error(&scan.result);
            if (error != nullptr) {
              SetError(error);
              return;
            }
            scan.finished = true;
            break;
          }
        }
        const idx_t size = api.data_chunk_get_size(scan.carry);
        const idx_t take = std::min<idx_t>(size - scan.carryOffset, maxRows_ - rows_);
        if (rows_ + take > room_) Reserve(std::max<size_t>(rows_ + take, 2 * room_));
        for (size_t j = 0; j < columns; j++) {
          void* out = texts_[j] ? texts_[j]->Column(0, rows_) : numbers_.Column(place_[j], rows_);
          DecodeColumn(scan, scan.carry, j, scan.carryOffset, take, out, overflow_);
        }
        rows_ += take;
        scan.carryOffset += take;
        if (scan.carryOffset >= size) api.destroy_data_chunk(&scan.carry);
      }
      // A read that ends the scan with every text still unreturned hands the texts on sorted.
      if (sortTexts_ && !overflow_.happened && scan.finished && scan.carry == nullptr) {
        sorted_.resize(columns);
        for (size_t j = 0; j < columns; j++) {
          if (!texts_[j] || scan.dictionaries[j].returned != 0) continue;
          auto sorted = std::make_unique<SortedTexts>();
          if (SortDictionary(scan.dictionaries[j], static_cast<int32_t*>(texts_[j]->Column(0, 0)), rows_, *sorted)) sorted_[j] = std::move(sorted);
        }
      }
    } catch (const std::bad_alloc&) {
      SetError("out of memory while reading the query's rows");
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    Scan& scan = *box_->raw;
    Napi::Object out = Napi::Object::New(env);
    const size_t columns = scan.types.size();
    Napi::Array arrays = Napi::Array::New(env, columns);
    Napi::Array added = Napi::Array::New(env, columns);
    Napi::Array sortedTexts = Napi::Array::New(env, columns);
    const auto adopt = [&](Block& block) { return duckdb_vectors::AdoptBlock(env, block, rows_); };
    Napi::ArrayBuffer numbers = numbers_.columns > 0 ? adopt(numbers_) : Napi::ArrayBuffer::New(env, 0);
    for (size_t j = 0; j < columns; j++) {
      sortedTexts.Set(j, env.Null());
      if (texts_[j] && j < sorted_.size() && sorted_[j]) {
        arrays.Set(j, Napi::Int32Array::New(env, rows_, adopt(*texts_[j]), 0));
        Napi::Object texts = duckdb_vectors::AdoptSortedTexts(env, *sorted_[j]);
        sortedTexts.Set(j, texts);
        added.Set(j, env.Null());
      } else if (texts_[j]) {
        arrays.Set(j, Napi::Int32Array::New(env, rows_, adopt(*texts_[j]), 0));
        Dictionary& dictionary = scan.dictionaries[j];
        const auto& values = dictionary.values();
        Napi::Array texts = Napi::Array::New(env, values.size() - dictionary.returned);
        for (size_t k = dictionary.returned; k < values.size(); k++) {
          texts.Set(static_cast<uint32_t>(k - dictionary.returned), Napi::String::New(env, values[k].data(), values[k].size()));
        }
        dictionary.returned = values.size();
        added.Set(j, texts);
      } else {
        arrays.Set(j, Napi::Float64Array::New(env, rows_, numbers, place_[j] * rows_ * sizeof(double)));
        added.Set(j, env.Null());
      }
    }
    out.Set("rows", Napi::Number::New(env, static_cast<double>(rows_)));
    out.Set("columns", arrays);
    out.Set("newTexts", added);
    out.Set("sortedTexts", sortedTexts);
    out.Set("done", Napi::Boolean::New(env, scan.finished && scan.carry == nullptr));
    if (overflow_.happened) {
      Napi::Object overflow = Napi::Object::New(env);
      overflow.Set("column", Napi::Number::New(env, static_cast<double>(overflow_.column)));
      overflow.Set("value", Napi::String::New(env, overflow_.value));
      out.Set("overflow", overflow);
    }
    deferred_.Resolve(out);
  }

  void OnError(const Napi::Error& error) override { deferred_.Reject(error.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<kdap::Box<ScanTraits>> box_;
  size_t maxRows_;
  size_t capacity_;
  bool sortTexts_;
  std::vector<std::unique_ptr<SortedTexts>> sorted_;
  size_t rows_ = 0;
  // Room for this many rows in every column block.
  void Reserve(size_t rows) {
    numbers_.Reserve(rows, rows_);
    for (auto& block : texts_) {
      if (block) block->Reserve(rows, rows_);
    }
    room_ = rows;
  }

  Block numbers_;
  std::vector<std::unique_ptr<Block>> texts_;
  std::vector<size_t> place_;  // a number column's index in numbers_
  size_t room_ = 0;
  Overflow overflow_;
};

// readScan(handle, maxRows, capacity, sortTexts?): Promise<{ rows, columns, newTexts, sortedTexts, done, overflow? }>
Napi::Value ReadScan(const Napi::CallbackInfo& info) {
  return kdap::Guard(info, [&]() -> Napi::Value {
    auto box = kdap::ReadHandle<ScanTraits>(info, 0, "scan");
    const int64_t maxRows = kdap::ReadInt(info, 1, "maxRows", 1, (1LL << 53));
    const int64_t capacity = kdap::ReadInt(info, 2, "capacity", 0, (1LL << 40));
    bool sortTexts = false;
    if (info.Length() > 3 && !info[3].IsUndefined()) {
      if (!info[3].IsBoolean()) throw ArgError{ArgError::Type, "'sortTexts' must be a boolean, got " + kdap::Describe(info[3])};
      sortTexts = info[3].As<Napi::Boolean>().Value();
    }
    auto* worker = new ReadWorker(info.Env(), box, static_cast<size_t>(maxRows), static_cast<size_t>(capacity), sortTexts);
    Napi::Promise promise = worker->Promise();
    worker->Queue();
    return promise;
  });
}

// closeScan(handle): releases the connection (now, unless a read still holds the scan).
Napi::Value CloseScan(const Napi::CallbackInfo& info) {
  return kdap::Guard(info, [&]() -> Napi::Value {
    kdap::DisposeHandle<ScanTraits>(info, 0, "scan");
    return info.Env().Undefined();
  });
}

// gatherNumbers(codes: Int32Array, byCode: Float64Array): Float64Array. Each row's number by its
// code; code -1 is NaN. Codes are checked against byCode's length.
Napi::Value GatherNumbers(const Napi::CallbackInfo& info) {
  return kdap::Guard(info, [&]() -> Napi::Value {
    kdap::ArrayView codes = kdap::ReadTypedArray(info, 0, "codes", {napi_int32_array});
    kdap::ArrayView table = kdap::ReadTypedArray(info, 1, "byCode", {napi_float64_array});
    const auto* in = static_cast<const int32_t*>(codes.data);
    const auto* by = static_cast<const double*>(table.data);
    for (size_t i = 0; i < codes.length; i++) {
      if (in[i] < -1 || (in[i] >= 0 && static_cast<size_t>(in[i]) >= table.length)) {
        throw ArgError{ArgError::Range, "'codes' holds " + std::to_string(in[i]) + " at " + std::to_string(i) + ", beyond 'byCode' (" + std::to_string(table.length) + " values)"};
      }
    }
    Napi::Float64Array out = Napi::Float64Array::New(info.Env(), codes.length);
    double* values = out.Data();
    for (size_t i = 0; i < codes.length; i++) values[i] = in[i] < 0 ? std::numeric_limits<double>::quiet_NaN() : by[in[i]];
    return out;
  });
}

// remapCodes(codes: Int32Array, remap: Int32Array): void. codes[i] = remap[codes[i]] in place;
// code -1 stays -1. Codes are checked against remap's length first.
Napi::Value RemapCodes(const Napi::CallbackInfo& info) {
  return kdap::Guard(info, [&]() -> Napi::Value {
    kdap::ArrayView codes = kdap::ReadTypedArray(info, 0, "codes", {napi_int32_array});
    kdap::ArrayView table = kdap::ReadTypedArray(info, 1, "remap", {napi_int32_array});
    auto* io = static_cast<int32_t*>(codes.data);
    const auto* by = static_cast<const int32_t*>(table.data);
    for (size_t i = 0; i < codes.length; i++) {
      if (io[i] < -1 || (io[i] >= 0 && static_cast<size_t>(io[i]) >= table.length)) {
        throw ArgError{ArgError::Range, "'codes' holds " + std::to_string(io[i]) + " at " + std::to_string(i) + ", beyond 'remap' (" + std::to_string(table.length) + " values)"};
      }
    }
    for (size_t i = 0; i < codes.length; i++) io[i] = io[i] < 0 ? -1 : by[io[i]];
    return info.Env().Undefined();
  });
}

// copyInt64(values: BigInt64Array | BigUint64Array, first, rows, validity: Uint8Array | null,
// target: Float64Array, at, multiply, divide, checkSafe): number. An Arrow 64-bit integer or tick
// chunk into a Table column: target[at + i] = double(values[first + i]) * multiply / divide (one of
// them 1: the same double JavaScript computes from the value), NaN where validity bit first + i
// is 0. With checkSafe, returns the first chunk row whose non-null value is beyond +-2^53 (a
// float64 cannot hold it exactly; the caller raises the error naming the column), else -1.
Napi::Value CopyInt64(const Napi::CallbackInfo& info) {
  return kdap::Guard(info, [&]() -> Napi::Value {
    kdap::ArrayView values = kdap::ReadTypedArray(info, 0, "values", {napi_bigint64_array, napi_biguint64_array});
    const int64_t first = kdap::ReadInt(info, 1, "first", 0, static_cast<int64_t>(values.length));
    const int64_t rows = kdap::ReadInt(info, 2, "rows", 0, static_cast<int64_t>(values.length) - first);
    const uint8_t* validity = nullptr;
    if (!kdap::Arg(info, 3).IsNull() && !kdap::Arg(info, 3).IsUndefined()) {
      kdap::ArrayView bits = kdap::ReadTypedArray(info, 3, "validity", {napi_uint8_array});
      if (bits.length * 8 < static_cast<size_t>(first + rows)) throw ArgError{ArgError::Range, "'validity' must have a bit per row (first + rows)"};
      validity = static_cast<const uint8_t*>(bits.data);
    }
    kdap::ArrayView target = kdap::ReadTypedArray(info, 4, "target", {napi_float64_array});
    const int64_t at = kdap::ReadInt(info, 5, "at", 0, static_cast<int64_t>(target.length));
    if (static_cast<size_t>(at + rows) > target.length) throw ArgError{ArgError::Range, "'target' has no room for 'rows' values from 'at'"};
    const double multiply = kdap::ReadNumber(info, 6, "multiply");
    const double divide = kdap::ReadNumber(info, 7, "divide");
    const bool checkSafe = kdap::Arg(info, 8).ToBoolean().Value();
    auto* out = static_cast<double*>(target.data) + at;
    const bool isSigned = values.type == napi_bigint64_array;
    const auto* words = static_cast<const uint64_t*>(values.data) + first;
    constexpr uint64_t kSafe = uint64_t{1} << 53;
    int64_t unsafe = -1;
    for (int64_t i = 0; i < rows; i++) {
      const bool present = validity == nullptr || ((validity[(first + i) >> 3] >> ((first + i) & 7)) & 1) != 0;
      if (!present) {
        out[i] = std::numeric_limits<double>::quiet_NaN();
        continue;
      }
      const uint64_t word = words[i];
      const double value = isSigned ? static_cast<double>(static_cast<int64_t>(word)) : static_cast<double>(word);
      if (checkSafe && unsafe < 0) {
        const bool beyond = isSigned ? (static_cast<int64_t>(word) > static_cast<int64_t>(kSafe) || static_cast<int64_t>(word) < -static_cast<int64_t>(kSafe)) : word > kSafe;
        if (beyond) unsafe = i;
      }
      out[i] = value * multiply / divide;
    }
    return Napi::Number::New(info.Env(), static_cast<double>(unsafe));
  });
}

// ---------------------------------------------------------------------------------------------
// Texts kept as UTF-8 bytes + int32 offsets (a scan's sorted categories): decodeTexts makes their
// JavaScript strings when a caller first asks for them; fillVarchar writes rows into a DuckDB chunk
// straight from the bytes (writeTable's Parquet path), so no string exists per row or per text.
// ---------------------------------------------------------------------------------------------

struct Utf8Texts {
  const uint8_t* bytes;
  size_t byteLength;
  const int32_t* offsets;
  size_t count;  // texts: offsets holds count + 1 entries
};

Utf8Texts ReadUtf8Texts(const Napi::CallbackInfo& info, size_t bytesAt, size_t offsetsAt) {
  kdap::ArrayView bytes = kdap::ReadTypedArray(info, bytesAt, "bytes", {napi_uint8_array});
  kdap::ArrayView offsets = kdap::ReadTypedArray(info, offsetsAt, "offsets", {napi_int32_array});
  if (offsets.length == 0) throw ArgError{ArgError::Range, "'offsets' must hold at least one entry (texts + 1)"};
  return Utf8Texts{static_cast<const uint8_t*>(bytes.data), bytes.length, static_cast<const int32_t*>(offsets.data), offsets.length - 1};
}

// Bytes [start, end) of text k, after checking its two offsets against the bytes.
std::pair<size_t, size_t> TextRange(const Utf8Texts& texts, size_t k) {
  const int32_t start = texts.offsets[k], end = texts.offsets[k + 1];
  if (start < 0 || end < start || static_cast<size_t>(end) > texts.byteLength) {
    throw ArgError{ArgError::Range, "'offsets' of text " + std::to_string(k) + " (" + std::to_string(start) + ", " + std::to_string(end) +
                                        ") do not lie ascending within 'bytes' (" + std::to_string(texts.byteLength) + " bytes)"};
  }
  return {static_cast<size_t>(start), static_cast<size_t>(end)};
}

// decodeTexts(bytes: Uint8Array, offsets: Int32Array): string[]. Every offset is checked first.
Napi::Value DecodeTexts(const Napi::CallbackInfo& info) {
  return kdap::Guard(info, [&]() -> Napi::Value {
    const Utf8Texts texts = ReadUtf8Texts(info, 0, 1);
    for (size_t k = 0; k < texts.count; k++) TextRange(texts, k);
    napi_env env = info.Env();
    napi_value array;
    if (napi_create_array_with_length(env, texts.count, &array) != napi_ok) throw std::runtime_error("cannot create an array of " + std::to_string(texts.count) + " texts");
    for (size_t k = 0; k < texts.count; k++) {
      const auto [start, end] = TextRange(texts, k);
      const char* data = reinterpret_cast<const char*>(texts.bytes + start);
      bool ascii = true;
      for (size_t b = start; b < end && ascii; b++) ascii = texts.bytes[b] < 0x80;
      napi_value text;
      // ASCII is Latin-1: V8 copies it as a one-byte string without decoding UTF-8.
      const napi_status status = ascii ? napi_create_string_latin1(env, data, end - start, &text) : napi_create_string_utf8(env, data, end - start, &text);
      if (status != napi_ok || napi_set_element(env, array, static_cast<uint32_t>(k), text) != napi_ok) throw std::runtime_error("cannot create text " + std::to_string(k));
    }
    return Napi::Value(env, array);
  });
}

// fillVarchar(chunk, column, codes: Int32Array, start, rows, bytes, offsets): void. Row i of VARCHAR
// column `column` of `chunk` (a @duckdb/node-bindings DataChunk whose size is at least `rows`)
// becomes text codes[start + i], NULL for code -1. Codes and their offsets are checked before the
// chunk is written.
Napi::Value FillVarchar(const Napi::CallbackInfo& info) {
  return kdap::Guard(info, [&]() -> Napi::Value {
    const DuckDBApi& api = Api();
    duckdb_data_chunk chunk = ReadChunk(info, 0, "chunk");
    const idx_t columns = api.data_chunk_get_column_count(chunk);
    if (columns == 0) throw ArgError{ArgError::Range, "'chunk' has no columns"};
    const int64_t column = kdap::ReadInt(info, 1, "column", 0, static_cast<int64_t>(columns) - 1);
    kdap::ArrayView codesView = kdap::ReadTypedArray(info, 2, "codes", {napi_int32_array});
    const int64_t start = kdap::ReadInt(info, 3, "start", 0, static_cast<int64_t>(codesView.length));
    const int64_t rows = kdap::ReadInt(info, 4, "rows", 0, static_cast<int64_t>(api.data_chunk_get_size(chunk)));
    if (static_cast<uint64_t>(start + rows) > codesView.length) {
      throw ArgError{ArgError::Range, "'codes' holds " + std::to_string(codesView.length) + " rows; " + std::to_string(rows) + " from 'start' " + std::to_string(start) + " do not fit"};
    }
    const Utf8Texts texts = ReadUtf8Texts(info, 5, 6);
    duckdb_vector vector = api.data_chunk_get_vector(chunk, static_cast<idx_t>(column));
    duckdb_logical_type type = api.vector_get_column_type(vector);
    const duckdb_type id = type == nullptr ? -1 : api.get_type_id(type);
    if (type != nullptr) api.destroy_logical_type(&type);
    if (id != T_VARCHAR) throw ArgError{ArgError::Type, "'column' " + std::to_string(column) + " is not a VARCHAR column (DuckDB type id " + std::to_string(id) + ")"};
    const int32_t* codes = static_cast<const int32_t*>(codesView.data) + start;
    bool missing = false;
    for (int64_t i = 0; i < rows; i++) {
      const int32_t code = codes[i];
      if (code == -1) {
        missing = true;
        continue;
      }
      if (code < -1 || static_cast<size_t>(code) >= texts.count) {
        throw ArgError{ArgError::Range, "'codes' holds " + std::to_string(code) + " at " + std::to_string(start + i) + ", beyond the " + std::to_string(texts.count) + " texts"};
      }
      TextRange(texts, static_cast<size_t>(code));
    }
    uint64_t* validity = nullptr;
    if (missing) {
      api.vector_ensure_validity_writable(vector);
      validity = api.vector_get_validity(vector);
    }
    for (int64_t i = 0; i < rows; i++) {
      const int32_t code = codes[i];
      if (validity != nullptr) api.validity_set_row_validity(validity, static_cast<idx_t>(i), code != -1);
      if (code == -1) continue;
      const auto [from, to] = TextRange(texts, static_cast<size_t>(code));
      api.vector_assign_string_element_len(vector, static_cast<idx_t>(i), reinterpret_cast<const char*>(texts.bytes + from), to - from);
    }
    return info.Env().Undefined();
  });
}

/** init({NativeError, ParameterError, DisposedError}): the @kdap/errors classes for this environment. */
Napi::Value Init(const Napi::CallbackInfo& info) {
  return kdap::Guard(info, [&]() -> Napi::Value {
    kdap::RegisterErrorClasses(info);
    return info.Env().Undefined();
  });
}

Napi::Object Module(Napi::Env env, Napi::Object exports) {
  auto* st = new kdap::EnvState();
  st->library = "DuckDB";
  env.SetInstanceData<kdap::EnvState>(st);
  exports.Set("init", Napi::Function::New(env, Init, "init"));
  exports.Set("attach", Napi::Function::New(env, Attach, "attach"));
  exports.Set("copyDoubleColumn", Napi::Function::New(env, CopyDoubleColumn, "copyDoubleColumn"));
  exports.Set("openScan", Napi::Function::New(env, OpenScan, "openScan"));
  exports.Set("readScan", Napi::Function::New(env, ReadScan, "readScan"));
  exports.Set("closeScan", Napi::Function::New(env, CloseScan, "closeScan"));
  exports.Set("tokenizeCsv", Napi::Function::New(env, csv_tokenizer::TokenizeCsv, "tokenizeCsv"));
  exports.Set("copyInt64", Napi::Function::New(env, CopyInt64, "copyInt64"));
  exports.Set("gatherNumbers", Napi::Function::New(env, GatherNumbers, "gatherNumbers"));
  exports.Set("remapCodes", Napi::Function::New(env, RemapCodes, "remapCodes"));
  exports.Set("decodeTexts", Napi::Function::New(env, DecodeTexts, "decodeTexts"));
  exports.Set("fillVarchar", Napi::Function::New(env, FillVarchar, "fillVarchar"));
  duckdb_vectors::RegisterParquetReader(env, exports);
  exports.Set("readArrowIpc", Napi::Function::New(env, arrow_ipc::ReadArrowIpc, "readArrowIpc"));
  exports.Set("encodeTextColumns", Napi::Function::New(env, arrow_ipc::EncodeTextColumns, "encodeTextColumns"));
  exports.Set("allocateFloat64", Napi::Function::New(env, huge_pages::AllocateFloat64, "allocateFloat64"));
  exports.Set("readFile", Napi::Function::New(env, huge_pages::ReadFile, "readFile"));
  return exports;
}

}  // namespace

NODE_API_MODULE(duckdb_vectors, Module)
