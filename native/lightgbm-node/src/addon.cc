// Layer 1: a thin binding of the LightGBM C API. Every function validates its JS arguments before
// any C call, so bad input becomes a TypeError/RangeError and never reaches LightGBM. Library
// failures become NativeError with the message from LGBM_GetLastError read on the failing thread.
#include <LightGBM/c_api.h>
#include <LightGBM/utils/log.h>

#include <kdap/napi_common.h>

#include <cstring>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace {

using kdap::ArgError;
using kdap::ArrayView;
using kdap::Guard;
using kdap::LibFailure;

struct DatasetTraits {
  using Raw = DatasetHandle;
  static constexpr const char* kName = "Dataset";
  static constexpr napi_type_tag kTag = {0x6b646170'6c67626dULL, 0x44617461'73657431ULL};
  static void Free(Raw h) { LGBM_DatasetFree(h); }
};
struct BoosterTraits {
  using Raw = BoosterHandle;
  static constexpr const char* kName = "Booster";
  static constexpr napi_type_tag kTag = {0x6b646170'6c67626dULL, 0x426f6f73'74657231ULL};
  static void Free(Raw h) { LGBM_BoosterFree(h); }
};
struct FastConfigTraits {
  using Raw = FastConfigHandle;
  static constexpr const char* kName = "FastConfig";
  static constexpr napi_type_tag kTag = {0x6b646170'6c67626dULL, 0x46617374'43666731ULL};
  static void Free(Raw h) { LGBM_FastConfigFree(h); }
};

using DatasetBox = kdap::Box<DatasetTraits>;
using BoosterBox = kdap::Box<BoosterTraits>;
using FastConfigBox = kdap::Box<FastConfigTraits>;

// ---------------------------------------------------------------------------------------------
// Logging: LightGBM's log callback is thread-local, so it is registered on every thread that
// calls into the library. Messages go to the environment's JS logger through a thread-safe
// function, which is also what makes this safe under worker_threads.
// ---------------------------------------------------------------------------------------------

using kdap::LogSink;

struct State : kdap::EnvState {
  std::shared_ptr<LogSink> logSink;
};

thread_local std::shared_ptr<LogSink> tCurrentSink;

// LightGBM hands a log line to the callback in pieces ("[LightGBM] [Info] ", the text, "\n");
// pieces are joined per thread and whole lines delivered.
thread_local std::string tPartialLine;

void OnLightGBMLog(const char* msg) {
  std::shared_ptr<LogSink> sink = tCurrentSink;
  if (!sink) return;  // no JS logger registered for this call: drop instead of printing
  tPartialLine += msg;
  size_t nl;
  while ((nl = tPartialLine.find('\n')) != std::string::npos) {
    kdap::EmitLogLine(sink, tPartialLine.substr(0, nl));
    tPartialLine.erase(0, nl + 1);
  }
}

/** Scope for one library call on the current thread: installs the callback and sink. */
struct CallScope {
  std::shared_ptr<LogSink> prev;
  explicit CallScope(std::shared_ptr<LogSink> sink) : prev(std::move(tCurrentSink)) {
    tCurrentSink = std::move(sink);
    LGBM_RegisterLogCallback(&OnLightGBMLog);
  }
  ~CallScope() { tCurrentSink = std::move(prev); }
};

/**
 * Runs a synchronous library call on the executor thread (the caller waits). LightGBM keeps the
 * network (LGBM_NetworkInit) and the log callback per thread, and OpenMP a team per thread, so
 * every call that trains, builds datasets, evaluates, predicts in batch or runs any OpenMP loop
 * (setting fields, loading or saving models) runs on the one thread that also runs the async
 * work. A second OpenMP team (e.g. on the JS thread) would also make libgomp count more threads
 * than CPUs and throttle its spinning for every team. Cheap getters and the single-row fast path
 * stay on the caller.
 */
template <class F>
auto OnExecutor(F&& f) -> decltype(f()) {
  using R = decltype(f());
  if constexpr (std::is_void_v<R>) {
    kdap::Executor::Instance().Run([&]() { f(); });
  } else {
    std::optional<R> out;
    kdap::Executor::Instance().Run([&]() { out.emplace(f()); });
    return std::move(*out);
  }
}

std::shared_ptr<LogSink> SinkOf(Napi::Env env) {
  auto* st = static_cast<State*>(kdap::GetState(env));
  return st ? st->logSink : nullptr;
}

void Check(int rc, const char* fn) {
  if (rc != 0) throw LibFailure{fn, rc, LGBM_GetLastError()};
}

int DTypeOf(const ArrayView& a) {
  return a.type == napi_float32_array ? C_API_DTYPE_FLOAT32 : C_API_DTYPE_FLOAT64;
}

/** Validates a dense matrix argument: rows, cols within int32 and data long enough. */
struct Matrix {
  ArrayView view;
  int32_t rows;
  int32_t cols;
};

Matrix ReadMatrix(const Napi::CallbackInfo& info, size_t dataIdx, size_t rowsIdx, size_t colsIdx,
                  int64_t minRows = 1) {
  ArrayView v = kdap::ReadTypedArray(info, dataIdx, "data", {napi_float32_array, napi_float64_array});
  auto rows = static_cast<int32_t>(kdap::ReadInt(info, rowsIdx, "nrow", minRows, INT32_MAX));
  auto cols = static_cast<int32_t>(kdap::ReadInt(info, colsIdx, "ncol", 1, INT32_MAX));
  size_t need = kdap::CheckedProduct(rows, cols, "nrow * ncol");
  if (v.length != need) {
    throw ArgError{ArgError::Range, "'data' must hold nrow * ncol = " + std::to_string(rows) + " * " +
                                        std::to_string(cols) + " = " + std::to_string(need) +
                                        " values, got " + std::to_string(v.length)};
  }
  return Matrix{v, rows, cols};
}


/** Reads a list of strings with LightGBM's two-call pattern (feature and eval names). */
template <class Call>
std::vector<std::string> ReadNames(int expected, Call call, const char* fn) {
  size_t bufLen = 256;
  for (int attempt = 0; attempt < 2; attempt++) {
    std::vector<std::vector<char>> storage(static_cast<size_t>(expected), std::vector<char>(bufLen));
    std::vector<char*> ptrs(static_cast<size_t>(expected));
    for (int i = 0; i < expected; i++) ptrs[static_cast<size_t>(i)] = storage[static_cast<size_t>(i)].data();
    int outLen = 0;
    size_t needed = 0;
    Check(call(expected, &outLen, bufLen, &needed, ptrs.data()), fn);
    if (needed <= bufLen) {
      std::vector<std::string> out;
      for (int i = 0; i < outLen && i < expected; i++) out.emplace_back(ptrs[static_cast<size_t>(i)]);
      return out;
    }
    bufLen = needed;
  }
  throw LibFailure{fn, -1, "name buffer size did not settle"};
}

Napi::Array ToJsArray(Napi::Env env, const std::vector<std::string>& names) {
  Napi::Array arr = Napi::Array::New(env, names.size());
  for (uint32_t i = 0; i < names.size(); i++) arr.Set(i, names[i]);
  return arr;
}

Napi::Float64Array ToFloat64Array(Napi::Env env, const std::vector<double>& v) {
  auto out = Napi::Float64Array::New(env, v.size());
  if (!v.empty()) std::memcpy(out.Data(), v.data(), v.size() * sizeof(double));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Library setup
// ---------------------------------------------------------------------------------------------

/** setLogger(fn | null): routes LightGBM's log lines to fn(line) on the JS thread. */
Napi::Value SetLogger(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    auto* st = static_cast<State*>(kdap::GetState(env));
    auto sink = kdap::MakeLogSink(env, kdap::Arg(info, 0), "lightgbm:log");  // validates first
    if (st->logSink) st->logSink->tsfn.Release();
    st->logSink = sink;
    return env.Undefined();
  });
}

// const char* LGBM_GetLastError();  -- read inside Check() on the failing thread.

// int LGBM_DumpParamAliases(int64_t buffer_len, int64_t* out_len, char* out_str);
Napi::Value DumpParamAliases(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    CallScope scope(SinkOf(info.Env()));
    int64_t len = 0;
    std::vector<char> buf(1 << 16);
    Check(LGBM_DumpParamAliases(static_cast<int64_t>(buf.size()), &len, buf.data()), "LGBM_DumpParamAliases");
    if (len > static_cast<int64_t>(buf.size())) {
      buf.resize(static_cast<size_t>(len));
      Check(LGBM_DumpParamAliases(len, &len, buf.data()), "LGBM_DumpParamAliases");
    }
    return Napi::String::New(info.Env(), buf.data());
  });
}

// ---------------------------------------------------------------------------------------------
// Dataset
// ---------------------------------------------------------------------------------------------

// int LGBM_DatasetCreateFromMat(const void* data, int data_type, int32_t nrow, int32_t ncol,
//     int is_row_major, const char* parameters, const DatasetHandle reference, DatasetHandle* out);
struct CreateArgs {
  Matrix m;
  bool rowMajor;
  std::string params;
  std::shared_ptr<DatasetBox> reference;
};

CreateArgs ReadCreateArgs(const Napi::CallbackInfo& info) {
  Matrix m = ReadMatrix(info, 0, 1, 2);
  bool rowMajor = kdap::ReadBool(info, 3, "isRowMajor");
  std::string params = kdap::ReadString(info, 4, "parameters");
  auto ref = kdap::ReadHandle<DatasetTraits>(info, 5, "reference", true);
  return CreateArgs{m, rowMajor, std::move(params), std::move(ref)};
}

std::shared_ptr<DatasetBox> CreateDataset(const void* data, const CreateArgs& a) {
  DatasetHandle out = nullptr;
  Check(LGBM_DatasetCreateFromMat(data, DTypeOf(a.m.view), a.m.rows, a.m.cols, a.rowMajor ? 1 : 0,
                                  a.params.c_str(), a.reference ? a.reference->raw : nullptr, &out),
        "LGBM_DatasetCreateFromMat");
  auto box = std::make_shared<DatasetBox>(out);
  if (a.reference) box->deps.push_back(a.reference);
  return box;
}

Napi::Value DatasetCreateFromMat(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    CreateArgs a = ReadCreateArgs(info);
    auto sink = SinkOf(info.Env());
    auto box = OnExecutor([&]() {
      CallScope scope(sink);
      return CreateDataset(a.m.view.data, a);
    });
    return kdap::WrapHandle<DatasetTraits>(info.Env(), box);
  });
}

Napi::Value DatasetCreateFromMatAsync(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto a = std::make_shared<CreateArgs>(ReadCreateArgs(info));
    auto bytes = kdap::CopyInput(a->m.view);
    auto result = std::make_shared<std::shared_ptr<DatasetBox>>();
    auto sink = SinkOf(info.Env());
    auto* w = new kdap::PromiseWorker(
        info.Env(),
        [a, bytes, result, sink]() {
          CallScope scope(sink);
          *result = CreateDataset(bytes->data(), *a);
        },
        [result](Napi::Env env) -> Napi::Value { return kdap::WrapHandle<DatasetTraits>(env, *result); });
    return kdap::Queue(w);
  });
}

// int LGBM_DatasetSetField(DatasetHandle handle, const char* field_name, const void* field_data,
//     int num_element, int type);
Napi::Value DatasetSetField(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto ds = kdap::ReadHandle<DatasetTraits>(info, 0, "dataset");
    std::string field = kdap::ReadString(info, 1, "fieldName");
    ArrayView v{};
    int type = 0;
    if (field == "label" || field == "weight") {
      v = kdap::ReadTypedArray(info, 2, "fieldData", {napi_float32_array});
      type = C_API_DTYPE_FLOAT32;
    } else if (field == "init_score") {
      v = kdap::ReadTypedArray(info, 2, "fieldData", {napi_float64_array});
      type = C_API_DTYPE_FLOAT64;
    } else if (field == "group") {
      v = kdap::ReadTypedArray(info, 2, "fieldData", {napi_int32_array});
      type = C_API_DTYPE_INT32;
    } else {
      throw ArgError{ArgError::Range, "'fieldName' must be one of label, weight, init_score, group; got '" + field + "'"};
    }
    if (v.length > static_cast<size_t>(INT32_MAX)) throw ArgError{ArgError::Range, "'fieldData' is too long"};
    int n = 0;
    {
      CallScope scope(SinkOf(info.Env()));
      Check(LGBM_DatasetGetNumData(ds->raw, &n), "LGBM_DatasetGetNumData");
      if (field != "group" && field != "init_score" && static_cast<int64_t>(v.length) != n) {
        throw ArgError{ArgError::Range, "'fieldData' for " + field + " must have one value per row (" +
                                            std::to_string(n) + "), got " + std::to_string(v.length)};
      }
      if (field == "init_score" && (v.length == 0 || v.length % static_cast<size_t>(n) != 0)) {
        throw ArgError{ArgError::Range, "'fieldData' for init_score must have rows * classes values, got " + std::to_string(v.length)};
      }
      OnExecutor([&]() {  // LightGBM copies fields in OpenMP loops
        std::lock_guard<std::mutex> lock(ds->mu);
        Check(LGBM_DatasetSetField(ds->raw, field.c_str(), v.data, static_cast<int>(v.length), type), "LGBM_DatasetSetField");
      });
    }
    return info.Env().Undefined();
  });
}

// int LGBM_DatasetGetField(DatasetHandle handle, const char* field_name, int* out_len,
//     const void** out_ptr, int* out_type);
Napi::Value DatasetGetField(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto ds = kdap::ReadHandle<DatasetTraits>(info, 0, "dataset");
    std::string field = kdap::ReadString(info, 1, "fieldName");
    if (field != "label" && field != "weight" && field != "init_score" && field != "group") {
      throw ArgError{ArgError::Range, "'fieldName' must be one of label, weight, init_score, group; got '" + field + "'"};
    }
    CallScope scope(SinkOf(info.Env()));
    int len = 0, type = 0;
    const void* ptr = nullptr;
    Check(LGBM_DatasetGetField(ds->raw, field.c_str(), &len, &ptr, &type), "LGBM_DatasetGetField");
    Napi::Env env = info.Env();
    if (ptr == nullptr || len <= 0) return env.Null();
    if (type == C_API_DTYPE_FLOAT32) {
      auto out = Napi::Float32Array::New(env, static_cast<size_t>(len));
      std::memcpy(out.Data(), ptr, static_cast<size_t>(len) * 4);
      return out;
    }
    if (type == C_API_DTYPE_FLOAT64) {
      auto out = Napi::Float64Array::New(env, static_cast<size_t>(len));
      std::memcpy(out.Data(), ptr, static_cast<size_t>(len) * 8);
      return out;
    }
    auto out = Napi::Int32Array::New(env, static_cast<size_t>(len));
    std::memcpy(out.Data(), ptr, static_cast<size_t>(len) * 4);
    return out;
  });
}

// int LGBM_DatasetGetNumData(DatasetHandle handle, int* out);
Napi::Value DatasetGetNumData(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto ds = kdap::ReadHandle<DatasetTraits>(info, 0, "dataset");
    int n = 0;
    Check(LGBM_DatasetGetNumData(ds->raw, &n), "LGBM_DatasetGetNumData");
    return Napi::Number::New(info.Env(), n);
  });
}

// int LGBM_DatasetGetNumFeature(DatasetHandle handle, int* out);
Napi::Value DatasetGetNumFeature(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto ds = kdap::ReadHandle<DatasetTraits>(info, 0, "dataset");
    int n = 0;
    Check(LGBM_DatasetGetNumFeature(ds->raw, &n), "LGBM_DatasetGetNumFeature");
    return Napi::Number::New(info.Env(), n);
  });
}

// int LGBM_DatasetSetFeatureNames(DatasetHandle handle, const char** feature_names, int num_feature_names);
Napi::Value DatasetSetFeatureNames(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto ds = kdap::ReadHandle<DatasetTraits>(info, 0, "dataset");
    auto names = kdap::ReadStringArray(info, 1, "featureNames");
    int n = 0;
    CallScope scope(SinkOf(info.Env()));
    Check(LGBM_DatasetGetNumFeature(ds->raw, &n), "LGBM_DatasetGetNumFeature");
    if (static_cast<int64_t>(names.size()) != n) {
      throw ArgError{ArgError::Range, "'featureNames' must have one name per feature (" + std::to_string(n) +
                                          "), got " + std::to_string(names.size())};
    }
    std::vector<const char*> ptrs;
    for (auto& s : names) ptrs.push_back(s.c_str());
    std::lock_guard<std::mutex> lock(ds->mu);
    Check(LGBM_DatasetSetFeatureNames(ds->raw, ptrs.data(), n), "LGBM_DatasetSetFeatureNames");
    return info.Env().Undefined();
  });
}

// int LGBM_DatasetGetFeatureNames(DatasetHandle handle, const int len, int* num_feature_names,
//     const size_t buffer_len, size_t* out_buffer_len, char** feature_names);
Napi::Value DatasetGetFeatureNames(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto ds = kdap::ReadHandle<DatasetTraits>(info, 0, "dataset");
    int n = 0;
    Check(LGBM_DatasetGetNumFeature(ds->raw, &n), "LGBM_DatasetGetNumFeature");
    auto names = ReadNames(n, [&](int len, int* outLen, size_t bufLen, size_t* need, char** strs) {
      return LGBM_DatasetGetFeatureNames(ds->raw, len, outLen, bufLen, need, strs);
    }, "LGBM_DatasetGetFeatureNames");
    return ToJsArray(info.Env(), names);
  });
}

// int LGBM_DatasetFree(DatasetHandle handle);  -- deferred until no booster or worker uses it.
Napi::Value DatasetFree(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    return Napi::Boolean::New(info.Env(), kdap::DisposeHandle<DatasetTraits>(info, 0, "dataset"));
  });
}

// ---------------------------------------------------------------------------------------------
// Booster
// ---------------------------------------------------------------------------------------------

// int LGBM_BoosterCreate(const DatasetHandle train_data, const char* parameters, BoosterHandle* out);
Napi::Value BoosterCreate(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto ds = kdap::ReadHandle<DatasetTraits>(info, 0, "trainData");
    std::string params = kdap::ReadString(info, 1, "parameters");
    auto sink = SinkOf(info.Env());
    BoosterHandle out = nullptr;
    OnExecutor([&]() {
      CallScope scope(sink);
      std::lock_guard<std::mutex> lock(ds->mu);
      Check(LGBM_BoosterCreate(ds->raw, params.c_str(), &out), "LGBM_BoosterCreate");
    });
    auto box = std::make_shared<BoosterBox>(out);
    box->deps.push_back(ds);  // LightGBM keeps a pointer to the training data
    return kdap::WrapHandle<BoosterTraits>(info.Env(), box);
  });
}

// int LGBM_BoosterAddValidData(BoosterHandle handle, const DatasetHandle valid_data);
Napi::Value BoosterAddValidData(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto b = kdap::ReadHandle<BoosterTraits>(info, 0, "booster");
    auto ds = kdap::ReadHandle<DatasetTraits>(info, 1, "validData");
    auto sink = SinkOf(info.Env());
    OnExecutor([&]() {
      CallScope scope(sink);
      std::lock_guard<std::mutex> lock(b->mu);
      Check(LGBM_BoosterAddValidData(b->raw, ds->raw), "LGBM_BoosterAddValidData");
    });
    b->deps.push_back(ds);
    return info.Env().Undefined();
  });
}

// int LGBM_BoosterUpdateOneIter(BoosterHandle handle, int* produced_empty_tree);
Napi::Value BoosterUpdateOneIter(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto b = kdap::ReadHandle<BoosterTraits>(info, 0, "booster");
    auto sink = SinkOf(info.Env());
    int finished = 0;
    OnExecutor([&]() {
      CallScope scope(sink);
      std::lock_guard<std::mutex> lock(b->mu);
      Check(LGBM_BoosterUpdateOneIter(b->raw, &finished), "LGBM_BoosterUpdateOneIter");
    });
    return Napi::Boolean::New(info.Env(), finished != 0);
  });
}

/** The same, on the libuv pool: the JS thread stays free while an iteration trains. */
Napi::Value BoosterUpdateOneIterAsync(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto b = kdap::ReadHandle<BoosterTraits>(info, 0, "booster");
    auto finished = std::make_shared<int>(0);
    auto sink = SinkOf(info.Env());
    auto* w = new kdap::PromiseWorker(
        info.Env(),
        [b, finished, sink]() {
          CallScope scope(sink);
          std::lock_guard<std::mutex> lock(b->mu);
          Check(LGBM_BoosterUpdateOneIter(b->raw, finished.get()), "LGBM_BoosterUpdateOneIter");
        },
        [finished](Napi::Env env) -> Napi::Value { return Napi::Boolean::New(env, *finished != 0); });
    return kdap::Queue(w);
  });
}

/** Data indices to evaluate (0 = training data, k = the k-th added validation set), checked against the booster. */
std::vector<int> ReadEvalIndices(const Napi::CallbackInfo& info, size_t i, const BoosterBox& b) {
  ArrayView idxView = kdap::ReadTypedArray(info, i, "evalIdx", {napi_int32_array});
  const int* idxData = static_cast<const int*>(idxView.data);
  std::vector<int> idx(idxData, idxData + idxView.length);
  int maxIdx = static_cast<int>(b.deps.size()) - 1;
  for (int k : idx) {
    if (k < 0 || k > maxIdx) {
      throw ArgError{ArgError::Range, "'evalIdx' entries must be 0 (training data) or the index of an added validation set (1.." +
                                          std::to_string(maxIdx) + "), got " + std::to_string(k)};
    }
  }
  return idx;
}

/**
 * `count` calls of LGBM_BoosterUpdateOneIter on the libuv pool, each followed by
 * LGBM_BoosterGetEval for every data index in `evalIdx`: one round trip to JS for several
 * iterations instead of two per iteration (Booster.train sizes batches so that early stopping
 * never overshoots). Resolves to a Float64Array of count x (evalIdx.length x metrics) values.
 */
Napi::Value BoosterUpdateBatchAsync(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto b = kdap::ReadHandle<BoosterTraits>(info, 0, "booster");
    int count = static_cast<int>(kdap::ReadInt(info, 1, "count", 1, 1 << 20));
    auto idx = std::make_shared<std::vector<int>>(ReadEvalIndices(info, 2, *b));
    int metrics = 0;
    Check(LGBM_BoosterGetEvalCounts(b->raw, &metrics), "LGBM_BoosterGetEvalCounts");
    auto out = std::make_shared<std::vector<double>>(static_cast<size_t>(count) * idx->size() * static_cast<size_t>(metrics));
    auto sink = SinkOf(info.Env());
    auto* w = new kdap::PromiseWorker(
        info.Env(),
        [b, count, idx, metrics, out, sink]() {
          CallScope scope(sink);
          std::lock_guard<std::mutex> lock(b->mu);
          std::vector<double> one(static_cast<size_t>(metrics) + 1);
          size_t at = 0;
          for (int i = 0; i < count; i++) {
            int finished = 0;
            Check(LGBM_BoosterUpdateOneIter(b->raw, &finished), "LGBM_BoosterUpdateOneIter");
            for (int k : *idx) {
              int len = 0;
              Check(LGBM_BoosterGetEval(b->raw, k, &len, one.data()), "LGBM_BoosterGetEval");
              for (int m = 0; m < metrics; m++) (*out)[at++] = m < len ? one[static_cast<size_t>(m)] : std::nan("");
            }
          }
        },
        [out](Napi::Env env) -> Napi::Value { return ToFloat64Array(env, *out); });
    return kdap::Queue(w);
  });
}

/**
 * One boosting round for napi-common's TrainLoop: LGBM_BoosterUpdateOneIter, then
 * LGBM_BoosterGetEval for every data index in `idx`; JS receives the values (data index-major,
 * then metric) as a Float64Array. For best-round predictions, `watch` gives each value's
 * direction (0: early stopping does not stop on it) and the copy is LightGBM's own scores
 * (LGBM_BoosterGetPredict) of data index 0 (training) up to the last one in `idx`.
 */
struct TrainStep {
  using Result = std::vector<double>;
  using Prediction = double;
  std::shared_ptr<BoosterBox> b;
  std::vector<int> idx;
  int metrics = 0;
  std::shared_ptr<LogSink> sink;
  std::vector<int8_t> watch;  // per value: 1 higher is better, -1 lower is better, 0 not watched

  std::vector<double> operator()(int) {
    CallScope scope(sink);
    std::lock_guard<std::mutex> lock(b->mu);
    int finished = 0;  // ignored, as lightgbm.train ignores it
    Check(LGBM_BoosterUpdateOneIter(b->raw, &finished), "LGBM_BoosterUpdateOneIter");
    std::vector<double> out(idx.size() * static_cast<size_t>(metrics));
    std::vector<double> one(static_cast<size_t>(metrics) + 1);
    size_t at = 0;
    for (int k : idx) {
      int len = 0;
      Check(LGBM_BoosterGetEval(b->raw, k, &len, one.data()), "LGBM_BoosterGetEval");
      for (int m = 0; m < metrics; m++) out[at++] = m < len ? one[static_cast<size_t>(m)] : std::nan("");
    }
    return out;
  }
  static Napi::Value ToJs(Napi::Env env, const std::vector<double>& v) { return ToFloat64Array(env, v); }

  std::vector<kdap::WatchedScore> Watched(const std::vector<double>& values) const {
    std::vector<kdap::WatchedScore> out;
    for (size_t i = 0; i < values.size() && i < watch.size(); i++) {
      if (watch[i] != 0) out.push_back(kdap::WatchedScore{values[i], watch[i] > 0});
    }
    return out;
  }

  // int LGBM_BoosterGetNumPredict(BoosterHandle handle, int data_idx, int64_t* out_len);
  // int LGBM_BoosterGetPredict(BoosterHandle handle, int data_idx, int64_t* out_len, double* out_result);
  void CopyPredictions(std::vector<std::vector<double>>& sets) {
    CallScope scope(sink);
    std::lock_guard<std::mutex> lock(b->mu);
    int last = 0;
    for (int k : idx) last = std::max(last, k);
    sets.resize(static_cast<size_t>(last) + 1);
    for (int k = 0; k <= last; k++) {
      int64_t len = 0;
      Check(LGBM_BoosterGetNumPredict(b->raw, k, &len), "LGBM_BoosterGetNumPredict");
      auto& out = sets[static_cast<size_t>(k)];
      out.resize(static_cast<size_t>(len));
      Check(LGBM_BoosterGetPredict(b->raw, k, &len, out.data()), "LGBM_BoosterGetPredict");
    }
  }
};

/**
 * The training loop in native code (napi-common's TrainLoop, shared with the XGBoost binding):
 * `rounds` rounds on the executor, each evaluated on `evalIdx`.
 * JS: (booster, rounds, evalIdx, answers: 0 none | 1 pipelined | 2 awaited, onRound | null,
 *      watch: Int8Array | null (one direction per evaluation value), minDelta, checkpointEvery?)
 *   -> { done: Promise<number>, stop(), takeBestPredictions?(iter), takeCheckpoint?(iter) }
 */
Napi::Value BoosterTrainAsync(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    TrainStep step;
    step.b = kdap::ReadHandle<BoosterTraits>(info, 0, "booster");
    int rounds = static_cast<int>(kdap::ReadInt(info, 1, "rounds", 0, INT32_MAX));
    step.idx = ReadEvalIndices(info, 2, *step.b);
    auto answers = static_cast<kdap::Answers>(kdap::ReadInt(info, 3, "answers", 0, 2));
    Napi::Value onRound = kdap::Arg(info, 4);
    if (!onRound.IsFunction() && !onRound.IsNull() && !onRound.IsUndefined()) {
      throw ArgError{ArgError::Type, "'onRound' must be a function or null, got " + kdap::Describe(onRound)};
    }
    Check(LGBM_BoosterGetEvalCounts(step.b->raw, &step.metrics), "LGBM_BoosterGetEvalCounts");
    step.sink = SinkOf(info.Env());
    std::shared_ptr<kdap::BestRoundPredictions<double>> best;
    Napi::Value watch = kdap::Arg(info, 5);
    if (!watch.IsNull() && !watch.IsUndefined()) {
      kdap::ArrayView w = kdap::ReadTypedArray(info, 5, "watch", {napi_int8_array});
      size_t values = step.idx.size() * static_cast<size_t>(step.metrics);
      if (w.length != values) {
        throw ArgError{ArgError::Range, "'watch' must hold one direction per evaluation value (" + std::to_string(values) +
                                            "), got " + std::to_string(w.length)};
      }
      const auto* d = static_cast<const int8_t*>(w.data);
      step.watch.assign(d, d + w.length);
      double minDelta = kdap::ReadNumber(info, 6, "minDelta");
      if (!(minDelta >= 0)) throw ArgError{ArgError::Range, "'minDelta' must be a number >= 0, got " + std::to_string(minDelta)};
      // Copy at most every `checkpointEvery` rounds (default 1: every improving round); the caller
      // brings an earlier copy forward to the best round (Booster.train: leaf values of the later trees).
      int every = 1;
      Napi::Value e = kdap::Arg(info, 7);
      if (!e.IsNull() && !e.IsUndefined()) every = static_cast<int>(kdap::ReadInt(info, 7, "checkpointEvery", 1, INT32_MAX));
      best = std::make_shared<kdap::BestRoundPredictions<double>>(minDelta, nullptr, every);
    }
    return kdap::TrainLoop<TrainStep>::Start(
        info.Env(), std::move(step), rounds, answers, onRound,
        [](std::function<void()> task) { kdap::Executor::Instance().Post(std::move(task)); }, "kdap:lightgbm-train",
        std::move(best));
  });
}

// int LGBM_BoosterRollbackOneIter(BoosterHandle handle);
Napi::Value BoosterRollbackOneIter(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto b = kdap::ReadHandle<BoosterTraits>(info, 0, "booster");
    auto sink = SinkOf(info.Env());
    OnExecutor([&]() {
      CallScope scope(sink);
      std::lock_guard<std::mutex> lock(b->mu);
      Check(LGBM_BoosterRollbackOneIter(b->raw), "LGBM_BoosterRollbackOneIter");
    });
    return info.Env().Undefined();
  });
}

template <class Fn>
Napi::Value BoosterInt(const Napi::CallbackInfo& info, Fn fn, const char* name) {
  return Guard(info, [&]() -> Napi::Value {
    auto b = kdap::ReadHandle<BoosterTraits>(info, 0, "booster");
    int out = 0;
    Check(fn(b->raw, &out), name);
    return Napi::Number::New(info.Env(), out);
  });
}

// int LGBM_BoosterGetCurrentIteration(BoosterHandle handle, int* out_iteration);
Napi::Value BoosterGetCurrentIteration(const Napi::CallbackInfo& info) {
  return BoosterInt(info, LGBM_BoosterGetCurrentIteration, "LGBM_BoosterGetCurrentIteration");
}
// int LGBM_BoosterGetEvalCounts(BoosterHandle handle, int* out_len);
Napi::Value BoosterGetEvalCounts(const Napi::CallbackInfo& info) {
  return BoosterInt(info, LGBM_BoosterGetEvalCounts, "LGBM_BoosterGetEvalCounts");
}
// int LGBM_BoosterGetNumFeature(BoosterHandle handle, int* out_len);
Napi::Value BoosterGetNumFeature(const Napi::CallbackInfo& info) {
  return BoosterInt(info, LGBM_BoosterGetNumFeature, "LGBM_BoosterGetNumFeature");
}
// int LGBM_BoosterGetNumPredict(BoosterHandle handle, int data_idx, int64_t* out_len);
// int LGBM_BoosterGetPredict(BoosterHandle handle, int data_idx, int64_t* out_len, double* out_result);
// JS: (booster, dataIdx) -> Float64Array: LightGBM's current scores of a data set it trains on
// (0 training, i the i-th validation set), converted by the objective, class-major.
Napi::Value BoosterGetPredict(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto b = kdap::ReadHandle<BoosterTraits>(info, 0, "booster");
    int dataIdx = static_cast<int>(kdap::ReadInt(info, 1, "dataIdx", 0, INT32_MAX));
    std::vector<double> out;
    {
      CallScope scope(SinkOf(info.Env()));
      std::lock_guard<std::mutex> lock(b->mu);
      int64_t len = 0;
      Check(LGBM_BoosterGetNumPredict(b->raw, dataIdx, &len), "LGBM_BoosterGetNumPredict");
      out.resize(static_cast<size_t>(len));
      Check(LGBM_BoosterGetPredict(b->raw, dataIdx, &len, out.data()), "LGBM_BoosterGetPredict");
    }
    return kdap::AdoptVector(info.Env(), std::move(out));
  });
}
// int LGBM_BoosterGetLeafValue(BoosterHandle handle, int tree_idx, int leaf_idx, double* out_val);
// JS: (booster, treeIdx, leafIdxs: Int32Array) -> Float64Array: the output of each of those
// leaves of one tree, as the booster holds it in memory (shrinkage and, in tree 0, the init score applied).
Napi::Value BoosterGetLeafValues(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto b = kdap::ReadHandle<BoosterTraits>(info, 0, "booster");
    int tree = static_cast<int>(kdap::ReadInt(info, 1, "treeIdx", 0, INT32_MAX));
    kdap::ArrayView leaves = kdap::ReadTypedArray(info, 2, "leafIdxs", {napi_int32_array});
    const auto* l = static_cast<const int32_t*>(leaves.data);
    std::vector<double> out(leaves.length);
    {
      CallScope scope(SinkOf(info.Env()));
      std::lock_guard<std::mutex> lock(b->mu);
      for (size_t k = 0; k < leaves.length; k++) Check(LGBM_BoosterGetLeafValue(b->raw, tree, l[k], &out[k]), "LGBM_BoosterGetLeafValue");
    }
    return kdap::AdoptVector(info.Env(), std::move(out));
  });
}
// int LGBM_BoosterGetNumClasses(BoosterHandle handle, int* out_len);
Napi::Value BoosterGetNumClasses(const Napi::CallbackInfo& info) {
  return BoosterInt(info, LGBM_BoosterGetNumClasses, "LGBM_BoosterGetNumClasses");
}
// int LGBM_BoosterNumModelPerIteration(BoosterHandle handle, int* out_tree_per_iteration);
Napi::Value BoosterNumModelPerIteration(const Napi::CallbackInfo& info) {
  return BoosterInt(info, LGBM_BoosterNumModelPerIteration, "LGBM_BoosterNumModelPerIteration");
}

// int LGBM_BoosterGetEvalNames(BoosterHandle handle, const int len, int* out_len,
//     const size_t buffer_len, size_t* out_buffer_len, char** out_strs);
Napi::Value BoosterGetEvalNames(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto b = kdap::ReadHandle<BoosterTraits>(info, 0, "booster");
    int n = 0;
    Check(LGBM_BoosterGetEvalCounts(b->raw, &n), "LGBM_BoosterGetEvalCounts");
    auto names = ReadNames(n, [&](int len, int* outLen, size_t bufLen, size_t* need, char** strs) {
      return LGBM_BoosterGetEvalNames(b->raw, len, outLen, bufLen, need, strs);
    }, "LGBM_BoosterGetEvalNames");
    return ToJsArray(info.Env(), names);
  });
}

// int LGBM_BoosterGetFeatureNames(BoosterHandle handle, const int len, int* out_len,
//     const size_t buffer_len, size_t* out_buffer_len, char** out_strs);
Napi::Value BoosterGetFeatureNames(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto b = kdap::ReadHandle<BoosterTraits>(info, 0, "booster");
    int n = 0;
    Check(LGBM_BoosterGetNumFeature(b->raw, &n), "LGBM_BoosterGetNumFeature");
    auto names = ReadNames(n, [&](int len, int* outLen, size_t bufLen, size_t* need, char** strs) {
      return LGBM_BoosterGetFeatureNames(b->raw, len, outLen, bufLen, need, strs);
    }, "LGBM_BoosterGetFeatureNames");
    return ToJsArray(info.Env(), names);
  });
}

// int LGBM_BoosterGetEval(BoosterHandle handle, int data_idx, int* out_len, double* out_results);
Napi::Value BoosterGetEval(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto b = kdap::ReadHandle<BoosterTraits>(info, 0, "booster");
    int dataIdx = static_cast<int>(kdap::ReadInt(info, 1, "dataIdx", 0, INT32_MAX));
    // data_idx 0 is the training data, 1.. the validation sets in the order added.
    // A booster loaded from a model string has no datasets (deps is empty) and nothing to evaluate.
    int maxIdx = static_cast<int>(b->deps.size()) - 1;
    if (dataIdx > maxIdx) {
      throw ArgError{ArgError::Range, maxIdx < 0 ? std::string("this Booster has no training data to evaluate (it was loaded from a model)")
                                                 : "'dataIdx' must be 0 (training data) or the index of an added validation set (1.." +
                                                       std::to_string(maxIdx) + "), got " + std::to_string(dataIdx)};
    }
    auto sink = SinkOf(info.Env());
    int n = 0;
    Check(LGBM_BoosterGetEvalCounts(b->raw, &n), "LGBM_BoosterGetEvalCounts");
    std::vector<double> out(static_cast<size_t>(n) + 1);
    int outLen = 0;
    OnExecutor([&]() {
      CallScope scope(sink);
      std::lock_guard<std::mutex> lock(b->mu);
      Check(LGBM_BoosterGetEval(b->raw, dataIdx, &outLen, out.data()), "LGBM_BoosterGetEval");
    });
    out.resize(static_cast<size_t>(outLen));
    return ToFloat64Array(info.Env(), out);
  });
}

// int LGBM_BoosterCalcNumPredict(BoosterHandle handle, int num_row, int predict_type,
//     int start_iteration, int num_iteration, int64_t* out_len);
// int LGBM_BoosterPredictForMat(BoosterHandle handle, const void* data, int data_type, int32_t nrow,
//     int32_t ncol, int is_row_major, int predict_type, int start_iteration, int num_iteration,
//     const char* parameter, int64_t* out_len, double* out_result);
struct PredictArgs {
  std::shared_ptr<BoosterBox> b;
  Matrix m;
  bool rowMajor;
  int predictType;
  int startIteration;
  int numIteration;
  std::string parameter;
};

PredictArgs ReadPredictArgs(const Napi::CallbackInfo& info) {
  auto b = kdap::ReadHandle<BoosterTraits>(info, 0, "booster");
  Matrix m = ReadMatrix(info, 1, 2, 3, 0);
  bool rowMajor = kdap::ReadBool(info, 4, "isRowMajor");
  int pt = static_cast<int>(kdap::ReadInt(info, 5, "predictType", 0, 3));
  int start = static_cast<int>(kdap::ReadInt(info, 6, "startIteration", 0, INT32_MAX));
  int num = static_cast<int>(kdap::ReadInt(info, 7, "numIteration", -1, INT32_MAX));
  std::string param = kdap::ReadString(info, 8, "parameter");
  int nfeat = 0;
  Check(LGBM_BoosterGetNumFeature(b->raw, &nfeat), "LGBM_BoosterGetNumFeature");
  if (m.cols != nfeat) {
    throw ArgError{ArgError::Range, "'ncol' must equal the model's number of features (" + std::to_string(nfeat) +
                                        "), got " + std::to_string(m.cols)};
  }
  return PredictArgs{std::move(b), m, rowMajor, pt, start, num, std::move(param)};
}

std::vector<double> Predict(const PredictArgs& a, const void* data) {
  int64_t len = 0;
  Check(LGBM_BoosterCalcNumPredict(a.b->raw, a.m.rows, a.predictType, a.startIteration, a.numIteration, &len),
        "LGBM_BoosterCalcNumPredict");
  std::vector<double> out(static_cast<size_t>(len));
  if (a.m.rows == 0) return out;
  int64_t outLen = 0;
  Check(LGBM_BoosterPredictForMat(a.b->raw, data, DTypeOf(a.m.view), a.m.rows, a.m.cols, a.rowMajor ? 1 : 0,
                                  a.predictType, a.startIteration, a.numIteration, a.parameter.c_str(),
                                  &outLen, out.data()),
        "LGBM_BoosterPredictForMat");
  out.resize(static_cast<size_t>(outLen));
  return out;
}

Napi::Value BoosterPredictForMat(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    PredictArgs a = ReadPredictArgs(info);
    auto sink = SinkOf(info.Env());
    auto out = OnExecutor([&]() {
      CallScope scope(sink);
      return Predict(a, a.m.view.data);
    });
    return kdap::AdoptVector(info.Env(), std::move(out));
  });
}

Napi::Value BoosterPredictForMatAsync(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto a = std::make_shared<PredictArgs>(ReadPredictArgs(info));
    auto bytes = kdap::CopyInput(a->m.view);
    auto result = std::make_shared<std::vector<double>>();
    auto sink = SinkOf(info.Env());
    auto* w = new kdap::PromiseWorker(
        info.Env(),
        [a, bytes, result, sink]() {
          CallScope scope(sink);
          *result = Predict(*a, bytes->data());
        },
        [result](Napi::Env env) -> Napi::Value { return kdap::AdoptVector(env, std::move(*result)); });
    return kdap::Queue(w);
  });
}

// int LGBM_BoosterPredictForMatSingleRowFastInit(BoosterHandle handle, const int predict_type,
//     const int start_iteration, const int num_iteration, const int data_type, const int32_t ncol,
//     const char* parameter, FastConfigHandle* out_fastConfig);
struct FastConfigExtra {
  int dtype;
  int32_t ncol;
  int64_t outLen;
};

// FastConfig boxes carry the row shape they were made for, so Fast() can check the row it gets.
struct FastConfigBoxWithShape : FastConfigBox {
  FastConfigExtra shape;
  FastConfigBoxWithShape(FastConfigHandle h, FastConfigExtra s) : FastConfigBox(h), shape(s) {}
};

Napi::Value BoosterPredictForMatSingleRowFastInit(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto b = kdap::ReadHandle<BoosterTraits>(info, 0, "booster");
    int pt = static_cast<int>(kdap::ReadInt(info, 1, "predictType", 0, 3));
    int start = static_cast<int>(kdap::ReadInt(info, 2, "startIteration", 0, INT32_MAX));
    int num = static_cast<int>(kdap::ReadInt(info, 3, "numIteration", -1, INT32_MAX));
    int dtype = static_cast<int>(kdap::ReadInt(info, 4, "dataType", 0, 1));
    auto ncol = static_cast<int32_t>(kdap::ReadInt(info, 5, "ncol", 1, INT32_MAX));
    std::string param = kdap::ReadString(info, 6, "parameter");
    int nfeat = 0;
    CallScope scope(SinkOf(info.Env()));
    Check(LGBM_BoosterGetNumFeature(b->raw, &nfeat), "LGBM_BoosterGetNumFeature");
    if (ncol != nfeat) {
      throw ArgError{ArgError::Range, "'ncol' must equal the model's number of features (" + std::to_string(nfeat) +
                                          "), got " + std::to_string(ncol)};
    }
    int64_t outLen = 0;
    Check(LGBM_BoosterCalcNumPredict(b->raw, 1, pt, start, num, &outLen), "LGBM_BoosterCalcNumPredict");
    FastConfigHandle out = nullptr;
    Check(LGBM_BoosterPredictForMatSingleRowFastInit(b->raw, pt, start, num, dtype, ncol, param.c_str(), &out),
          "LGBM_BoosterPredictForMatSingleRowFastInit");
    auto box = std::make_shared<FastConfigBoxWithShape>(out, FastConfigExtra{dtype, ncol, outLen});
    box->deps.push_back(b);  // the fast config points into the booster
    return kdap::WrapHandle<FastConfigTraits>(info.Env(), std::static_pointer_cast<FastConfigBox>(box));
  });
}

// int LGBM_BoosterPredictForMatSingleRowFast(FastConfigHandle fastConfig_handle, const void* data,
//     int64_t* out_len, double* out_result);
// JS: (fastConfig, row, out: Float64Array) => number of values written to out.
Napi::Value BoosterPredictForMatSingleRowFast(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto fc = kdap::ReadHandle<FastConfigTraits>(info, 0, "fastConfig");
    const FastConfigExtra& shape = static_cast<FastConfigBoxWithShape*>(fc.get())->shape;
    ArrayView row = kdap::ReadTypedArray(info, 1, "row", {shape.dtype == C_API_DTYPE_FLOAT32 ? napi_float32_array : napi_float64_array});
    if (row.length != static_cast<size_t>(shape.ncol)) {
      throw ArgError{ArgError::Range, "'row' must hold " + std::to_string(shape.ncol) + " values, got " + std::to_string(row.length)};
    }
    ArrayView out = kdap::ReadTypedArray(info, 2, "out", {napi_float64_array});
    if (out.length < static_cast<size_t>(shape.outLen)) {
      throw ArgError{ArgError::Range, "'out' must hold at least " + std::to_string(shape.outLen) + " values, got " + std::to_string(out.length)};
    }
    int64_t outLen = 0;
    // The fast path has per-handle scratch buffers: one call at a time per FastConfig.
    std::lock_guard<std::mutex> lock(fc->mu);
    Check(LGBM_BoosterPredictForMatSingleRowFast(fc->raw, row.data, &outLen, static_cast<double*>(out.data)),
          "LGBM_BoosterPredictForMatSingleRowFast");
    return Napi::Number::New(info.Env(), static_cast<double>(outLen));
  });
}

// int LGBM_FastConfigFree(FastConfigHandle fastConfig);
Napi::Value FastConfigFree(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    return Napi::Boolean::New(info.Env(), kdap::DisposeHandle<FastConfigTraits>(info, 0, "fastConfig"));
  });
}

// int LGBM_BoosterFeatureImportance(BoosterHandle handle, int num_iteration, int importance_type,
//     double* out_results);
Napi::Value BoosterFeatureImportance(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto b = kdap::ReadHandle<BoosterTraits>(info, 0, "booster");
    int num = static_cast<int>(kdap::ReadInt(info, 1, "numIteration", -1, INT32_MAX));
    int type = static_cast<int>(kdap::ReadInt(info, 2, "importanceType", 0, 1));
    int nfeat = 0;
    CallScope scope(SinkOf(info.Env()));
    Check(LGBM_BoosterGetNumFeature(b->raw, &nfeat), "LGBM_BoosterGetNumFeature");
    std::vector<double> out(static_cast<size_t>(nfeat));
    OnExecutor([&]() {
      std::lock_guard<std::mutex> lock(b->mu);
      Check(LGBM_BoosterFeatureImportance(b->raw, num, type, out.data()), "LGBM_BoosterFeatureImportance");
    });
    return ToFloat64Array(info.Env(), out);
  });
}

// int LGBM_BoosterSaveModelToString(BoosterHandle handle, int start_iteration, int num_iteration,
//     int feature_importance_type, int64_t buffer_len, int64_t* out_len, char* out_str);
Napi::Value BoosterSaveModelToString(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto b = kdap::ReadHandle<BoosterTraits>(info, 0, "booster");
    int start = static_cast<int>(kdap::ReadInt(info, 1, "startIteration", 0, INT32_MAX));
    int num = static_cast<int>(kdap::ReadInt(info, 2, "numIteration", -1, INT32_MAX));
    int type = static_cast<int>(kdap::ReadInt(info, 3, "featureImportanceType", 0, 1));
    auto sink = SinkOf(info.Env());
    int64_t len = 0;
    std::vector<char> buf(1 << 20);
    OnExecutor([&]() {  // trees are serialized in an OpenMP loop
      CallScope scope(sink);
      std::lock_guard<std::mutex> lock(b->mu);
      Check(LGBM_BoosterSaveModelToString(b->raw, start, num, type, static_cast<int64_t>(buf.size()), &len, buf.data()),
            "LGBM_BoosterSaveModelToString");
      if (len > static_cast<int64_t>(buf.size())) {
        buf.resize(static_cast<size_t>(len));
        Check(LGBM_BoosterSaveModelToString(b->raw, start, num, type, len, &len, buf.data()),
              "LGBM_BoosterSaveModelToString");
      }
    });
    return Napi::String::New(info.Env(), buf.data(), static_cast<size_t>(len > 0 ? len - 1 : 0));
  });
}

// int LGBM_BoosterLoadModelFromString(const char* model_str, int* out_num_iterations, BoosterHandle* out);
Napi::Value BoosterLoadModelFromString(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    std::string model = kdap::ReadString(info, 0, "modelStr");
    if (model.empty()) throw ArgError{ArgError::Range, "'modelStr' is empty"};
    auto sink = SinkOf(info.Env());
    int iters = 0;
    BoosterHandle out = nullptr;
    OnExecutor([&]() {  // trees are parsed in an OpenMP loop
      CallScope scope(sink);
      Check(LGBM_BoosterLoadModelFromString(model.c_str(), &iters, &out), "LGBM_BoosterLoadModelFromString");
    });
    Napi::Object res = Napi::Object::New(info.Env());
    res.Set("booster", kdap::WrapHandle<BoosterTraits>(info.Env(), std::make_shared<BoosterBox>(out)));
    res.Set("numIterations", iters);
    return res;
  });
}

// int LGBM_BoosterGetLoadedParam(BoosterHandle handle, int64_t buffer_len, int64_t* out_len, char* out_str);
Napi::Value BoosterGetLoadedParam(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto b = kdap::ReadHandle<BoosterTraits>(info, 0, "booster");
    int64_t len = 0;
    std::vector<char> buf(1 << 14);
    Check(LGBM_BoosterGetLoadedParam(b->raw, static_cast<int64_t>(buf.size()), &len, buf.data()), "LGBM_BoosterGetLoadedParam");
    if (len > static_cast<int64_t>(buf.size())) {
      buf.resize(static_cast<size_t>(len));
      Check(LGBM_BoosterGetLoadedParam(b->raw, len, &len, buf.data()), "LGBM_BoosterGetLoadedParam");
    }
    return Napi::String::New(info.Env(), buf.data());
  });
}

// int LGBM_BoosterFree(BoosterHandle handle);  -- deferred until no worker or fast config uses it.
Napi::Value BoosterFree(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    return Napi::Boolean::New(info.Env(), kdap::DisposeHandle<BoosterTraits>(info, 0, "booster"));
  });
}

// ---------------------------------------------------------------------------------------------
// Network (data-parallel training across processes)
// ---------------------------------------------------------------------------------------------

// int LGBM_NetworkInit(const char* machines, int local_listen_port, int listen_time_out, int num_machines);
Napi::Value NetworkInit(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    std::string machines = kdap::ReadString(info, 0, "machines");
    int port = static_cast<int>(kdap::ReadInt(info, 1, "localListenPort", 1, 65535));
    int timeout = static_cast<int>(kdap::ReadInt(info, 2, "listenTimeOut", 1, INT32_MAX));
    int num = static_cast<int>(kdap::ReadInt(info, 3, "numMachines", 1, 65535));
    auto sink = SinkOf(info.Env());
    OnExecutor([&]() {
      CallScope scope(sink);
      Check(LGBM_NetworkInit(machines.c_str(), port, timeout, num), "LGBM_NetworkInit");
    });
    return info.Env().Undefined();
  });
}

// int LGBM_NetworkFree();
Napi::Value NetworkFree(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto sink = SinkOf(info.Env());
    OnExecutor([&]() {
      CallScope scope(sink);
      Check(LGBM_NetworkFree(), "LGBM_NetworkFree");
    });
    return info.Env().Undefined();
  });
}

Napi::Object Module(Napi::Env env, Napi::Object exports) {
  // Threads LightGBM starts itself get this callback (build patch thread-default-log-callback):
  // their lines have no JS logger to go to and are dropped instead of printed.
  LightGBM::Log::GetThreadDefaultCallBack() = &OnLightGBMLog;
  auto* st = new State();
  st->library = "LightGBM";
  env.SetInstanceData<kdap::EnvState>(st);
  env.AddCleanupHook([st]() {
    if (st->logSink) st->logSink->tsfn.Abort();
  });

#define EXPORT(name, fn) exports.Set(name, Napi::Function::New(env, fn, name))
  EXPORT("init", kdap::InitErrorClasses);
  exports.Set("liveHandles", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
    return kdap::LiveHandles<DatasetTraits, BoosterTraits, FastConfigTraits>(info.Env());
  }, "liveHandles"));
  EXPORT("setLogger", SetLogger);
  EXPORT("dumpParamAliases", DumpParamAliases);
  EXPORT("datasetCreateFromMat", DatasetCreateFromMat);
  EXPORT("datasetCreateFromMatAsync", DatasetCreateFromMatAsync);
  EXPORT("datasetSetField", DatasetSetField);
  EXPORT("datasetGetField", DatasetGetField);
  EXPORT("datasetGetNumData", DatasetGetNumData);
  EXPORT("datasetGetNumFeature", DatasetGetNumFeature);
  EXPORT("datasetSetFeatureNames", DatasetSetFeatureNames);
  EXPORT("datasetGetFeatureNames", DatasetGetFeatureNames);
  EXPORT("datasetFree", DatasetFree);
  EXPORT("boosterCreate", BoosterCreate);
  EXPORT("boosterAddValidData", BoosterAddValidData);
  EXPORT("boosterUpdateOneIter", BoosterUpdateOneIter);
  EXPORT("boosterUpdateOneIterAsync", BoosterUpdateOneIterAsync);
  EXPORT("boosterUpdateBatchAsync", BoosterUpdateBatchAsync);
  EXPORT("boosterTrainAsync", BoosterTrainAsync);
  EXPORT("boosterRollbackOneIter", BoosterRollbackOneIter);
  EXPORT("boosterGetCurrentIteration", BoosterGetCurrentIteration);
  EXPORT("boosterGetEvalCounts", BoosterGetEvalCounts);
  EXPORT("boosterGetEvalNames", BoosterGetEvalNames);
  EXPORT("boosterGetEval", BoosterGetEval);
  EXPORT("boosterGetNumFeature", BoosterGetNumFeature);
  EXPORT("boosterGetNumClasses", BoosterGetNumClasses);
  EXPORT("boosterGetLeafValues", BoosterGetLeafValues);
  EXPORT("boosterGetPredict", BoosterGetPredict);
  EXPORT("boosterNumModelPerIteration", BoosterNumModelPerIteration);
  EXPORT("boosterGetFeatureNames", BoosterGetFeatureNames);
  EXPORT("boosterPredictForMat", BoosterPredictForMat);
  EXPORT("boosterPredictForMatAsync", BoosterPredictForMatAsync);
  EXPORT("boosterPredictForMatSingleRowFastInit", BoosterPredictForMatSingleRowFastInit);
  EXPORT("boosterPredictForMatSingleRowFast", BoosterPredictForMatSingleRowFast);
  EXPORT("fastConfigFree", FastConfigFree);
  EXPORT("boosterFeatureImportance", BoosterFeatureImportance);
  EXPORT("boosterSaveModelToString", BoosterSaveModelToString);
  EXPORT("boosterLoadModelFromString", BoosterLoadModelFromString);
  EXPORT("boosterGetLoadedParam", BoosterGetLoadedParam);
  EXPORT("boosterFree", BoosterFree);
  EXPORT("networkInit", NetworkInit);
  EXPORT("networkFree", NetworkFree);
#undef EXPORT
  return exports;
}

}  // namespace

NODE_API_MODULE(lightgbm_node, Module)
