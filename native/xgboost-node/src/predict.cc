// Prediction: in-place from dense and columnar data (with the small-batch fast path) and from a
// DMatrix (values, margins, SHAP contributions and interactions, leaves).
#include <xgboost/c_api.h>
#include <kdap/napi_common.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "bindings.h"
#include "convert.h"
#include "state.h"

namespace xgbnode {

/** [begin, end) in boosting rounds; end 0 means "all". Out-of-range values never reach XGBoost. */
struct IterationRange {
  int begin;
  int end;
};

IterationRange ReadIterationRange(const Napi::CallbackInfo& info, size_t beginIdx, size_t endIdx) {
  int begin = static_cast<int>(kdap::ReadInt(info, beginIdx, "iterationBegin", 0, INT32_MAX));
  int end = static_cast<int>(kdap::ReadInt(info, endIdx, "iterationEnd", 0, INT32_MAX));
  return IterationRange{begin, end};
}

void CheckIterationRange(const IterationRange& r, int rounds) {
  if (r.end != 0 && r.begin >= r.end) {
    throw ArgError{ArgError::Range, "'iterationBegin' must be less than 'iterationEnd' (" + std::to_string(r.end) +
                                        "), got " + std::to_string(r.begin)};
  }
  if (r.end > rounds) {
    throw ArgError{ArgError::Range, "'iterationEnd' must be at most the number of boosted rounds (" +
                                        std::to_string(rounds) + "), got " + std::to_string(r.end)};
  }
  if (r.begin > rounds) {
    throw ArgError{ArgError::Range, "'iterationBegin' must be at most the number of boosted rounds (" +
                                        std::to_string(rounds) + "), got " + std::to_string(r.begin)};
  }
}

/** Shape checks against a model of `rounds` rounds and `nfeat` features. */
void CheckShape(int rounds, uint64_t nfeat, uint64_t cols, const IterationRange& range) {
  if (rounds == 0) throw ArgError{ArgError::Range, "the Booster has no boosted rounds yet: train or load a model before predicting"};
  if (cols != nfeat) {
    throw ArgError{ArgError::Range, "'ncol' must equal the model's number of features (" + std::to_string(nfeat) +
                                        "), got " + std::to_string(cols)};
  }
  CheckIterationRange(range, rounds);
}

/** Shape checks that need the booster: the caller holds its lock. */
void CheckAgainstModel(BoosterState* b, uint64_t cols, const IterationRange& range) {
  // Asking an untrained booster would make XGBoost configure it on this thread; refuse first.
  if (!b->initialized) throw ArgError{ArgError::Range, "the Booster has no boosted rounds yet: train or load a model before predicting"};
  CheckShape(Rounds(b), NumFeature(b), cols, range);
}

/** The configuration of both in-place predictions. */
std::string PredictConfig(int type, const IterationRange& range, double missing) {
  // cache_id is required by 1.7 (0: no cache) and ignored by later versions.
  return "{\"type\":" + std::to_string(type) + ",\"training\":false,\"iteration_begin\":" + std::to_string(range.begin) +
         ",\"iteration_end\":" + std::to_string(range.end) + ",\"strict_shape\":false,\"cache_id\":0,\"missing\":" +
         JsonNumber(missing) + "}";
}

/**
 * Batches of up to one block of rows (XGBoost predicts 64 rows per block, so a thread team has
 * nothing to share there) take the small-batch fast path, as LightGBM's single-row fast path does:
 * they are predicted on the caller's thread by a copy of the model configured with nthread 1
 * (XGBoost then runs its loops inline: no second OpenMP team), without the hop to the XGBoost
 * thread and back, and with one proxy DMatrix reused: XGBoost otherwise makes a new one per call,
 * whose context reads the cgroup CPU files (measured: 131 -> 82 us for one row of a 200-tree model
 * in C). The copy is made on the XGBoost thread when first needed and again after the model changed (training, loading, parameters); it
 * holds the model's memory once more while the booster lives. Results are bit-identical.
 */
constexpr uint64_t kSmallBatchRows = 64;

/** Copies of models made for small batches (a debug counter for tests, like liveHandles). */
std::atomic<int64_t> gSmallBatchCopies{0};

/** Makes b's fast copy current; the caller holds fastMu, not b's lock (the XGBoost thread takes it). */
void RefreshFastCopy(BoosterState* b) {
  OnXGBoostThread([&]() {
    std::shared_lock<std::shared_mutex> lock(b->rw);
    b->CheckUsable();
    if (!b->initialized) throw ArgError{ArgError::Range, "the Booster has no boosted rounds yet: train or load a model before predicting"};
    uint64_t version = b->version.load();  // stable while the lock is held
    if (b->fast != nullptr && b->fastVersion == version) return;
    bst_ulong len = 0;
    const char* bytes = nullptr;
    b->Check(XGBoosterSerializeToBuffer(b->raw, &len, &bytes), "XGBoosterSerializeToBuffer");
    if (b->fastProxy == nullptr) Check(XGProxyDMatrixCreate(&b->fastProxy), "XGProxyDMatrixCreate");
    BoosterHandle copy = nullptr;
    Check(XGBoosterCreate(nullptr, 0, &copy), "XGBoosterCreate");
    try {
      Check(XGBoosterUnserializeFromBuffer(copy, bytes, len), "XGBoosterUnserializeFromBuffer");
      Check(XGBoosterSetParam(copy, "nthread", "1"), "XGBoosterSetParam");
      int rounds = 0;
      Check(XGBoosterBoostedRounds(copy, &rounds), "XGBoosterBoostedRounds");
      bst_ulong nfeat = 0;
      Check(XGBoosterGetNumFeature(copy, &nfeat), "XGBoosterGetNumFeature");
      if (b->fast != nullptr) XGBoosterFree(b->fast);
      b->fast = copy;
      b->fastVersion = version;
      b->fastRounds = rounds;
      b->fastFeatures = static_cast<uint64_t>(nfeat);
      gSmallBatchCopies.fetch_add(1, std::memory_order_relaxed);
    } catch (...) {
      XGBoosterFree(copy);
      throw;
    }
  });
}

/** Runs `predict(handle, proxy)` for a small batch on the caller's thread with b's fast copy. */
template <class F>
Shaped PredictSmall(BoosterState* b, uint64_t cols, const IterationRange& range, F&& predict) {
  b->CheckUsable();
  std::lock_guard<std::mutex> fast(b->fastMu);
  if (b->fast == nullptr || b->fastVersion != b->version.load()) RefreshFastCopy(b);
  // A model changed since is predicted as it was a moment ago, as if this call had come first.
  CheckShape(b->fastRounds, b->fastFeatures, cols, range);
  PrepareCallerThread();
  return predict(b->fast, b->fastProxy);
}

// int XGBoosterPredictFromDense(BoosterHandle handle, char const *values, char const *config,
//     DMatrixHandle m, bst_ulong const **out_shape, bst_ulong *out_dim, const float **out_result);
// JS: (booster, data, nrow, ncol, type: 0 value | 1 margin, iterationBegin, iterationEnd, missing).
// In-place prediction is thread-safe and uses no cache, but it runs OpenMP loops: like every
// OpenMP user in the addon it runs on the XGBoost thread, so the process has one OpenMP team and
// libgomp never throttles its spinning (napi-common openmp.ts). Predictions are parallel inside.
struct PredictDenseArgs {
  std::shared_ptr<BoosterState> b;
  Matrix m;
  int type;
  IterationRange range;
  double missing;
};

PredictDenseArgs ReadPredictDenseArgs(const Napi::CallbackInfo& info) {
  auto b = ReadBooster(info, 0, "booster");
  Matrix m = ReadMatrix(info, 1, 2, 3);
  int type = static_cast<int>(kdap::ReadInt(info, 4, "type", 0, 1));
  IterationRange range = ReadIterationRange(info, 5, 6);
  double missing = ReadMissing(info, 7);
  return PredictDenseArgs{std::move(b), m, type, range, missing};
}

Shaped PredictDenseWith(const PredictDenseArgs& a, const void* data, BoosterHandle h, DMatrixHandle proxy) {
  std::string iface = ArrayInterface(data, TypeStr(a.m.view), {a.m.rows, a.m.cols});
  std::string config = PredictConfig(a.type, a.range, a.missing);
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* result = nullptr;
  a.b->Check(XGBoosterPredictFromDense(h, iface.c_str(), config.c_str(), proxy, &shape, &dim, &result),
             "XGBoosterPredictFromDense");
  return CopyShaped(shape, dim, result);  // the result lives in a thread-local buffer: copy now
}

Shaped PredictDense(const PredictDenseArgs& a, const void* data) {
  GlobalConfig::Get().Sync();
  std::shared_lock<std::shared_mutex> lock(a.b->rw);
  a.b->CheckUsable();
  CheckAgainstModel(a.b.get(), a.m.cols, a.range);
  return PredictDenseWith(a, data, a.b->raw, nullptr);
}

Napi::Value BoosterPredictFromDense(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    PredictDenseArgs a = ReadPredictDenseArgs(info);
    Shaped out = a.m.rows <= kSmallBatchRows
                     ? PredictSmall(a.b.get(), a.m.cols, a.range, [&](BoosterHandle h, DMatrixHandle proxy) { return PredictDenseWith(a, a.m.view.data, h, proxy); })
                     : XGBoostThread::Get().Run([&]() { return PredictDense(a, a.m.view.data); });
    return ToJs(info.Env(), std::move(out));
  });
}

Napi::Value BoosterPredictFromDenseAsync(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto a = std::make_shared<PredictDenseArgs>(ReadPredictDenseArgs(info));
    auto bytes = kdap::CopyInput(a->m.view);
    auto result = std::make_shared<Shaped>();
    auto* w = NewWorker(
        info.Env(), [a, bytes, result]() { *result = XGBoostThread::Get().Run([&]() { return PredictDense(*a, bytes->data()); }); },
        [result](Napi::Env env) -> Napi::Value { return ToJs(env, std::move(*result)); });
    return kdap::Queue(w);
  });
}

// int XGBoosterPredictFromColumnar(BoosterHandle handle, char const *values, char const *config,
//     DMatrixHandle m, bst_ulong const **out_shape, bst_ulong *out_dim, const float **out_result);
// JS: (booster, columns, nrow, type: 0 value | 1 margin, iterationBegin, iterationEnd, missing).
// Categorical columns are re-coded by category name against the names stored in the model (as
// Python's inplace_predict on a pandas DataFrame does).
struct PredictColumnarArgs {
  std::shared_ptr<BoosterState> b;
  std::shared_ptr<Columnar> cols;
  int type;
  IterationRange range;
  double missing;
};

PredictColumnarArgs ReadPredictColumnarArgs(const Napi::CallbackInfo& info) {
  auto b = ReadBooster(info, 0, "booster");
  auto cols = ReadColumnar(info, 1, 2);
  int type = static_cast<int>(kdap::ReadInt(info, 3, "type", 0, 1));
  IterationRange range = ReadIterationRange(info, 4, 5);
  double missing = ReadMissing(info, 6);
  return PredictColumnarArgs{std::move(b), std::move(cols), type, range, missing};
}

Shaped PredictColumnarWith(const PredictColumnarArgs& a, BoosterHandle h, DMatrixHandle proxy) {
  std::string iface = a.cols->Interface();
  std::string config = PredictConfig(a.type, a.range, a.missing);
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* result = nullptr;
  a.b->Check(XGBoosterPredictFromColumnar(h, iface.c_str(), config.c_str(), proxy, &shape, &dim, &result),
             "XGBoosterPredictFromColumnar");
  return CopyShaped(shape, dim, result);
}

Shaped PredictColumnar(const PredictColumnarArgs& a) {
  GlobalConfig::Get().Sync();
  std::shared_lock<std::shared_mutex> lock(a.b->rw);
  a.b->CheckUsable();
  CheckAgainstModel(a.b.get(), a.cols->cols.size(), a.range);
  return PredictColumnarWith(a, a.b->raw, nullptr);
}

Napi::Value BoosterPredictFromColumns(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    PredictColumnarArgs a = ReadPredictColumnarArgs(info);
    Shaped out = a.cols->rows <= kSmallBatchRows
                     ? PredictSmall(a.b.get(), a.cols->cols.size(), a.range, [&](BoosterHandle h, DMatrixHandle proxy) { return PredictColumnarWith(a, h, proxy); })
                     : XGBoostThread::Get().Run([&]() { return PredictColumnar(a); });
    return ToJs(info.Env(), std::move(out));
  });
}

Napi::Value BoosterPredictFromColumnsAsync(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto a = std::make_shared<PredictColumnarArgs>(ReadPredictColumnarArgs(info));
    auto result = std::make_shared<Shaped>();
    auto* w = NewWorker(
        info.Env(), [a, result]() { *result = XGBoostThread::Get().Run([&]() { return PredictColumnar(*a); }); },
        [result](Napi::Env env) -> Napi::Value { return ToJs(env, std::move(*result)); });
    return kdap::Queue(w);
  });
}

// int XGBoosterPredictFromDMatrix(BoosterHandle handle, DMatrixHandle dmat, char const *config,
//     bst_ulong const **out_shape, bst_ulong *out_dim, float const **out_result);
// JS: (booster, dmatrix, type: 0 value | 1 margin | 2 contributions | 3 approx. contributions |
// 4 interactions | 5 approx. interactions | 6 leaf, iterationBegin, iterationEnd). Uses the
// booster's prediction cache, so it runs on the XGBoost thread and takes the booster alone.
struct PredictDMatrixArgs {
  std::shared_ptr<BoosterState> b;
  std::shared_ptr<DMatrixState> dm;
  int type;
  IterationRange range;
};

PredictDMatrixArgs ReadPredictDMatrixArgs(const Napi::CallbackInfo& info) {
  auto b = ReadBooster(info, 0, "booster");
  auto dm = ReadDMatrix(info, 1, "dmatrix");
  int type = static_cast<int>(kdap::ReadInt(info, 2, "type", 0, 6));
  IterationRange range = ReadIterationRange(info, 3, 4);
  return PredictDMatrixArgs{std::move(b), std::move(dm), type, range};
}

Shaped PredictDMatrix(const PredictDMatrixArgs& a) {
  return OnXGBoostThread([&]() {
    ModelWriteLock lock(a.b.get());
    a.b->CheckUsable();
    std::lock_guard<std::mutex> data(a.dm->mu);
    if (a.dm->rows == 0) throw ArgError{ArgError::Range, "'dmatrix' has no rows"};
    CheckAgainstModel(a.b.get(), a.dm->cols, a.range);
    std::string config = "{\"type\":" + std::to_string(a.type) + ",\"training\":false,\"iteration_begin\":" +
                         std::to_string(a.range.begin) + ",\"iteration_end\":" + std::to_string(a.range.end) +
                         ",\"strict_shape\":false}";
    const bst_ulong* shape = nullptr;
    bst_ulong dim = 0;
    const float* result = nullptr;
    a.b->Check(XGBoosterPredictFromDMatrix(a.b->raw, a.dm->raw, config.c_str(), &shape, &dim, &result),
               "XGBoosterPredictFromDMatrix");
    return CopyShaped(shape, dim, result);
  });
}

Napi::Value BoosterPredictFromDMatrix(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value { return ToJs(info.Env(), PredictDMatrix(ReadPredictDMatrixArgs(info))); });
}

Napi::Value BoosterPredictFromDMatrixAsync(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto a = std::make_shared<PredictDMatrixArgs>(ReadPredictDMatrixArgs(info));
    auto result = std::make_shared<Shaped>();
    auto* w = NewWorker(
        info.Env(), [a, result]() { *result = PredictDMatrix(*a); },
        [result](Napi::Env env) -> Napi::Value { return ToJs(env, std::move(*result)); });
    return kdap::Queue(w);
  });
}

}  // namespace xgbnode
