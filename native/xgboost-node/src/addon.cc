// Layer 1: a thin binding of the XGBoost C API. Every function validates its JS arguments before
// any C call, so bad input becomes a ParameterError (@kdap/errors) and never reaches XGBoost. Library
// failures become NativeError with the message from XGBGetLastError read on the failing thread.
//
// Built against XGBoost 3.2 (native/xgboost-node/xgboost.json): the array-interface entry points
// (dense and columnar, with categorical columns given as category names + codes), never the
// deprecated XGDMatrixCreateFromMat / XGBoosterPredict family.
#include <xgboost/c_api.h>

#include <kdap/napi_common.h>

#include "model_check.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <functional>
#include <future>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using kdap::ArgError;
using kdap::ArrayView;
using kdap::Guard;
using kdap::LibFailure;

/**
 * XGBoost 1.x keeps its global configuration (verbosity, ...) per thread. The binding keeps the
 * full configuration last set through it and applies it on any thread before that thread's next
 * XGBoost call, so `setGlobalConfig` means the same on the XGBoost thread and the libuv pool.
 */
class GlobalConfig {
 public:
  static GlobalConfig& Get() {
    static GlobalConfig* instance = new GlobalConfig();
    return *instance;
  }

  void Store(std::string json) {
    std::lock_guard<std::mutex> lock(mu_);
    json_ = std::move(json);
    version_.fetch_add(1);
  }

  /** Applies the stored configuration on this thread if it has not seen the latest one. */
  void Sync() {
    thread_local uint64_t applied = 0;
    uint64_t v = version_.load();
    if (v == applied) return;
    std::string json;
    {
      std::lock_guard<std::mutex> lock(mu_);
      json = json_;
      v = version_.load();
    }
    XGBSetGlobalConfig(json.c_str());  // accepted on the thread that set it
    applied = v;
  }

 private:
  std::mutex mu_;
  std::string json_;
  std::atomic<uint64_t> version_{0};
};

/**
 * XGBoost's log lines (LOG(INFO), warnings) go to the JS logger set with setLogger, or nowhere:
 * never to the process's stderr. XGBoost keeps the callback per thread; every XGBoost call runs
 * on the XGBoost thread below, which registers it. The logger is process-wide (the latest
 * setLogger wins) because that thread serves every environment.
 */
using kdap::LogSink;
std::mutex gLogMu;
std::shared_ptr<LogSink> gLogSink;

void OnXGBoostLog(const char* msg) {
  std::shared_ptr<LogSink> sink;
  {
    std::lock_guard<std::mutex> lock(gLogMu);
    sink = gLogSink;
  }
  if (msg != nullptr) kdap::EmitLogLine(sink, msg);
}

/**
 * The one thread that runs every XGBoost call: napi-common's executor (kdap::Executor), which the
 * async workers already run on, with XGBoost's per-thread setup.
 *
 * XGBoost keeps state per thread: the log callback, the global configuration (verbosity, ...) and,
 * in 1.x, a booster's prediction cache (which also tells a new booster its number of features),
 * cleared only on the thread that frees the booster. So creation, parameters, training,
 * evaluation, prediction, model I/O and free all run on this one thread; sync callers and async
 * workers wait for their task (an async worker's task runs there directly). In-place prediction
 * needs no cache, but it runs here too: its OpenMP loops would otherwise start a second thread
 * team, which makes libgomp throttle the spinning of the training team (napi-common openmp.ts).
 */
class XGBoostThread {
 public:
  static XGBoostThread& Get() {
    static XGBoostThread* instance = new XGBoostThread();  // never destroyed, like the executor
    return *instance;
  }

  /** Runs `f` on the XGBoost thread and returns its result; its exceptions are rethrown here. */
  template <class F>
  auto Run(F&& f) -> decltype(f()) {
    return kdap::Executor::Instance().Call([&]() {
      GlobalConfig::Get().Sync();
      return f();
    });
  }

  /** Queues `f` without waiting (frees, training rounds). */
  void Post(std::function<void()> f) {
    kdap::Executor::Instance().Post([f = std::move(f)]() {
      GlobalConfig::Get().Sync();
      f();
    });
  }

 private:
  // Constructed when the module loads (Module() below), before any task is queued.
  XGBoostThread() {
    kdap::Executor::Instance().SetThreadInit([]() { XGBRegisterLogCallback(&OnXGBoostLog); });
  }
};

struct DMatrixTraits {
  using Raw = DMatrixHandle;
  static constexpr const char* kName = "DMatrix";
  static constexpr napi_type_tag kTag = {0x6b646170'7867626fULL, 0x444d6174'72697831ULL};
  static void Free(Raw h) { XGDMatrixFree(h); }
};
struct BoosterTraits {
  using Raw = BoosterHandle;
  static constexpr const char* kName = "Booster";
  static constexpr napi_type_tag kTag = {0x6b646170'7867626fULL, 0x426f6f73'74657231ULL};
  // Posted to the XGBoost thread, where the booster's thread-local caches live.
  static void Free(Raw h) {
    XGBoostThread::Get().Post([h]() { XGBoosterFree(h); });
  }
};

using DMatrixBox = kdap::Box<DMatrixTraits>;
using BoosterBox = kdap::Box<BoosterTraits>;

/** XGBoost's message for the last failure on this thread, without the native backtrace it appends. */
std::string LastError() {
  std::string m = XGBGetLastError();
  size_t cut = m.find("\nStack trace:");
  if (cut != std::string::npos) m.erase(cut);
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m;
}

void Check(int rc, const char* fn) {
  if (rc != 0) throw LibFailure{fn, rc, LastError()};
}

// In-place prediction is thread-safe in XGBoost, training and model I/O are not: predictions share
// the booster's lock, everything that changes or serializes the model takes it alone.
//
// XGBoost 1.7 leaves a learner half-configured when its first configuration fails (e.g. a
// parameter value it cannot parse), and the next XGBoosterUpdateOneIter then crashes the process.
// So a library failure before the model is initialized (trained once or loaded) retires the
// booster: every later call is a NativeError instead of a segfault.
struct BoosterState : BoosterBox {
  std::shared_mutex rw;
  std::atomic<bool> initialized{false};
  /** Bumped (under the lock held alone) by every call that may change the model: ModelWriteLock. */
  std::atomic<uint64_t> version{0};
  /**
   * The small-batch fast path's copy of the model (nthread 1), made on the XGBoost thread and used
   * on callers' threads under fastMu; see PredictSmall. Current while fastVersion == version.
   */
  std::mutex fastMu;
  BoosterHandle fast = nullptr;
  DMatrixHandle fastProxy = nullptr;  // reused by every small batch
  uint64_t fastVersion = 0;
  int fastRounds = 0;
  uint64_t fastFeatures = 0;
  using BoosterBox::BoosterBox;
  ~BoosterState() override {
    if (fast != nullptr) BoosterTraits::Free(fast);
    if (fastProxy != nullptr) XGBoostThread::Get().Post([p = fastProxy]() { XGDMatrixFree(p); });
  }

  void Check(int rc, const char* fn) {
    if (rc == 0) return;
    std::string message = LastError();
    if (!initialized) {
      std::lock_guard<std::mutex> lock(retiredMu_);
      if (retiredBy_.function.empty()) retiredBy_ = LibFailure{fn, rc, message};
    }
    throw LibFailure{fn, rc, message};
  }

  /** Throws the failure that retired this booster, if any. */
  void CheckUsable() {
    std::lock_guard<std::mutex> lock(retiredMu_);
    if (retiredBy_.function.empty()) return;
    throw LibFailure{retiredBy_.function, retiredBy_.code,
                     "this Booster is unusable: " + retiredBy_.function + " failed before its model was initialized (" +
                         retiredBy_.message + "). Create a new Booster with corrected parameters or data."};
  }

 private:
  std::mutex retiredMu_;
  LibFailure retiredBy_;
};

/** The booster's lock held alone, by a call that may change the model: bumps its version. */
class ModelWriteLock {
 public:
  explicit ModelWriteLock(BoosterState* b) : lock_(b->rw) { b->version.fetch_add(1); }

 private:
  std::unique_lock<std::shared_mutex> lock_;
};

// A DMatrix remembers its shape so lengths of meta info can be checked without a library call.
struct DMatrixState : DMatrixBox {
  uint64_t rows = 0;
  uint64_t cols = 0;
  using DMatrixBox::DMatrixBox;
};

std::shared_ptr<BoosterState> ReadBooster(const Napi::CallbackInfo& info, size_t i, const char* name) {
  // Every Booster box is made by this file as a BoosterState.
  auto b = std::static_pointer_cast<BoosterState>(kdap::ReadHandle<BoosterTraits>(info, i, name));
  b->CheckUsable();
  return b;
}

std::shared_ptr<DMatrixState> ReadDMatrix(const Napi::CallbackInfo& info, size_t i, const char* name) {
  return std::static_pointer_cast<DMatrixState>(kdap::ReadHandle<DMatrixTraits>(info, i, name));
}

/** An array of DMatrix handles, each checked like a single handle argument. */
std::vector<std::shared_ptr<DMatrixState>> ReadDMatrixArray(const Napi::CallbackInfo& info, size_t i, const char* name) {
  Napi::Value v = kdap::Arg(info, i);
  if (!v.IsArray()) throw ArgError{ArgError::Type, std::string("'") + name + "' must be an array of DMatrix handles, got " + kdap::Describe(v)};
  Napi::Array arr = v.As<Napi::Array>();
  std::vector<std::shared_ptr<DMatrixState>> out;
  for (uint32_t k = 0; k < arr.Length(); k++) {
    Napi::Value e = arr.Get(k);
    std::string elem = std::string(name) + "[" + std::to_string(k) + "]";
    if (!e.IsExternal()) throw ArgError{ArgError::Type, "'" + elem + "' must be a DMatrix handle, got " + kdap::Describe(e)};
    auto ext = e.As<Napi::External<kdap::Slot<DMatrixTraits>>>();
    if (!ext.CheckTypeTag(&DMatrixTraits::kTag)) throw ArgError{ArgError::Type, "'" + elem + "' must be a DMatrix handle, got another kind of handle"};
    if (!ext.Data()->box) throw ArgError{ArgError::Disposed, "DMatrix"};
    out.push_back(std::static_pointer_cast<DMatrixState>(ext.Data()->box));
  }
  return out;
}

/** Locks several DMatrix boxes in address order, each once, so overlapping sets cannot deadlock. */
class DMatrixLocks {
 public:
  explicit DMatrixLocks(std::vector<DMatrixBox*> boxes) {
    std::sort(boxes.begin(), boxes.end());
    boxes.erase(std::unique(boxes.begin(), boxes.end()), boxes.end());
    for (DMatrixBox* b : boxes) locks_.emplace_back(b->mu);
  }

 private:
  std::vector<std::unique_lock<std::mutex>> locks_;
};

/** A JSON number as XGBoost's parser reads it; NaN is spelled as Python's json module does. */
std::string JsonNumber(double d) {
  if (std::isnan(d)) return "NaN";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.17g", d);
  return buf;
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

const char* TypeStr(const ArrayView& a) { return a.type == napi_float32_array ? "<f4" : "<f8"; }

/** The __array_interface__ document XGBoost reads dense data and meta info from (read-only). */
std::string ArrayInterface(const void* data, const char* typestr, std::vector<uint64_t> shape) {
  std::string s = "{\"data\":[" + std::to_string(reinterpret_cast<uintptr_t>(data)) + ",true],\"shape\":[";
  for (size_t i = 0; i < shape.size(); i++) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "],\"typestr\":\"" + typestr + "\",\"version\":3}";
}

/** A dense row-major matrix argument: rows, cols and data of exactly rows * cols values. */
struct Matrix {
  ArrayView view;
  uint64_t rows;
  uint64_t cols;
};

Matrix ReadMatrix(const Napi::CallbackInfo& info, size_t dataIdx, size_t rowsIdx, size_t colsIdx) {
  ArrayView v = kdap::ReadTypedArray(info, dataIdx, "data", {napi_float32_array, napi_float64_array});
  int64_t rows = kdap::ReadInt(info, rowsIdx, "nrow", 1, INT32_MAX);
  int64_t cols = kdap::ReadInt(info, colsIdx, "ncol", 1, INT32_MAX);
  size_t need = kdap::CheckedProduct(rows, cols, "nrow * ncol");
  if (v.length != need) {
    throw ArgError{ArgError::Range, "'data' must hold nrow * ncol = " + std::to_string(rows) + " * " +
                                        std::to_string(cols) + " = " + std::to_string(need) +
                                        " values, got " + std::to_string(v.length)};
  }
  return Matrix{v, static_cast<uint64_t>(rows), static_cast<uint64_t>(cols)};
}


// ---------------------------------------------------------------------------------------------
// Columnar input: one entry per column, a numeric typed array or a categorical column given as its
// category names and one code per row (-1 = missing), XGBoost's arrow-style "dictionary" input
// (XGDMatrixCreateFromColumnar). XGBoost stores the names in the model and, at prediction, re-codes
// the input's categories by name, so codes of one data set need not match another's.
// ---------------------------------------------------------------------------------------------

struct Columnar {
  struct Column {
    bool categorical = false;
    std::shared_ptr<kdap::InputCopy> numeric;  // numeric: a private copy of the values
    napi_typedarray_type type = napi_float32_array;
    std::vector<int32_t> offsets;  // categorical: arrow string offsets into names
    std::string names;             // categorical: the names, concatenated (UTF-8)
    std::vector<float> codes;      // categorical: one code per row, NaN = missing
    uint32_t categories = 0;
  };
  uint64_t rows = 0;
  std::vector<Column> cols;
  bool anyCategorical = false;

  /** The JSON list of array interfaces XGBoost reads (pointers into this object). */
  std::string Interface() const {
    std::string s = "[";
    for (size_t i = 0; i < cols.size(); i++) {
      const Column& c = cols[i];
      if (i) s += ",";
      if (!c.categorical) {
        s += ArrayInterface(c.numeric->data(), c.type == napi_float32_array ? "<f4" : "<f8", {rows});
        continue;
      }
      // An empty names buffer still needs a valid address.
      const void* names = c.names.empty() ? static_cast<const void*>(&c.offsets[0]) : static_cast<const void*>(c.names.data());
      s += "[{\"offsets\":" + ArrayInterface(c.offsets.data(), "<i4", {c.offsets.size()}) +
           ",\"values\":" + ArrayInterface(names, "|i1", {c.names.size()}) + "}," +
           ArrayInterface(c.codes.data(), "<f4", {rows}) + "]";
    }
    return s + "]";
  }
};

/**
 * JS: columns (an array of Float32Array | Float64Array | { categories: string[], codes: Int32Array })
 * and nrow. Everything is validated and copied here, on the JS thread: category names must be
 * unique, codes in [-1, categories.length).
 */
std::shared_ptr<Columnar> ReadColumnar(const Napi::CallbackInfo& info, size_t colsIdx, size_t rowsIdx) {
  Napi::Value v = kdap::Arg(info, colsIdx);
  int64_t rows = kdap::ReadInt(info, rowsIdx, "nrow", 1, INT32_MAX);
  if (!v.IsArray()) throw ArgError{ArgError::Type, "'columns' must be an array of columns, got " + kdap::Describe(v)};
  Napi::Array arr = v.As<Napi::Array>();
  if (arr.Length() == 0) throw ArgError{ArgError::Range, "'columns' must hold at least one column"};
  auto out = std::make_shared<Columnar>();
  out->rows = static_cast<uint64_t>(rows);
  for (uint32_t k = 0; k < arr.Length(); k++) {
    Napi::Value e = arr.Get(k);
    std::string at = "'columns[" + std::to_string(k) + "]'";
    Columnar::Column col;
    if (e.IsTypedArray()) {
      Napi::TypedArray ta = e.As<Napi::TypedArray>();
      napi_typedarray_type t = ta.TypedArrayType();
      if (t != napi_float32_array && t != napi_float64_array) {
        throw ArgError{ArgError::Type, at + " must be a Float32Array or Float64Array, got a " + kdap::TypedArrayName(t)};
      }
      bool detached = false;
      napi_is_detached_arraybuffer(info.Env(), ta.ArrayBuffer(), &detached);
      if (detached) throw ArgError{ArgError::Type, at + " is backed by a detached ArrayBuffer"};
      if (ta.ElementLength() != out->rows) {
        throw ArgError{ArgError::Range, at + " must have one value per row (" + std::to_string(rows) + "), got " + std::to_string(ta.ElementLength())};
      }
      ArrayView view{t, ta.ElementLength(), static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset()};
      col.type = t;
      col.numeric = kdap::CopyInput(view);
    } else if (e.IsObject() && !e.IsArray()) {
      Napi::Object o = e.As<Napi::Object>();
      Napi::Value cats = o.Get("categories");
      Napi::Value codes = o.Get("codes");
      if (!cats.IsArray()) throw ArgError{ArgError::Type, at + ".categories must be an array of strings, got " + kdap::Describe(cats)};
      if (!codes.IsTypedArray() || codes.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
        throw ArgError{ArgError::Type, at + ".codes must be an Int32Array, got " + kdap::Describe(codes)};
      }
      Napi::Array names = cats.As<Napi::Array>();
      col.categorical = true;
      col.categories = names.Length();
      col.offsets.reserve(names.Length() + 1);
      col.offsets.push_back(0);
      std::vector<std::string> seen;
      seen.reserve(names.Length());
      for (uint32_t c = 0; c < names.Length(); c++) {
        Napi::Value n = names.Get(c);
        if (!n.IsString()) throw ArgError{ArgError::Type, at + ".categories[" + std::to_string(c) + "] must be a string, got " + kdap::Describe(n)};
        std::string name = n.As<Napi::String>().Utf8Value();
        col.names += name;
        if (col.names.size() > static_cast<size_t>(INT32_MAX)) throw ArgError{ArgError::Range, at + ".categories is too large"};
        col.offsets.push_back(static_cast<int32_t>(col.names.size()));
        seen.push_back(std::move(name));
      }
      std::vector<std::string> sorted = seen;
      std::sort(sorted.begin(), sorted.end());
      auto dup = std::adjacent_find(sorted.begin(), sorted.end());
      if (dup != sorted.end()) throw ArgError{ArgError::Range, at + ".categories must be unique, '" + *dup + "' appears twice"};
      Napi::TypedArray ta = codes.As<Napi::TypedArray>();
      bool detached = false;
      napi_is_detached_arraybuffer(info.Env(), ta.ArrayBuffer(), &detached);
      if (detached) throw ArgError{ArgError::Type, at + ".codes is backed by a detached ArrayBuffer"};
      if (ta.ElementLength() != out->rows) {
        throw ArgError{ArgError::Range, at + ".codes must have one code per row (" + std::to_string(rows) + "), got " + std::to_string(ta.ElementLength())};
      }
      const int32_t* p = reinterpret_cast<const int32_t*>(static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset());
      col.codes.resize(out->rows);
      for (uint64_t r = 0; r < out->rows; r++) {
        int32_t c = p[r];
        if (c < -1 || c >= static_cast<int64_t>(col.categories)) {
          throw ArgError{ArgError::Range, at + ".codes[" + std::to_string(r) + "] must be -1 (missing) or a category index below " +
                                              std::to_string(col.categories) + ", got " + std::to_string(c)};
        }
        col.codes[r] = c < 0 ? std::numeric_limits<float>::quiet_NaN() : static_cast<float>(c);
      }
      out->anyCategorical = true;
    } else {
      throw ArgError{ArgError::Type, at + " must be a Float32Array, Float64Array or { categories, codes }, got " + kdap::Describe(e)};
    }
    out->cols.push_back(std::move(col));
  }
  return out;
}

/** The value standing for "missing": NaN or a finite number (XGBoost's JSON has no Infinity). */
double ReadMissing(const Napi::CallbackInfo& info, size_t i) {
  double m = kdap::ReadNumber(info, i, "missing");
  if (std::isinf(m)) throw ArgError{ArgError::Range, "'missing' must be NaN or a finite number, got " + kdap::JsNumberText(m)};
  return m;
}


Napi::Array ToJsArray(Napi::Env env, const std::vector<std::string>& names) {
  Napi::Array arr = Napi::Array::New(env, names.size());
  for (uint32_t i = 0; i < names.size(); i++) arr.Set(i, names[i]);
  return arr;
}

std::vector<std::string> CopyStrings(const char** strs, bst_ulong n) {
  std::vector<std::string> out;
  out.reserve(static_cast<size_t>(n));
  for (bst_ulong i = 0; i < n; i++) out.emplace_back(strs[i] ? strs[i] : "");
  return out;
}

/** A prediction or score array copied out of XGBoost's thread-local buffer, with its shape. */
struct Shaped {
  std::vector<uint64_t> shape;
  std::vector<float> values;
};

Shaped CopyShaped(const bst_ulong* shape, bst_ulong dim, const float* values) {
  Shaped s;
  size_t n = dim == 0 ? 0 : 1;
  for (bst_ulong i = 0; i < dim; i++) {
    s.shape.push_back(static_cast<uint64_t>(shape[i]));
    n *= static_cast<size_t>(shape[i]);
  }
  s.values.assign(values, values + n);
  return s;
}

Napi::Object ToJs(Napi::Env env, const Shaped& s) {
  Napi::Object o = Napi::Object::New(env);
  Napi::Array shape = Napi::Array::New(env, s.shape.size());
  for (uint32_t i = 0; i < s.shape.size(); i++) shape.Set(i, Napi::Number::New(env, static_cast<double>(s.shape[i])));
  auto values = Napi::Float32Array::New(env, s.values.size());
  if (!s.values.empty()) std::memcpy(values.Data(), s.values.data(), s.values.size() * sizeof(float));
  o.Set("shape", shape);
  o.Set("values", values);
  return o;
}

/** Boosted rounds of a booster whose lock the caller holds. */
int Rounds(BoosterState* b) {
  int rounds = 0;
  b->Check(XGBoosterBoostedRounds(b->raw, &rounds), "XGBoosterBoostedRounds");
  return rounds;
}

uint64_t NumFeature(BoosterState* b) {
  bst_ulong n = 0;
  b->Check(XGBoosterGetNumFeature(b->raw, &n), "XGBoosterGetNumFeature");
  return static_cast<uint64_t>(n);
}

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

/** Checks that need a lock run on the worker; their ArgError rejects the Promise as a ParameterError. */
kdap::PromiseWorker* NewWorker(Napi::Env env, std::function<void()> work, kdap::PromiseWorker::Done done) {
  auto argError = std::make_shared<std::unique_ptr<ArgError>>();
  return new kdap::PromiseWorker(
      env,
      [work = std::move(work), argError]() {
        try {
          work();
        } catch (const ArgError& e) {
          *argError = std::make_unique<ArgError>(e);
        }
      },
      [done = std::move(done), argError](Napi::Env env) -> Napi::Value {
        if (*argError) throw kdap::MakeArgError(env, **argError);
        return done(env);
      });
}

// ---------------------------------------------------------------------------------------------
// Library setup
// ---------------------------------------------------------------------------------------------

/** init({NativeError, ParameterError, DisposedError}): the @kdap/errors classes for this environment. */
Napi::Value Init(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    kdap::RegisterErrorClasses(info);
    return info.Env().Undefined();
  });
}

// void XGBoostVersion(int* major, int* minor, int* patch);
Napi::Value Version(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    int major = 0, minor = 0, patch = 0;
    XGBoostVersion(&major, &minor, &patch);
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("major", major);
    o.Set("minor", minor);
    o.Set("patch", patch);
    return o;
  });
}

// int XGBuildInfo(char const **out);
Napi::Value BuildInfo(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    const char* out = nullptr;
    Check(XGBuildInfo(&out), "XGBuildInfo");
    return Napi::String::New(info.Env(), out ? out : "{}");
  });
}

// const char* XGBGetLastError();  -- read inside Check() on the failing thread.

// int XGBSetGlobalConfig(char const *config);
Napi::Value SetGlobalConfig(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    std::string config = kdap::ReadString(info, 0, "config");
    GlobalConfig::Get().Sync();
    Check(XGBSetGlobalConfig(config.c_str()), "XGBSetGlobalConfig");
    // Store the whole resulting configuration for the other threads (the call may set one key).
    const char* full = nullptr;
    Check(XGBGetGlobalConfig(&full), "XGBGetGlobalConfig");
    GlobalConfig::Get().Store(full ? full : "{}");
    GlobalConfig::Get().Sync();
    return info.Env().Undefined();
  });
}

// int XGBGetGlobalConfig(char const **out_config);
Napi::Value GetGlobalConfig(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    GlobalConfig::Get().Sync();
    const char* out = nullptr;
    Check(XGBGetGlobalConfig(&out), "XGBGetGlobalConfig");
    return Napi::String::New(info.Env(), out ? out : "{}");
  });
}

// ---------------------------------------------------------------------------------------------
// DMatrix
// ---------------------------------------------------------------------------------------------

// int XGDMatrixCreateFromDense(char const *data, char const *config, DMatrixHandle *out);
// JS: (data, nrow, ncol, missing, nthread). XGBoost copies the values, so the DMatrix does not
// borrow the JS buffer.
struct CreateArgs {
  Matrix m;
  double missing;
  int nthread;
};

CreateArgs ReadCreateArgs(const Napi::CallbackInfo& info) {
  Matrix m = ReadMatrix(info, 0, 1, 2);
  double missing = ReadMissing(info, 3);
  int nthread = static_cast<int>(kdap::ReadInt(info, 4, "nthread", -1, 4096));
  return CreateArgs{m, missing, nthread};
}

std::shared_ptr<DMatrixState> CreateDMatrix(const void* data, const CreateArgs& a) {
  GlobalConfig::Get().Sync();
  std::string iface = ArrayInterface(data, TypeStr(a.m.view), {a.m.rows, a.m.cols});
  std::string config = "{\"missing\":" + JsonNumber(a.missing) + ",\"nthread\":" + std::to_string(a.nthread) + "}";
  DMatrixHandle out = nullptr;
  Check(XGDMatrixCreateFromDense(iface.c_str(), config.c_str(), &out), "XGDMatrixCreateFromDense");
  auto box = std::make_shared<DMatrixState>(out);
  bst_ulong rows = 0, cols = 0;
  Check(XGDMatrixNumRow(out, &rows), "XGDMatrixNumRow");
  Check(XGDMatrixNumCol(out, &cols), "XGDMatrixNumCol");
  box->rows = rows;
  box->cols = cols;
  return box;
}

Napi::Value WrapDMatrix(Napi::Env env, const std::shared_ptr<DMatrixState>& box) {
  return kdap::WrapHandle<DMatrixTraits>(env, std::static_pointer_cast<DMatrixBox>(box));
}

Napi::Value DMatrixCreateFromDense(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    CreateArgs a = ReadCreateArgs(info);
    // On the XGBoost thread: XGBoost copies the values in OpenMP loops, and an OpenMP team on the
    // JS thread would make libgomp throttle the spinning of the training team (napi-common openmp.ts).
    auto box = XGBoostThread::Get().Run([&]() { return CreateDMatrix(a.m.view.data, a); });
    return WrapDMatrix(info.Env(), box);
  });
}

Napi::Value DMatrixCreateFromDenseAsync(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto a = std::make_shared<CreateArgs>(ReadCreateArgs(info));
    auto bytes = kdap::CopyInput(a->m.view);
    auto result = std::make_shared<std::shared_ptr<DMatrixState>>();
    auto* w = NewWorker(
        info.Env(), [a, bytes, result]() { *result = XGBoostThread::Get().Run([&]() { return CreateDMatrix(bytes->data(), *a); }); },
        [result](Napi::Env env) -> Napi::Value { return WrapDMatrix(env, *result); });
    return kdap::Queue(w);
  });
}

// int XGDMatrixCreateFromColumnar(char const *data, char const *config, DMatrixHandle *out);
// JS: (columns, nrow, missing, nthread); see ReadColumnar. XGBoost copies the values and keeps the
// category names with the matrix (a Booster trained on it stores them in the model).
struct ColumnarArgs {
  std::shared_ptr<Columnar> cols;
  double missing;
  int nthread;
};

ColumnarArgs ReadColumnarArgs(const Napi::CallbackInfo& info) {
  auto cols = ReadColumnar(info, 0, 1);
  double missing = ReadMissing(info, 2);
  int nthread = static_cast<int>(kdap::ReadInt(info, 3, "nthread", -1, 4096));
  return ColumnarArgs{std::move(cols), missing, nthread};
}

std::shared_ptr<DMatrixState> CreateDMatrixColumnar(const ColumnarArgs& a) {
  GlobalConfig::Get().Sync();
  std::string iface = a.cols->Interface();
  std::string config = "{\"missing\":" + JsonNumber(a.missing) + ",\"nthread\":" + std::to_string(a.nthread) + "}";
  DMatrixHandle out = nullptr;
  Check(XGDMatrixCreateFromColumnar(iface.c_str(), config.c_str(), &out), "XGDMatrixCreateFromColumnar");
  auto box = std::make_shared<DMatrixState>(out);
  bst_ulong rows = 0, cols = 0;
  Check(XGDMatrixNumRow(out, &rows), "XGDMatrixNumRow");
  Check(XGDMatrixNumCol(out, &cols), "XGDMatrixNumCol");
  box->rows = rows;
  box->cols = cols;
  return box;
}

Napi::Value DMatrixCreateFromColumns(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    ColumnarArgs a = ReadColumnarArgs(info);
    auto box = XGBoostThread::Get().Run([&]() { return CreateDMatrixColumnar(a); });
    return WrapDMatrix(info.Env(), box);
  });
}

Napi::Value DMatrixCreateFromColumnsAsync(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto a = std::make_shared<ColumnarArgs>(ReadColumnarArgs(info));
    auto result = std::make_shared<std::shared_ptr<DMatrixState>>();
    auto* w = NewWorker(
        info.Env(), [a, result]() { *result = XGBoostThread::Get().Run([&]() { return CreateDMatrixColumnar(*a); }); },
        [result](Napi::Env env) -> Napi::Value { return WrapDMatrix(env, *result); });
    return kdap::Queue(w);
  });
}

// int XGDMatrixSetInfoFromInterface(DMatrixHandle handle, char const* field, char const* c_interface_str);
// JS: (dmatrix, field, data). label and weight take one value per row, base_margin rows * k
// (one column per output group); label may also have rows * k values for multi-target models.
Napi::Value DMatrixSetInfoFromInterface(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto dm = ReadDMatrix(info, 0, "dmatrix");
    std::string field = kdap::ReadString(info, 1, "field");
    if (field != "label" && field != "weight" && field != "base_margin") {
      throw ArgError{ArgError::Range, "'field' must be one of label, weight, base_margin; got '" + field + "'"};
    }
    ArrayView v = kdap::ReadTypedArray(info, 2, "data", {napi_float32_array, napi_float64_array});
    uint64_t rows = dm->rows;
    std::vector<uint64_t> shape;
    if (field == "weight") {
      if (v.length != rows) {
        throw ArgError{ArgError::Range, "'data' for weight must have one value per row (" + std::to_string(rows) +
                                            "), got " + std::to_string(v.length)};
      }
      shape = {rows};
    } else {
      if (rows == 0 || v.length == 0 || v.length % rows != 0) {
        throw ArgError{ArgError::Range, "'data' for " + field + " must have rows * k values (rows = " +
                                            std::to_string(rows) + "), got " + std::to_string(v.length)};
      }
      uint64_t k = v.length / rows;
      shape = k == 1 ? std::vector<uint64_t>{rows} : std::vector<uint64_t>{rows, k};
    }
    std::string iface = ArrayInterface(v.data, TypeStr(v), shape);
    XGBoostThread::Get().Run([&]() {  // OpenMP copy loops: keep them off the JS thread
      std::lock_guard<std::mutex> lock(dm->mu);
      Check(XGDMatrixSetInfoFromInterface(dm->raw, field.c_str(), iface.c_str()), "XGDMatrixSetInfoFromInterface");
    });
    return info.Env().Undefined();
  });
}

// int XGDMatrixGetFloatInfo(const DMatrixHandle handle, const char *field, bst_ulong *out_len,
//     const float **out_dptr);
Napi::Value DMatrixGetFloatInfo(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto dm = ReadDMatrix(info, 0, "dmatrix");
    std::string field = kdap::ReadString(info, 1, "field");
    if (field != "label" && field != "weight" && field != "base_margin") {
      throw ArgError{ArgError::Range, "'field' must be one of label, weight, base_margin; got '" + field + "'"};
    }
    std::lock_guard<std::mutex> lock(dm->mu);
    bst_ulong len = 0;
    const float* ptr = nullptr;
    Check(XGDMatrixGetFloatInfo(dm->raw, field.c_str(), &len, &ptr), "XGDMatrixGetFloatInfo");
    auto out = Napi::Float32Array::New(info.Env(), static_cast<size_t>(len));
    if (len > 0 && ptr != nullptr) std::memcpy(out.Data(), ptr, static_cast<size_t>(len) * sizeof(float));
    return out;
  });
}

void CheckStrField(const std::string& field) {
  if (field != "feature_name" && field != "feature_type") {
    throw ArgError{ArgError::Range, "'field' must be feature_name or feature_type; got '" + field + "'"};
  }
}

void CheckFeatureTypes(const std::vector<std::string>& types) {
  for (size_t i = 0; i < types.size(); i++) {
    const std::string& t = types[i];
    if (t != "q" && t != "i" && t != "int" && t != "float" && t != "c") {
      throw ArgError{ArgError::Range, "'features[" + std::to_string(i) + "]' must be a feature type (q, i, int, float, c), got '" + t + "'"};
    }
  }
}

std::vector<const char*> Pointers(const std::vector<std::string>& strs) {
  std::vector<const char*> p;
  p.reserve(strs.size());
  for (auto& s : strs) p.push_back(s.c_str());
  return p;
}

// int XGDMatrixSetStrFeatureInfo(DMatrixHandle handle, const char *field, const char **features,
//     const bst_ulong size);
Napi::Value DMatrixSetStrFeatureInfo(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto dm = ReadDMatrix(info, 0, "dmatrix");
    std::string field = kdap::ReadString(info, 1, "field");
    CheckStrField(field);
    auto strs = kdap::ReadStringArray(info, 2, "features");
    if (strs.size() != dm->cols) {
      throw ArgError{ArgError::Range, "'features' must have one entry per column (" + std::to_string(dm->cols) +
                                          "), got " + std::to_string(strs.size())};
    }
    if (field == "feature_type") CheckFeatureTypes(strs);
    auto ptrs = Pointers(strs);
    std::lock_guard<std::mutex> lock(dm->mu);
    Check(XGDMatrixSetStrFeatureInfo(dm->raw, field.c_str(), ptrs.data(), static_cast<bst_ulong>(ptrs.size())),
          "XGDMatrixSetStrFeatureInfo");
    return info.Env().Undefined();
  });
}

// int XGDMatrixGetStrFeatureInfo(DMatrixHandle handle, const char *field, bst_ulong *size,
//     const char ***out_features);
Napi::Value DMatrixGetStrFeatureInfo(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto dm = ReadDMatrix(info, 0, "dmatrix");
    std::string field = kdap::ReadString(info, 1, "field");
    CheckStrField(field);
    std::lock_guard<std::mutex> lock(dm->mu);
    bst_ulong n = 0;
    const char** strs = nullptr;
    Check(XGDMatrixGetStrFeatureInfo(dm->raw, field.c_str(), &n, &strs), "XGDMatrixGetStrFeatureInfo");
    return ToJsArray(info.Env(), CopyStrings(strs, n));
  });
}

// int XGDMatrixNumRow(DMatrixHandle handle, bst_ulong *out);
Napi::Value DMatrixNumRow(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto dm = ReadDMatrix(info, 0, "dmatrix");
    bst_ulong n = 0;
    Check(XGDMatrixNumRow(dm->raw, &n), "XGDMatrixNumRow");
    return Napi::Number::New(info.Env(), static_cast<double>(n));
  });
}

// int XGDMatrixNumCol(DMatrixHandle handle, bst_ulong *out);
Napi::Value DMatrixNumCol(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto dm = ReadDMatrix(info, 0, "dmatrix");
    bst_ulong n = 0;
    Check(XGDMatrixNumCol(dm->raw, &n), "XGDMatrixNumCol");
    return Napi::Number::New(info.Env(), static_cast<double>(n));
  });
}

// int XGDMatrixFree(DMatrixHandle handle);  -- deferred until no worker uses it.
Napi::Value DMatrixFree(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    return Napi::Boolean::New(info.Env(), kdap::DisposeHandle<DMatrixTraits>(info, 0, "dmatrix"));
  });
}

// ---------------------------------------------------------------------------------------------
// Booster
// ---------------------------------------------------------------------------------------------

Napi::Value WrapBooster(Napi::Env env, const std::shared_ptr<BoosterState>& box) {
  return kdap::WrapHandle<BoosterTraits>(env, std::static_pointer_cast<BoosterBox>(box));
}

std::shared_ptr<BoosterState> NewBoosterState(BoosterHandle h, bool initialized) {
  auto box = std::make_shared<BoosterState>(h);
  box->initialized = initialized;
  return box;
}

template <class F>
auto OnXGBoostThread(F&& f) -> decltype(f()) {
  return XGBoostThread::Get().Run(std::forward<F>(f));
}

// int XGBoosterCreate(const DMatrixHandle dmats[], bst_ulong len, BoosterHandle *out);
// XGBoost caches predictions per DMatrix through weak references, so the booster does not keep
// these matrices alive (as in the Python package); workers hold what they use while they run.
Napi::Value BoosterCreate(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto dmats = ReadDMatrixArray(info, 0, "dmats");
    auto box = OnXGBoostThread([&]() {
      std::vector<DMatrixHandle> raw;
      std::vector<DMatrixBox*> boxes;
      for (auto& d : dmats) {
        raw.push_back(d->raw);
        boxes.push_back(d.get());
      }
      DMatrixLocks locks(boxes);
      BoosterHandle out = nullptr;
      Check(XGBoosterCreate(raw.empty() ? nullptr : raw.data(), static_cast<bst_ulong>(raw.size()), &out), "XGBoosterCreate");
      return NewBoosterState(out, false);
    });
    return WrapBooster(info.Env(), box);
  });
}

// int XGBoosterSetParam(BoosterHandle handle, const char *name, const char *value);
Napi::Value BoosterSetParam(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto b = ReadBooster(info, 0, "booster");
    std::string name = kdap::ReadString(info, 1, "name");
    std::string value = kdap::ReadString(info, 2, "value");
    if (name.empty()) throw ArgError{ArgError::Range, "'name' must not be empty"};
    OnXGBoostThread([&]() {
      ModelWriteLock lock(b.get());
      b->CheckUsable();
      b->Check(XGBoosterSetParam(b->raw, name.c_str(), value.c_str()), "XGBoosterSetParam");
    });
    return info.Env().Undefined();
  });
}

// int XGBoosterUpdateOneIter(BoosterHandle handle, int iter, DMatrixHandle dtrain);
struct UpdateArgs {
  std::shared_ptr<BoosterState> b;
  int iter;
  std::shared_ptr<DMatrixState> dtrain;
};

UpdateArgs ReadUpdateArgs(const Napi::CallbackInfo& info) {
  auto b = ReadBooster(info, 0, "booster");
  int iter = static_cast<int>(kdap::ReadInt(info, 1, "iter", 0, INT32_MAX));
  auto dtrain = ReadDMatrix(info, 2, "dtrain");
  return UpdateArgs{std::move(b), iter, std::move(dtrain)};
}

void UpdateOneIter(const UpdateArgs& a) {
  OnXGBoostThread([&]() {
    ModelWriteLock lock(a.b.get());
    a.b->CheckUsable();  // again under the lock: an earlier queued call may have retired it
    std::lock_guard<std::mutex> data(a.dtrain->mu);
    a.b->Check(XGBoosterUpdateOneIter(a.b->raw, a.iter, a.dtrain->raw), "XGBoosterUpdateOneIter");
    a.b->initialized = true;
  });
}

Napi::Value BoosterUpdateOneIter(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    UpdateOneIter(ReadUpdateArgs(info));
    return info.Env().Undefined();
  });
}

/** The same, off the JS thread: the JS thread stays free while an iteration trains. */
Napi::Value BoosterUpdateOneIterAsync(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto a = std::make_shared<UpdateArgs>(ReadUpdateArgs(info));
    auto* w = NewWorker(
        info.Env(), [a]() { UpdateOneIter(*a); }, [](Napi::Env env) -> Napi::Value { return env.Undefined(); });
    return kdap::Queue(w);
  });
}

// int XGBoosterEvalOneIter(BoosterHandle handle, int iter, DMatrixHandle dmats[],
//     const char *evnames[], bst_ulong len, const char **out_result);
struct EvalArgs {
  std::shared_ptr<BoosterState> b;
  int iter;
  std::vector<std::shared_ptr<DMatrixState>> dmats;
  std::vector<std::string> names;
};

EvalArgs ReadEvalArgs(const Napi::CallbackInfo& info) {
  auto b = ReadBooster(info, 0, "booster");
  int iter = static_cast<int>(kdap::ReadInt(info, 1, "iter", 0, INT32_MAX));
  auto dmats = ReadDMatrixArray(info, 2, "dmats");
  auto names = kdap::ReadStringArray(info, 3, "evnames");
  if (dmats.empty()) throw ArgError{ArgError::Range, "'dmats' must hold at least one DMatrix"};
  if (names.size() != dmats.size()) {
    throw ArgError{ArgError::Range, "'evnames' must have one name per DMatrix (" + std::to_string(dmats.size()) +
                                        "), got " + std::to_string(names.size())};
  }
  return EvalArgs{std::move(b), iter, std::move(dmats), std::move(names)};
}

std::string EvalOneIter(const EvalArgs& a) {
  return OnXGBoostThread([&]() {
    std::vector<DMatrixHandle> raw;
    std::vector<DMatrixBox*> boxes;
    for (auto& d : a.dmats) {
      raw.push_back(d->raw);
      boxes.push_back(d.get());
    }
    auto namePtrs = Pointers(a.names);
    ModelWriteLock lock(a.b.get());
    a.b->CheckUsable();
    DMatrixLocks locks(boxes);
    const char* out = nullptr;
    a.b->Check(XGBoosterEvalOneIter(a.b->raw, a.iter, raw.data(), namePtrs.data(), static_cast<bst_ulong>(raw.size()), &out),
               "XGBoosterEvalOneIter");
    return std::string(out ? out : "");
  });
}

Napi::Value BoosterEvalOneIter(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value { return Napi::String::New(info.Env(), EvalOneIter(ReadEvalArgs(info))); });
}

/** The same, off the JS thread: evaluating large validation sets does not block the JS thread. */
Napi::Value BoosterEvalOneIterAsync(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto a = std::make_shared<EvalArgs>(ReadEvalArgs(info));
    auto result = std::make_shared<std::string>();
    auto* w = NewWorker(
        info.Env(), [a, result]() { *result = EvalOneIter(*a); },
        [result](Napi::Env env) -> Napi::Value { return Napi::String::New(env, *result); });
    return kdap::Queue(w);
  });
}

// ---------------------------------------------------------------------------------------------
// Training loop: Python's xgboost.train keeps calling XGBoosterUpdateOneIter (and
// XGBoosterEvalOneIter) from one thread without returning to Python in between. Doing each round
// as its own Promise made every round hop JS -> libuv pool -> executor -> XGBoost thread and
// back; here the rounds run on the XGBoost thread, each queued behind any other XGBoost work, and
// only results travel to JS (through a thread-safe function). The thread is never held while JS
// runs, so a JS callback may itself call the binding synchronously.
// ---------------------------------------------------------------------------------------------

struct TrainRun;

struct TrainEvent {
  enum Kind { Round, Done, Failed } kind = Done;
  int iter = 0;  // Round: the round just trained; Done: rounds trained
  std::string evalText;
  LibFailure failure;
};

void OnTrainEvent(Napi::Env env, Napi::Function onRound, std::shared_ptr<TrainRun>* context, TrainEvent* data);
using TrainEvents = Napi::TypedThreadSafeFunction<std::shared_ptr<TrainRun>, TrainEvent, OnTrainEvent>;

struct TrainRun {
  std::shared_ptr<BoosterState> b;
  std::shared_ptr<DMatrixState> dtrain;
  std::vector<std::shared_ptr<DMatrixState>> dmats;
  std::vector<std::string> names;
  int rounds = 0;
  bool perRound = false;        // onRound given: each round waits for its answer on the JS thread
  std::atomic<bool> stop{false};
  TrainEvents tsfn;
  // Node frees the thread-safe function when its environment goes (worker.terminate()) even if
  // this run still holds it; calls after that would touch freed memory.
  std::mutex tsfnMu;
  bool tsfnGone = false;
  Napi::Promise::Deferred deferred;  // settled on the JS thread only
  bool settled = false;              // JS thread only

  explicit TrainRun(Napi::Env env) : deferred(Napi::Promise::Deferred::New(env)) {}
};

void TrainStep(const std::shared_ptr<TrainRun>& run, int iter);

/** Ends a run on the JS thread: settles its promise once and lets the process exit again. */
void Settle(Napi::Env env, TrainRun& run, const std::function<void()>& settle) {
  if (run.settled) return;
  run.settled = true;
  try {
    Napi::HandleScope scope(env);
    settle();
  } catch (...) {
    // The environment is shutting down (worker terminated): no one is left to tell.
  }
  run.tsfn.Release();
}

void OnTrainEvent(Napi::Env env, Napi::Function onRound, std::shared_ptr<TrainRun>* context, TrainEvent* data) {
  std::unique_ptr<TrainEvent> ev(data);
  std::shared_ptr<TrainRun> run = *context;
  if (env == nullptr) {  // torn down with the environment
    run->stop = true;
    return;
  }
  if (ev->kind == TrainEvent::Done) {
    Settle(env, *run, [&]() { run->deferred.Resolve(Napi::Number::New(env, ev->iter)); });
    return;
  }
  if (ev->kind == TrainEvent::Failed) {
    Settle(env, *run, [&]() {
      run->deferred.Reject(kdap::MakeNativeError(env, ev->failure.function, ev->failure.code, ev->failure.message).Value());
    });
    return;
  }
  bool stopHere = false;
  try {
    Napi::HandleScope scope(env);
    Napi::Value answer = onRound.Call({Napi::Number::New(env, ev->iter), Napi::String::New(env, ev->evalText)});
    stopHere = answer.ToBoolean().Value();
  } catch (const Napi::Error& e) {
    Napi::Value error = e.Value();
    Settle(env, *run, [&]() { run->deferred.Reject(error); });
    return;
  }
  if (stopHere || run->stop || ev->iter + 1 >= run->rounds) {
    Settle(env, *run, [&]() { run->deferred.Resolve(Napi::Number::New(env, ev->iter + 1)); });
    return;
  }
  int next = ev->iter + 1;
  XGBoostThread::Get().Post([run, next]() { TrainStep(run, next); });
}

/** Hands an event to the JS thread; false when the environment is gone (the run then stops). */
bool SendTrainEvent(const std::shared_ptr<TrainRun>& run, std::unique_ptr<TrainEvent> ev) {
  std::lock_guard<std::mutex> lock(run->tsfnMu);
  if (run->tsfnGone || run->tsfn.NonBlockingCall(ev.get()) != napi_ok) {
    run->stop = true;
    return false;
  }
  ev.release();
  return true;
}

/** One round on the XGBoost thread; without per-round answers, queues the next one itself. */
void TrainStep(const std::shared_ptr<TrainRun>& run, int iter) {
  auto ev = std::make_unique<TrainEvent>();
  ev->iter = iter;
  if (iter >= run->rounds || run->stop) {
    ev->kind = TrainEvent::Done;
    SendTrainEvent(run, std::move(ev));
    return;
  }
  try {
    UpdateOneIter(UpdateArgs{run->b, iter, run->dtrain});
    if (!run->dmats.empty()) ev->evalText = EvalOneIter(EvalArgs{run->b, iter, run->dmats, run->names});
    ev->kind = TrainEvent::Round;
  } catch (const LibFailure& f) {
    ev->kind = TrainEvent::Failed;
    ev->failure = f;
  } catch (const std::bad_alloc&) {
    ev->kind = TrainEvent::Failed;
    ev->failure = LibFailure{"", -1, "out of memory"};
  } catch (const std::exception& e) {
    ev->kind = TrainEvent::Failed;
    ev->failure = LibFailure{"", -1, e.what()};
  }
  if (ev->kind == TrainEvent::Round && !run->perRound) {
    int next = iter + 1;
    XGBoostThread::Get().Post([run, next]() { TrainStep(run, next); });
    return;
  }
  SendTrainEvent(run, std::move(ev));
}

// JS: (booster, dtrain, rounds, dmats, evnames, onRound | null) -> { done: Promise<number>, stop() }
Napi::Value BoosterTrainAsync(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    auto run = std::make_shared<TrainRun>(env);
    run->b = ReadBooster(info, 0, "booster");
    run->dtrain = ReadDMatrix(info, 1, "dtrain");
    run->rounds = static_cast<int>(kdap::ReadInt(info, 2, "rounds", 0, INT32_MAX));
    run->dmats = ReadDMatrixArray(info, 3, "dmats");
    run->names = kdap::ReadStringArray(info, 4, "evnames");
    if (run->names.size() != run->dmats.size()) {
      throw ArgError{ArgError::Range, "'evnames' must have one name per DMatrix (" + std::to_string(run->dmats.size()) +
                                          "), got " + std::to_string(run->names.size())};
    }
    Napi::Value onRound = kdap::Arg(info, 5);
    if (!onRound.IsFunction() && !onRound.IsNull() && !onRound.IsUndefined()) {
      throw ArgError{ArgError::Type, "'onRound' must be a function or null, got " + kdap::Describe(onRound)};
    }
    run->perRound = onRound.IsFunction();
    Napi::Function fn = run->perRound ? onRound.As<Napi::Function>() : Napi::Function();
    auto* context = new std::shared_ptr<TrainRun>(run);
    run->tsfn = TrainEvents::New(env, fn, "kdap:xgboost-train", 0, 1, context,
                                 [](Napi::Env, void*, std::shared_ptr<TrainRun>* c) {
                                   {
                                     std::lock_guard<std::mutex> lock((*c)->tsfnMu);
                                     (*c)->tsfnGone = true;
                                   }
                                   (*c)->stop = true;  // the run ended, or its environment did: no more rounds
                                   delete c;
                                 });
    // The promise keeps nothing alive by itself; the thread-safe function keeps the loop running.
    Napi::Object result = Napi::Object::New(env);
    result.Set("done", run->deferred.Promise());
    // Weak: a finished run (and the booster it holds) must not wait for this function's GC.
    std::weak_ptr<TrainRun> weak = run;
    result.Set("stop", Napi::Function::New(env, [weak](const Napi::CallbackInfo& i) -> Napi::Value {
                 if (auto r = weak.lock()) r->stop = true;
                 return i.Env().Undefined();
               }, "stop"));
    XGBoostThread::Get().Post([run]() { TrainStep(run, 0); });
    return result;
  });
}

// int XGBoosterBoostedRounds(BoosterHandle handle, int* out);
Napi::Value BoosterBoostedRounds(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto b = ReadBooster(info, 0, "booster");
    int rounds = OnXGBoostThread([&]() {
      std::shared_lock<std::shared_mutex> lock(b->rw);
      return Rounds(b.get());
    });
    return Napi::Number::New(info.Env(), rounds);
  });
}

// int XGBoosterGetNumFeature(BoosterHandle handle, bst_ulong *out);
Napi::Value BoosterGetNumFeature(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto b = ReadBooster(info, 0, "booster");
    uint64_t n = OnXGBoostThread([&]() {
      std::shared_lock<std::shared_mutex> lock(b->rw);
      return NumFeature(b.get());
    });
    return Napi::Number::New(info.Env(), static_cast<double>(n));
  });
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

/** Registers the log callback and applies the global configuration on a caller's thread. */
void PrepareCallerThread() {
  thread_local bool registered = false;
  if (!registered) {
    XGBRegisterLogCallback(&OnXGBoostLog);
    registered = true;
  }
  GlobalConfig::Get().Sync();
}

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
    return ToJs(info.Env(), out);
  });
}

Napi::Value BoosterPredictFromDenseAsync(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto a = std::make_shared<PredictDenseArgs>(ReadPredictDenseArgs(info));
    auto bytes = kdap::CopyInput(a->m.view);
    auto result = std::make_shared<Shaped>();
    auto* w = NewWorker(
        info.Env(), [a, bytes, result]() { *result = XGBoostThread::Get().Run([&]() { return PredictDense(*a, bytes->data()); }); },
        [result](Napi::Env env) -> Napi::Value { return ToJs(env, *result); });
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
    return ToJs(info.Env(), out);
  });
}

Napi::Value BoosterPredictFromColumnsAsync(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto a = std::make_shared<PredictColumnarArgs>(ReadPredictColumnarArgs(info));
    auto result = std::make_shared<Shaped>();
    auto* w = NewWorker(
        info.Env(), [a, result]() { *result = XGBoostThread::Get().Run([&]() { return PredictColumnar(*a); }); },
        [result](Napi::Env env) -> Napi::Value { return ToJs(env, *result); });
    return kdap::Queue(w);
  });
}

// int XGBoosterGetCategoriesExportToArrow(BoosterHandle handle, char const *config,
//     CategoriesHandle *out, char const **export_out);  int XGBCategoriesFree(CategoriesHandle);
// JS: (booster) => Array<string[] | null>: the category names the model stores for each feature
// (null for a numeric feature); an empty array when the model stores none.
std::vector<std::unique_ptr<std::vector<std::string>>> ReadCategoryExport(const char* text) {
  std::vector<std::unique_ptr<std::vector<std::string>>> out;
  if (text == nullptr) return out;
  kdap_xgb::Doc doc;
  try {
    doc = kdap_xgb::JsonParser(reinterpret_cast<const uint8_t*>(text), std::strlen(text)).Parse();
  } catch (const kdap_xgb::ModelError& e) {
    throw LibFailure{"XGBoosterGetCategoriesExportToArrow", -1, "unreadable category export: " + e.message};
  }
  auto bad = [](const std::string& what) { return LibFailure{"XGBoosterGetCategoriesExportToArrow", -1, "unexpected category export: " + what}; };
  // {"data": [address, readonly], "shape": [n], "typestr": ...}
  auto buffer = [&](const kdap_xgb::Doc* aif, const char* typestr, size_t* n) -> const uint8_t* {
    if (aif == nullptr || aif->kind != kdap_xgb::Doc::Object) throw bad("missing array interface");
    const kdap_xgb::Doc* data = aif->Get("data");
    const kdap_xgb::Doc* shape = aif->Get("shape");
    const kdap_xgb::Doc* type = aif->Get("typestr");
    // Byte order marks vary ('|i1', '<i1'); the kind and size must match (names may be unsigned bytes).
    const std::string want(typestr);
    bool ok = type != nullptr && type->kind == kdap_xgb::Doc::String && type->text.size() == 3 &&
              type->text.substr(1) == want.substr(1);
    if (!ok && want == "|i1") ok = type != nullptr && type->kind == kdap_xgb::Doc::String && type->text.size() == 3 && type->text.substr(1) == "u1";
    if (!ok) throw bad("typestr " + (type && type->kind == kdap_xgb::Doc::String ? type->text : std::string("(missing)")) + ", expected " + want);
    if (shape == nullptr || shape->kind != kdap_xgb::Doc::Numbers || shape->numbers.size() != 1) throw bad("shape");
    *n = static_cast<size_t>(shape->numbers[0]);
    double addr = 0;
    if (data != nullptr && data->kind == kdap_xgb::Doc::Array && !data->items.empty() && data->items[0].kind == kdap_xgb::Doc::Number) {
      addr = data->items[0].number;
    } else if (data != nullptr && data->kind == kdap_xgb::Doc::Numbers && !data->numbers.empty()) {
      addr = data->numbers[0];
    } else {
      throw bad("data");
    }
    return reinterpret_cast<const uint8_t*>(static_cast<uintptr_t>(addr));
  };
  if (doc.kind == kdap_xgb::Doc::Null) return out;
  if (doc.kind != kdap_xgb::Doc::Array && doc.kind != kdap_xgb::Doc::Numbers) throw bad("not a list");
  for (const kdap_xgb::Doc& f : doc.items) {
    if (f.kind == kdap_xgb::Doc::Null) {
      out.emplace_back();
      continue;
    }
    const kdap_xgb::Doc* offsets = f.Get("offsets");
    if (offsets == nullptr) throw bad("numeric category names are not supported");
    size_t nOff = 0, nVal = 0;
    const int32_t* off = reinterpret_cast<const int32_t*>(buffer(offsets, "<i4", &nOff));
    const char* val = reinterpret_cast<const char*>(buffer(f.Get("values"), "|i1", &nVal));
    if (nOff > 0 && off == nullptr) throw bad("offsets without data");
    auto names = std::make_unique<std::vector<std::string>>();
    for (size_t i = 0; i + 1 < nOff; i++) {
      int32_t a = off[i], z = off[i + 1];
      if (a < 0 || z < a || static_cast<size_t>(z) > nVal) throw bad("offsets out of range");
      names->emplace_back(val + a, val + z);
    }
    out.push_back(std::move(names));
  }
  return out;
}

Napi::Value BoosterGetCategories(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto b = ReadBooster(info, 0, "booster");
    auto cats = OnXGBoostThread([&]() {
      ModelWriteLock lock(b.get());
      if (!b->initialized) throw ArgError{ArgError::Range, "the Booster has no model yet: train or load one first"};
      CategoriesHandle h = nullptr;
      const char* text = nullptr;
      b->Check(XGBoosterGetCategoriesExportToArrow(b->raw, nullptr, &h, &text), "XGBoosterGetCategoriesExportToArrow");
      try {
        auto parsed = ReadCategoryExport(text);
        XGBCategoriesFree(h);
        return parsed;
      } catch (...) {
        XGBCategoriesFree(h);
        throw;
      }
    });
    Napi::Env env = info.Env();
    Napi::Array arr = Napi::Array::New(env, cats.size());
    for (uint32_t i = 0; i < cats.size(); i++) {
      if (cats[i]) {
        arr.Set(i, ToJsArray(env, *cats[i]));
      } else {
        arr.Set(i, env.Null());
      }
    }
    return arr;
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
        [result](Napi::Env env) -> Napi::Value { return ToJs(env, *result); });
    return kdap::Queue(w);
  });
}

// int XGBoosterSaveModelToBuffer(BoosterHandle handle, char const *config, bst_ulong *out_len,
//     char const **out_dptr);
// JS: (booster, format: 'json' | 'ubj') => Uint8Array.
Napi::Value BoosterSaveModelToBuffer(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto b = ReadBooster(info, 0, "booster");
    std::string format = kdap::ReadString(info, 1, "format");
    if (format != "json" && format != "ubj") throw ArgError{ArgError::Range, "'format' must be 'json' or 'ubj', got '" + format + "'"};
    std::string config = "{\"format\":\"" + format + "\"}";
    std::vector<char> bytes = OnXGBoostThread([&]() {
      ModelWriteLock lock(b.get());
      bst_ulong len = 0;
      const char* data = nullptr;
      b->Check(XGBoosterSaveModelToBuffer(b->raw, config.c_str(), &len, &data), "XGBoosterSaveModelToBuffer");
      return data == nullptr ? std::vector<char>() : std::vector<char>(data, data + len);
    });
    auto out = Napi::Uint8Array::New(info.Env(), bytes.size());
    if (!bytes.empty()) std::memcpy(out.Data(), bytes.data(), bytes.size());
    return out;
  });
}

// int XGBoosterLoadModelFromBuffer(BoosterHandle handle, const void *buf, bst_ulong len);
// JSON or UBJSON (XGBoost tells them apart by the first bytes); checked by model_check.h first.
Napi::Value BoosterLoadModelFromBuffer(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto b = ReadBooster(info, 0, "booster");
    ArrayView buf = kdap::ReadTypedArray(info, 1, "buf", {napi_uint8_array});
    if (buf.length < 2) throw ArgError{ArgError::Range, "'buf' must hold a saved model, got " + std::to_string(buf.length) + " bytes"};
    // XGBoost 1.7 crashes on truncated or corrupted models: check the structure it relies on first.
    try {
      kdap_xgb::CheckModel(static_cast<const uint8_t*>(buf.data), buf.length);
    } catch (const kdap_xgb::ModelError& e) {
      throw ArgError{ArgError::Range, "'buf' is " + e.message};
    }
    OnXGBoostThread([&]() {  // the JS thread waits, so the buffer stays put
      ModelWriteLock lock(b.get());
      b->Check(XGBoosterLoadModelFromBuffer(b->raw, buf.data, static_cast<bst_ulong>(buf.length)), "XGBoosterLoadModelFromBuffer");
      b->initialized = true;
    });
    return info.Env().Undefined();
  });
}

// int XGBoosterFeatureScore(BoosterHandle handle, const char *config, bst_ulong *out_n_features,
//     char const ***out_features, bst_ulong *out_dim, bst_ulong const **out_shape,
//     float const **out_scores);
// JS: (booster, importanceType) => { features, shape, values }.
Napi::Value BoosterFeatureScore(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto b = ReadBooster(info, 0, "booster");
    std::string type = kdap::ReadString(info, 1, "importanceType");
    if (type != "weight" && type != "gain" && type != "cover" && type != "total_gain" && type != "total_cover") {
      throw ArgError{ArgError::Range, "'importanceType' must be one of weight, gain, cover, total_gain, total_cover; got '" + type + "'"};
    }
    std::string config = "{\"importance_type\":" + JsonString(type) + "}";
    std::vector<std::string> names;
    Shaped s = OnXGBoostThread([&]() {
      ModelWriteLock lock(b.get());
      if (!b->initialized || Rounds(b.get()) == 0) {
        throw ArgError{ArgError::Range, "the Booster has no boosted rounds yet: train or load a model first"};
      }
      bst_ulong nFeatures = 0, dim = 0;
      const char** features = nullptr;
      const bst_ulong* shape = nullptr;
      const float* scores = nullptr;
      b->Check(XGBoosterFeatureScore(b->raw, config.c_str(), &nFeatures, &features, &dim, &shape, &scores), "XGBoosterFeatureScore");
      names = CopyStrings(features, nFeatures);
      return CopyShaped(shape, dim, scores);
    });
    Napi::Object o = ToJs(info.Env(), s);
    o.Set("features", ToJsArray(info.Env(), names));
    return o;
  });
}

// int XGBoosterSlice(BoosterHandle handle, int begin_layer, int end_layer, int step, BoosterHandle *out);
Napi::Value BoosterSlice(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto b = ReadBooster(info, 0, "booster");
    int begin = static_cast<int>(kdap::ReadInt(info, 1, "beginLayer", 0, INT32_MAX));
    int end = static_cast<int>(kdap::ReadInt(info, 2, "endLayer", 0, INT32_MAX));
    int step = static_cast<int>(kdap::ReadInt(info, 3, "step", 1, INT32_MAX));
    auto sliced = OnXGBoostThread([&]() {
      ModelWriteLock lock(b.get());
      int rounds = b->initialized ? Rounds(b.get()) : 0;
      if (rounds == 0) throw ArgError{ArgError::Range, "the Booster has no boosted rounds to slice"};
      int effectiveEnd = end == 0 ? rounds : end;
      if (effectiveEnd > rounds) {
        throw ArgError{ArgError::Range, "'endLayer' must be at most the number of boosted rounds (" + std::to_string(rounds) +
                                            "), got " + std::to_string(end)};
      }
      if (begin >= effectiveEnd) {
        throw ArgError{ArgError::Range, "'beginLayer' must be less than the end of the slice (" + std::to_string(effectiveEnd) +
                                            "), got " + std::to_string(begin)};
      }
      BoosterHandle out = nullptr;
      b->Check(XGBoosterSlice(b->raw, begin, end, step, &out), "XGBoosterSlice");
      return NewBoosterState(out, true);
    });
    return WrapBooster(info.Env(), sliced);
  });
}

// int XGBoosterSetAttr(BoosterHandle handle, const char* key, const char* value);
// JS: (booster, key, value | null); null deletes the attribute.
Napi::Value BoosterSetAttr(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto b = ReadBooster(info, 0, "booster");
    std::string key = kdap::ReadString(info, 1, "key");
    bool remove = kdap::Arg(info, 2).IsNull();
    std::string value = remove ? std::string() : kdap::ReadString(info, 2, "value");
    OnXGBoostThread([&]() {
      ModelWriteLock lock(b.get());
      b->Check(XGBoosterSetAttr(b->raw, key.c_str(), remove ? nullptr : value.c_str()), "XGBoosterSetAttr");
    });
    return info.Env().Undefined();
  });
}

// int XGBoosterGetAttr(BoosterHandle handle, const char* key, const char** out, int *success);
Napi::Value BoosterGetAttr(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto b = ReadBooster(info, 0, "booster");
    std::string key = kdap::ReadString(info, 1, "key");
    std::unique_ptr<std::string> value = OnXGBoostThread([&]() {
      ModelWriteLock lock(b.get());
      const char* out = nullptr;
      int success = 0;
      b->Check(XGBoosterGetAttr(b->raw, key.c_str(), &out, &success), "XGBoosterGetAttr");
      return success && out != nullptr ? std::make_unique<std::string>(out) : std::unique_ptr<std::string>();
    });
    if (!value) return info.Env().Null();
    return Napi::String::New(info.Env(), *value);
  });
}

// int XGBoosterSetStrFeatureInfo(BoosterHandle handle, const char *field, const char **features,
//     const bst_ulong size);
Napi::Value BoosterSetStrFeatureInfo(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto b = ReadBooster(info, 0, "booster");
    std::string field = kdap::ReadString(info, 1, "field");
    CheckStrField(field);
    auto strs = kdap::ReadStringArray(info, 2, "features");
    if (field == "feature_type") CheckFeatureTypes(strs);
    OnXGBoostThread([&]() {
      ModelWriteLock lock(b.get());
      if (b->initialized && Rounds(b.get()) > 0) {
        uint64_t nfeat = NumFeature(b.get());
        if (strs.size() != nfeat) {
          throw ArgError{ArgError::Range, "'features' must have one entry per model feature (" + std::to_string(nfeat) +
                                              "), got " + std::to_string(strs.size())};
        }
      }
      auto ptrs = Pointers(strs);
      b->Check(XGBoosterSetStrFeatureInfo(b->raw, field.c_str(), ptrs.data(), static_cast<bst_ulong>(ptrs.size())),
               "XGBoosterSetStrFeatureInfo");
    });
    return info.Env().Undefined();
  });
}

// int XGBoosterGetStrFeatureInfo(BoosterHandle handle, const char *field, bst_ulong *len,
//     const char ***out_features);
Napi::Value BoosterGetStrFeatureInfo(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto b = ReadBooster(info, 0, "booster");
    std::string field = kdap::ReadString(info, 1, "field");
    CheckStrField(field);
    auto names = OnXGBoostThread([&]() {
      ModelWriteLock lock(b.get());
      bst_ulong n = 0;
      const char** strs = nullptr;
      b->Check(XGBoosterGetStrFeatureInfo(b->raw, field.c_str(), &n, &strs), "XGBoosterGetStrFeatureInfo");
      return CopyStrings(strs, n);
    });
    return ToJsArray(info.Env(), names);
  });
}

// int XGBoosterFree(BoosterHandle handle);  -- on the XGBoost thread, once no worker uses it.
Napi::Value BoosterFree(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    return Napi::Boolean::New(info.Env(), kdap::DisposeHandle<BoosterTraits>(info, 0, "booster"));
  });
}

// int XGBRegisterLogCallback(void (*callback)(const char*));  -- registered on the XGBoost thread.
// JS: setLogger(fn | null) routes the lines to fn(line) on the JS thread of the environment that
// set it; null drops them.
Napi::Value SetLogger(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    std::shared_ptr<LogSink> next = kdap::MakeLogSink(env, kdap::Arg(info, 0), "xgboost:log");
    std::shared_ptr<LogSink> prev;
    {
      std::lock_guard<std::mutex> lock(gLogMu);
      prev = std::move(gLogSink);
      gLogSink = std::move(next);
    }
    if (prev) prev->tsfn.Release();
    return env.Undefined();
  });
}

Napi::Object Module(Napi::Env env, Napi::Object exports) {
  XGBoostThread::Get();  // registers the executor's per-thread setup before any call
  auto* st = new kdap::EnvState();
  st->library = "XGBoost";
  env.SetInstanceData<kdap::EnvState>(st);
  // An environment that goes away (a worker thread) takes its logger with it.
  env.AddCleanupHook([e = static_cast<napi_env>(env)]() {
    std::shared_ptr<LogSink> gone;
    {
      std::lock_guard<std::mutex> lock(gLogMu);
      if (gLogSink && gLogSink->env == e) gone = std::move(gLogSink);
    }
    if (gone) gone->tsfn.Abort();
  });

#define EXPORT(name, fn) exports.Set(name, Napi::Function::New(env, fn, name))
  EXPORT("init", Init);
  exports.Set("smallBatchCopies", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(gSmallBatchCopies.load()));
  }, "smallBatchCopies"));
  exports.Set("liveHandles", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
    return kdap::LiveHandles<DMatrixTraits, BoosterTraits>(info.Env());
  }, "liveHandles"));
  EXPORT("setLogger", SetLogger);
  EXPORT("version", Version);
  EXPORT("buildInfo", BuildInfo);
  EXPORT("setGlobalConfig", SetGlobalConfig);
  EXPORT("getGlobalConfig", GetGlobalConfig);
  EXPORT("dmatrixCreateFromDense", DMatrixCreateFromDense);
  EXPORT("dmatrixCreateFromDenseAsync", DMatrixCreateFromDenseAsync);
  EXPORT("dmatrixCreateFromColumns", DMatrixCreateFromColumns);
  EXPORT("dmatrixCreateFromColumnsAsync", DMatrixCreateFromColumnsAsync);
  EXPORT("dmatrixSetInfoFromInterface", DMatrixSetInfoFromInterface);
  EXPORT("dmatrixGetFloatInfo", DMatrixGetFloatInfo);
  EXPORT("dmatrixSetStrFeatureInfo", DMatrixSetStrFeatureInfo);
  EXPORT("dmatrixGetStrFeatureInfo", DMatrixGetStrFeatureInfo);
  EXPORT("dmatrixNumRow", DMatrixNumRow);
  EXPORT("dmatrixNumCol", DMatrixNumCol);
  EXPORT("dmatrixFree", DMatrixFree);
  EXPORT("boosterCreate", BoosterCreate);
  EXPORT("boosterSetParam", BoosterSetParam);
  EXPORT("boosterUpdateOneIter", BoosterUpdateOneIter);
  EXPORT("boosterUpdateOneIterAsync", BoosterUpdateOneIterAsync);
  EXPORT("boosterEvalOneIter", BoosterEvalOneIter);
  EXPORT("boosterEvalOneIterAsync", BoosterEvalOneIterAsync);
  EXPORT("boosterTrainAsync", BoosterTrainAsync);
  EXPORT("boosterBoostedRounds", BoosterBoostedRounds);
  EXPORT("boosterGetNumFeature", BoosterGetNumFeature);
  EXPORT("boosterPredictFromDense", BoosterPredictFromDense);
  EXPORT("boosterPredictFromDenseAsync", BoosterPredictFromDenseAsync);
  EXPORT("boosterPredictFromColumns", BoosterPredictFromColumns);
  EXPORT("boosterPredictFromColumnsAsync", BoosterPredictFromColumnsAsync);
  EXPORT("boosterGetCategories", BoosterGetCategories);
  EXPORT("boosterPredictFromDMatrix", BoosterPredictFromDMatrix);
  EXPORT("boosterPredictFromDMatrixAsync", BoosterPredictFromDMatrixAsync);
  EXPORT("boosterSaveModelToBuffer", BoosterSaveModelToBuffer);
  EXPORT("boosterLoadModelFromBuffer", BoosterLoadModelFromBuffer);
  EXPORT("boosterFeatureScore", BoosterFeatureScore);
  EXPORT("boosterSlice", BoosterSlice);
  EXPORT("boosterSetAttr", BoosterSetAttr);
  EXPORT("boosterGetAttr", BoosterGetAttr);
  EXPORT("boosterSetStrFeatureInfo", BoosterSetStrFeatureInfo);
  EXPORT("boosterGetStrFeatureInfo", BoosterGetStrFeatureInfo);
  EXPORT("boosterFree", BoosterFree);
#undef EXPORT
  return exports;
}

}  // namespace

NODE_API_MODULE(xgboost_node, Module)
