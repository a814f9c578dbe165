// neighbors_node: exact k-nearest-neighbour search (squared Euclidean) over a k-d tree with
// vectorized leaf scans (knn.h), for @kdap/anomaly's LocalOutlierFactor. Queries run on the
// calling thread or on `threads` std::threads that take chunks of query rows from a shared
// counter (a descheduled thread delays only its chunk). Results are written into the caller's
// typed arrays; inputs are read in place (no copies) and fully validated first.
#include <kdap/napi_common.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "knn.h"

namespace {

using kdap::ArgError;

struct IndexTraits {
  using Raw = kdap_knn::Index*;
  static constexpr const char* kName = "NeighborIndex";
  static constexpr napi_type_tag kTag = {0x6b646170'6e656967ULL, 0x68626f72'73696478ULL};
  static void Free(Raw raw) { delete raw; }
};

using IndexBox = kdap::Box<IndexTraits>;

/** Throws a ParameterError naming the first non-finite value of a row-major matrix. */
void CheckFinite(const double* x, int64_t rows, int64_t cols, const char* name) {
  for (int64_t i = 0; i < rows * cols; i++) {
    if (!std::isfinite(x[i])) {
      throw ArgError{ArgError::Type, std::string("'") + name + "' must hold finite numbers, but row " +
                                         std::to_string(i / cols) + ", column " + std::to_string(i % cols) + " holds " +
                                         (std::isnan(x[i]) ? "NaN" : x[i] > 0 ? "Infinity" : "-Infinity")};
    }
  }
}

const double* ReadMatrix(const Napi::CallbackInfo& info, size_t i, const char* name, int64_t rows, int64_t cols) {
  kdap::ArrayView v = kdap::ReadTypedArray(info, i, name, {napi_float64_array});
  size_t want = kdap::CheckedProduct(rows, cols, name);
  if (v.length != want) {
    throw ArgError{ArgError::Range, std::string("'") + name + "' must hold rows * cols = " + std::to_string(want) +
                                        " values, got " + std::to_string(v.length)};
  }
  return static_cast<const double*>(v.data);
}

/** build(points: Float64Array, rows, cols, leafSize) -> NeighborIndex handle. */
Napi::Value Build(const Napi::CallbackInfo& info) {
  return kdap::Guard(info, [&]() -> Napi::Value {
    int64_t rows = kdap::ReadInt(info, 1, "rows", 1, INT32_MAX - 64);
    int64_t cols = kdap::ReadInt(info, 2, "cols", 1, 1 << 20);
    int64_t leafSize = kdap::ReadInt(info, 3, "leafSize", 1, 1 << 24);
    const double* points = ReadMatrix(info, 0, "points", rows, cols);
    CheckFinite(points, rows, cols, "points");
    auto index = std::make_unique<kdap_knn::Index>();
    index->Build(points, rows, static_cast<int>(cols), leafSize);
    return kdap::WrapHandle(info.Env(), std::make_shared<IndexBox>(index.release()));
  });
}

/**
 * query(index, queries: Float64Array, rows, k, excludeSelf, threads, distances: Float64Array,
 * indices: Int32Array[, kernel]): the k nearest training rows of each query, sorted, into
 * distances/indices.
 */
Napi::Value Query(const Napi::CallbackInfo& info) {
  return kdap::Guard(info, [&]() -> Napi::Value {
    std::shared_ptr<IndexBox> box = kdap::ReadHandle<IndexTraits>(info, 0, "index");
    const kdap_knn::Index& index = *box->raw;
    const int64_t cols = index.pts.dims;
    int64_t rows = kdap::ReadInt(info, 2, "rows", 0, INT32_MAX);
    bool excludeSelf = kdap::ReadBool(info, 4, "excludeSelf");
    const int64_t available = index.pts.rows - (excludeSelf ? 1 : 0);
    if (available < 1) throw ArgError{ArgError::Range, "'k' must be at most the indexed rows - 1 (excludeSelf), but the index has 1 row"};
    int64_t k = kdap::ReadInt(info, 3, "k", 1, available);
    int64_t threads = kdap::ReadInt(info, 5, "threads", 1, 1024);
    const double* queries = ReadMatrix(info, 1, "queries", rows, cols);
    if (excludeSelf && rows != index.pts.rows) {
      throw ArgError{ArgError::Range, "'rows' must equal the indexed rows (" + std::to_string(index.pts.rows) +
                                          ") when excludeSelf is true (the queries are the indexed points), got " + std::to_string(rows)};
    }
    kdap::ArrayView dv = kdap::ReadTypedArray(info, 6, "distances", {napi_float64_array});
    kdap::ArrayView iv = kdap::ReadTypedArray(info, 7, "indices", {napi_int32_array});
    const size_t want = kdap::CheckedProduct(rows, k, "rows * k");
    if (dv.length != want) throw ArgError{ArgError::Range, "'distances' must hold rows * k = " + std::to_string(want) + " values, got " + std::to_string(dv.length)};
    if (iv.length != want) throw ArgError{ArgError::Range, "'indices' must hold rows * k = " + std::to_string(want) + " values, got " + std::to_string(iv.length)};
    if (dv.data != nullptr && dv.data == iv.data) throw ArgError{ArgError::Range, "'indices' must not share memory with 'distances'"};
    // Optional 9th argument, for tests: 'generic' forces the 128-bit baseline kernel.
    kdap_knn::ScanFn kernel = kdap_knn::ChooseScan();
    if (info.Length() > 8 && !info[8].IsUndefined()) {
      std::string which = kdap::ReadString(info, 8, "kernel");
      if (which == "generic") kernel = kdap_knn::ChooseScan(false);
      else if (which != "auto") throw ArgError{ArgError::Range, "'kernel' must be 'auto' or 'generic', got '" + which + "'"};
    }
    CheckFinite(queries, rows, cols, "queries");
    if (rows == 0) return info.Env().Undefined();
    double* dist = static_cast<double*>(dv.data);
    int32_t* idx = static_cast<int32_t*>(iv.data);
    constexpr int64_t kChunk = 256;
    const int64_t chunks = (rows + kChunk - 1) / kChunk;
    std::atomic<int64_t> next{0};
    auto work = [&]() {
      for (int64_t c = next.fetch_add(1); c < chunks; c = next.fetch_add(1)) {
        index.Query(queries, c * kChunk, std::min(rows, (c + 1) * kChunk), static_cast<int>(k), excludeSelf, dist, idx, kernel);
      }
    };
    const int64_t team = std::min(threads, chunks);
    std::vector<std::thread> pool;
    pool.reserve(team - 1);
    for (int64_t t = 1; t < team; t++) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
    return info.Env().Undefined();
  });
}

/** dispose(index): frees the index (idempotent). */
Napi::Value Dispose(const Napi::CallbackInfo& info) {
  return kdap::Guard(info, [&]() -> Napi::Value {
    return Napi::Boolean::New(info.Env(), kdap::DisposeHandle<IndexTraits>(info, 0, "index"));
  });
}

/** kernel() -> the scan kernel this CPU gets: 'avx2' or 'generic'. */
Napi::Value Kernel(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), kdap_knn::ChooseScan() == kdap_knn::ChooseScan(false) ? "generic" : "avx2");
}

/** indexInfo(index) -> {rows, cols, leaves, bytes}. */
Napi::Value IndexInfo(const Napi::CallbackInfo& info) {
  return kdap::Guard(info, [&]() -> Napi::Value {
    std::shared_ptr<IndexBox> box = kdap::ReadHandle<IndexTraits>(info, 0, "index");
    const kdap_knn::Index& index = *box->raw;
    Napi::Object out = Napi::Object::New(info.Env());
    out.Set("rows", Napi::Number::New(info.Env(), static_cast<double>(index.pts.rows)));
    out.Set("cols", Napi::Number::New(info.Env(), index.pts.dims));
    out.Set("leaves", Napi::Number::New(info.Env(), static_cast<double>(index.Leaves())));
    out.Set("bytes", Napi::Number::New(info.Env(), static_cast<double>(index.Bytes())));
    return out;
  });
}

Napi::Object Module(Napi::Env env, Napi::Object exports) {
  auto* st = new kdap::EnvState();
  st->library = "neighbors";
  env.SetInstanceData<kdap::EnvState>(st);
#define EXPORT(name, fn) exports.Set(name, Napi::Function::New(env, fn, name))
  EXPORT("init", kdap::InitErrorClasses);
  EXPORT("build", Build);
  EXPORT("query", Query);
  EXPORT("dispose", Dispose);
  EXPORT("indexInfo", IndexInfo);
  EXPORT("kernel", Kernel);
  exports.Set("liveHandles", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
    return kdap::LiveHandles<IndexTraits>(info.Env());
  }, "liveHandles"));
#undef EXPORT
  return exports;
}

}  // namespace

NODE_API_MODULE(neighbors_node, Module)
